"""E007 across member folders (issue 27, item 12): one member id, one folder name, in the whole repository.

Two member folders with the same member id (a copied folder, a typo), or whose paths differ only in letter
case or Unicode form (one folder on macOS and Windows), are reported at the later folder (walk order), from
every path the check takes (this process, forked workers, the cache); `report` counts each folder and says
so; `export fhir` holds the later one back and its message is true.
"""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import TODAY, CaseRepo, found, where
from pcplan import engine
from pcplan.caseload.report import build_report, write_report
from pcplan.cli import app
from pcplan.engine import in_shard
from pcplan.fhir.export import ExportError, ExportRequest, export

ELENA = "members/M-000123"
DANNY = "members/M-000207"
ABDI = "members/M-000301"


def copy_member(repo: CaseRepo, source: str, target: str, member_id: str | None = None) -> str:
    """A copy of a member folder; with ``member_id``, every file of the copy says that id instead."""
    shutil.copytree(repo.path(source), repo.path(target))
    if member_id is not None:
        old = source.rsplit("/", 1)[-1]
        for path in repo.path(target).rglob("*.yaml"):
            path.write_text(path.read_text(encoding="utf-8").replace(old, member_id), encoding="utf-8")
    return f"{target}/member.yaml"


def e007(repo: CaseRepo, *paths: str, **options) -> list[tuple]:
    return [(f.path, f.line, f.column, f.message) for f in repo.check(*paths, select=("E007",), **options)]


def case_sensitive(folder: Path) -> bool:
    probe = folder / "Case-Probe"
    probe.mkdir()
    try:
        return not (folder / "case-probe").exists()
    finally:
        probe.rmdir()


# ----------------------------------------------------------------------------------------- the rule itself

def test_the_reference_members_have_one_id_each(repo):
    assert found(repo, "E007") == []


def test_a_copied_member_folder_is_reported_at_the_later_folders_id(repo):
    later = copy_member(repo, ELENA, "members/M-000124")
    findings = repo.check(select=("E007",))
    assert [(f.code, f.path, f.line, f.column) for f in findings] == \
        [("E007", *where(repo, later, "M-000123"))]
    finding = findings[0]
    assert finding.message == ("member id `M-000123` is also used by members/M-000123/member.yaml; each member has "
                               "one folder and an id of their own")
    assert (finding.end_line, finding.end_column) == (finding.line, finding.column + len("M-000123"))
    assert finding.member == "M-000123" and finding.data_path == ("id",)
    # the earlier folder is the related place, at its own id
    assert [(r.path, r.line, r.column) for r in finding.related] == \
        [where(repo, f"{ELENA}/member.yaml", "M-000123")]


def test_every_later_folder_is_reported_naming_the_first(repo):
    copy_member(repo, ELENA, "members/M-000124")
    copy_member(repo, ELENA, "members/M-000125")
    assert [(path, message.split(";")[0]) for path, _, _, message in e007(repo)] == [
        ("members/M-000124/member.yaml", "member id `M-000123` is also used by members/M-000123/member.yaml"),
        ("members/M-000125/member.yaml", "member id `M-000123` is also used by members/M-000123/member.yaml")]


def test_later_means_later_in_the_walk_not_a_larger_id(repo):
    """`archive/` sorts before `members/`: the folder in members/ is the later one, and is reported."""
    copy_member(repo, ELENA, "archive/M-000123")
    assert [(path, line, column) for path, line, column, _ in e007(repo)] == \
        [where(repo, f"{ELENA}/member.yaml", "M-000123")]
    assert "also used by archive/M-000123/member.yaml" in e007(repo)[0][3]


def test_ids_that_differ_only_in_letter_case_are_one_id(repo):
    later = copy_member(repo, ELENA, "members/M-000124")
    repo.edit(later, "id: M-000123", "id: m-000123")
    assert e007(repo) == [(*where(repo, later, "m-000123"),
                           "member id `m-000123` is also used by members/M-000123/member.yaml (as `M-000123`: ids "
                           "that differ only in letter case are one id, as the files named after them are); each "
                           "member has one folder and an id of their own")]


def test_member_folders_with_their_own_ids_are_clean_even_when_the_rest_is_alike(repo):
    copy_member(repo, ELENA, "members/M-000124", member_id="M-000124")
    assert e007(repo) == []


def test_folder_names_that_differ_only_in_letter_case_are_one_folder_on_macos(repo):
    if not case_sensitive(repo.path("members")):
        pytest.skip("the file system here cannot hold both names")
    later = copy_member(repo, DANNY, "members/m-000207", member_id="M-000208")
    assert e007(repo) == [(later, 1, 1, "this member folder's path differs from members/M-000207 only in letter "
                                        "case or Unicode form (NFC/NFD): on macOS and Windows the two are one "
                                        "folder, and a clone there mixes two members' files; rename one of them")]


def test_a_parent_folder_that_differs_only_in_case_makes_the_same_clash(repo):
    if not case_sensitive(repo.path("members")):
        pytest.skip("the file system here cannot hold both names")
    copy_member(repo, DANNY, "Members/M-000207", member_id="M-000208")
    # `Members/` sorts before `members/`: in the walk, the folder under members/ is the later one
    assert e007(repo) == [("members/M-000207/member.yaml", 1, 1,
                           "this member folder's path differs from Members/M-000207 only in letter case or Unicode "
                           "form (NFC/NFD): on macOS and Windows the two are one folder, and a clone there mixes two "
                           "members' files; rename one of them")]


def test_nfc_and_nfd_forms_of_one_folder_name_are_one_folder(repo):
    nfc, nfd = unicodedata.normalize("NFC", "members/José"), unicodedata.normalize("NFD", "members/José")
    copy_member(repo, DANNY, nfc, member_id="M-000208")
    copy_member(repo, DANNY, nfd, member_id="M-000209")
    if len({p.name for p in repo.path("members").iterdir()}) != 5:
        pytest.skip("the file system here normalizes names (both forms are one folder)")
    findings = e007(repo)
    # the NFD name ("Jose" + U+0301) sorts before the NFC one (U+00E9): the NFC folder is the later one
    assert [(path, line, column) for path, line, column, _ in findings] == [(f"{nfc}/member.yaml", 1, 1)]
    assert findings[0][3].startswith(f"this member folder's path differs from {nfd} only in letter case or Unicode "
                                     "form (NFC/NFD)")


def test_an_id_used_twice_and_a_folder_name_clash_are_two_findings(repo):
    if not case_sensitive(repo.path("members")):
        pytest.skip("the file system here cannot hold both names")
    later = copy_member(repo, ELENA, "members/m-000123")
    assert [(path, line, column) for path, line, column, _ in e007(repo)] == \
        [(later, 1, 1), where(repo, later, "M-000123")]


# ----------------------------------------------------------------------------------------- hostile member files

@pytest.mark.parametrize("value", ["Elena Ruiz", "[M-000123]", "{id: M-000123}", "123", "null", "''", "M-000123 x"])
def test_an_id_that_is_not_an_id_is_not_compared_and_never_crashes(repo, value):
    """Text typed where the id belongs (E004's finding) is not compared, never shown, and breaks nothing."""
    later = copy_member(repo, ELENA, "members/M-000124")
    for path in (later, f"{ELENA}/member.yaml"):
        repo.edit(path, "id: M-000123", f"id: {value}")
    findings = repo.check(select=("E007", "E000"))
    assert [f for f in findings if f.code == "E000"] == []
    assert [f for f in findings if f.code == "E007" and f.data_path == ("id",)] == []
    assert "Elena" not in " ".join(f.message for f in findings)


def test_a_member_file_that_does_not_parse_still_has_its_folder_compared(repo):
    if not case_sensitive(repo.path("members")):
        pytest.skip("the file system here cannot hold both names")
    later = copy_member(repo, DANNY, "members/m-000207")
    repo.write(later, "kind: member\nid: [unclosed\n")
    assert [(path, line, column) for path, line, column, _ in e007(repo)] == [(later, 1, 1)]


def test_a_member_folder_named_with_words_is_not_shown_in_ci(repo, monkeypatch):
    copy_member(repo, ELENA, "members/Elena Ruiz")
    monkeypatch.setenv("CI", "true")
    (message,) = [m for _, _, _, m in e007(repo)]
    assert "Elena" not in message and "Ruiz" not in message
    assert "members/name-not-shown-" in message


# ----------------------------------------------------------------------------------------- every path of the check

def test_a_warm_cache_reports_the_same_duplicate_without_checking_again(repo, monkeypatch):
    copy_member(repo, ELENA, "members/M-000124")
    cold = e007(repo, cache=True)
    assert len(cold) == 1

    def never(*args, **kwargs):
        raise AssertionError("a member folder was checked again: the cache should answer it")

    monkeypatch.setattr(engine.run, "check_case", never)
    assert e007(repo, cache=True) == cold


def many_members(repo: CaseRepo, count: int) -> None:
    for index in range(count):
        copy_member(repo, ABDI, f"members/M-{700000 + index}", member_id=f"M-{700000 + index}")


def test_forked_workers_and_the_cache_together_report_it_once_at_the_later_folder(repo, monkeypatch):
    many_members(repo, 40)  # past PARALLEL_FROM: the folders are checked by worker processes
    later = copy_member(repo, ABDI, "members/M-700039b", member_id="M-700005")
    expected = [(*where(repo, later, "M-700005"),
                 "member id `M-700005` is also used by members/M-700005/member.yaml; each member has one folder "
                 "and an id of their own")]
    assert e007(repo, jobs=2) == expected
    assert e007(repo, jobs=2, cache=True) == expected  # cold: workers fill the cache
    repo.edit("members/M-700020/member.yaml", "id: M-700020", "id: M-700020\n# changed")  # one miss among hits
    assert e007(repo, jobs=2, cache=True) == expected
    assert e007(repo, jobs=1) == expected


def test_only_the_folders_checked_are_compared(repo):
    """A check of part of the repository (the pre-commit hook's changed files) compares those folders only."""
    later = copy_member(repo, ELENA, "members/M-000124")
    assert e007(repo, "members/M-000124") == []
    assert e007(repo, later, ELENA) == e007(repo)
    assert len(e007(repo, later, ELENA)) == 1


def test_a_shard_compares_its_own_folders_only(repo):
    """Decided and documented in E007's docstring: a duplicate split across shards is seen by neither shard."""
    copy_member(repo, ELENA, "members/M-000124")
    copy_member(repo, ELENA, "members/M-000130")
    folders = ["members/M-000123", "members/M-000124", "members/M-000130"]
    shard_of = {folder: next(i for i in (1, 2) if in_shard(folder, (i, 2))) for folder in folders}
    reported = []
    for index in (1, 2):
        reported += [path for path, _, _, _ in e007(repo, shard=(index, 2))]
    expected = []
    for folder in folders[1:]:
        earlier = [f for f in folders if f < folder and shard_of[f] == shard_of[folder]]
        if earlier:
            expected.append(f"{folder}/member.yaml")
    assert sorted(reported) == expected
    assert len(e007(repo)) == 2  # the whole check sees both


def test_ignoring_e007_silences_it(repo):
    copy_member(repo, ELENA, "members/M-000124")
    assert [f for f in repo.check(ignore=("E007",)) if f.code == "E007"] == []
    repo.edit("pcplan.toml", "[rules.per-path-ignores]\n",
              '[rules.per-path-ignores]\n"members/M-000124/**" = ["E007"]\n')
    assert e007(repo) == []


def test_the_command_line_reports_it_with_its_related_place(repo):
    copy_member(repo, ELENA, "members/M-000124")
    old = os.getcwd()
    os.chdir(repo.root)
    try:
        concise = CliRunner().invoke(app, ["check", "--no-cache", "--today", TODAY.isoformat(), "-f", "concise"])
        as_json = CliRunner().invoke(app, ["check", "--no-cache", "--today", TODAY.isoformat(), "-f", "json"])
    finally:
        os.chdir(old)
    assert concise.exit_code == 1
    line, column = repo.locate("members/M-000124/member.yaml", "M-000123")
    assert (f"members/M-000124/member.yaml:{line}:{column}: E007 [error] member id `M-000123` is also used by "
            "members/M-000123/member.yaml") in concise.stdout
    (finding,) = [f for f in json.loads(as_json.stdout)["findings"] if f["code"] == "E007"]
    assert finding["member"] == "M-000123"
    assert json.dumps(finding).count("members/M-000123/member.yaml") >= 2  # in the message and as the related place


# ----------------------------------------------------------------------------------------- report and export

def report_data(repo: CaseRepo) -> dict:
    return build_report(repo.root, TODAY, cwd=repo.root).data


def test_the_report_of_a_clean_repository_lists_no_repeated_member(repo):
    data = report_data(repo)
    assert data["members"]["repeated_ids"] == [] and data["members"]["folder_name_clashes"] == 0


def test_the_report_counts_each_folder_and_says_an_id_is_used_twice(repo):
    before = report_data(repo)
    copy_member(repo, ELENA, "members/M-000124")
    data = report_data(repo)
    assert data["members"]["total"] == before["members"]["total"] + 1  # each folder is a member, as it stands
    assert data["members"]["repeated_ids"] == [{"member": "M-000123", "folders": 2}]
    # the later folder carries E007: it is not fully compliant, and it is named by id and folder
    compliance = data["compliance"]
    assert compliance["active_members"] == before["compliance"]["active_members"] + 1
    assert compliance["compliant_members"] == before["compliance"]["compliant_members"]
    assert {"member": "M-000123 (members/M-000124)", "case_manager": "cm-jlee", "errors": 1} in \
        compliance["not_compliant"]
    (row,) = [r for r in data["findings_by_rule"] if r["code"] == "E007"]
    assert (row["count"], row["members"]) == (1, 1)
    assert data["findings"]["outside_member_folders"] == 0
    assert data["findings"]["error"] == before["findings"]["error"] + 1


def test_the_report_table_and_page_say_it_too(repo):
    copy_member(repo, ELENA, "members/M-000124")
    copy_member(repo, ELENA, "members/M-000125")
    report = build_report(repo.root, TODAY, cwd=repo.root)
    from io import StringIO

    table, page = StringIO(), StringIO()
    write_report(report, "table", table)
    write_report(report, "html", page)
    flat = " ".join(table.getvalue().split())
    assert "3 member folders share 1 member id (M-000123) and are counted once each: `pcplan check` reports " \
           "each as E007." in flat
    assert "3 member folders share 1 member id (M-000123) and are counted once each." in page.getvalue()


def test_export_holds_the_later_folder_back_and_says_why(repo, tmp_path):
    copy_member(repo, ELENA, "members/M-000124")
    out = tmp_path / "out"
    result = export(ExportRequest(repo.path("members"), f"{out}/", TODAY, allow_incomplete=True), stdout=None,
                    cwd=repo.root)
    held = {m.shown: [f.code for f in m.blocking] for m in result.held_back}
    assert held == {"members/M-000124": ["E007"]}
    assert sorted(p.name for p in out.iterdir()) == ["M-000123.fhir.json", "M-000207.fhir.json", "M-000301.fhir.json"]


@pytest.mark.parametrize("second_id", ["M-000123", "m-000123"])
def test_export_with_allow_errors_refuses_two_folders_for_one_file(repo, tmp_path, second_id):
    later = copy_member(repo, ELENA, "members/M-000124")
    repo.edit(later, "id: M-000123", f"id: {second_id}")
    out = tmp_path / "out"
    with pytest.raises(ExportError) as refused:
        export(ExportRequest(repo.path("members"), f"{out}/", TODAY, allow_errors=True, allow_incomplete=True),
               stdout=None, cwd=repo.root)
    assert "M-000123.fhir.json" in str(refused.value)
    assert "`pcplan check` reports each later one as E007 at its member.yaml" in str(refused.value)
    assert not out.exists() or list(out.iterdir()) == []  # all files or none


@pytest.mark.parametrize("identity, kept", [
    ([0, "M-000123", [3, 5, 3, 13]], True),
    ([-1, None, None], True),  # member.yaml that did not parse: the folder name is still compared
    ([0, "Elena Ruiz", [3, 5, 3, 15]], False),  # words where the id belongs are never written, nor believed
    ([7, "M-000123", [3, 5, 3, 13]], False),  # a file the folder does not have
    ([0, "M-000123", None], False),
    ([0, "M-000123", [3, 5, "3", 13]], False),
    ([0, None, [3, 5, 3, 13]], False),
    (["0", "M-000123", [3, 5, 3, 13]], False),
    ([0, "M-000123"], False),
    ("M-000123", False),
])
def test_a_cache_entry_holds_a_member_identity_pcplan_could_have_written_or_is_a_miss(identity, kept):
    """A planted or damaged entry is checked again (and replaced), never believed and never a traceback."""
    assert engine._well_typed([[], None, identity], count=2) is kept
