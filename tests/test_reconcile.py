"""`pcplan reconcile`: services delivered judged against the plans and notes (U901-U908), bad rows as
findings, every check format, Parquet input. The sample repository's members are the case side; each test
writes its own delivery file (and edits a copy of the repository where it needs to)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pcplan.cli import app

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT / "sample_cases"
HEADER = "member_id,service_code,modifiers,provider_id,date_of_service,units,claim_status\n"
PLAN_823 = "sample_cases/members/M-000823/plan-2026-04-06.yaml"
PLAN_788 = "sample_cases/members/M-000788/plan-2026-08-03.yaml"

runner = CliRunner()


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A copy of the sample repository at tmp_path/sample_cases, the current folder tmp_path."""
    shutil.copytree(SAMPLE, tmp_path / "sample_cases")
    (tmp_path / "sample_cases" / "deliveries.csv").unlink()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PCPLAN_OUTPUT_FORMAT", raising=False)
    return tmp_path


def reconcile(*args: str) -> tuple[int, list[str], str]:
    result = runner.invoke(app, ["reconcile", *args, "--today", "2026-11-22", "-f", "concise"])
    lines = [line for line in result.stdout.splitlines() if not line.startswith(("Found ", "All checks passed"))]
    return result.exit_code, lines, result.stderr


def write(here: Path, rows: str, name: str = "d.csv", header: str = HEADER) -> str:
    (here / name).write_text(header + rows, encoding="utf-8")
    return name


def codes(lines: list[str]) -> list[str]:
    return [line.split(": ")[1].split(" ")[0] for line in lines if ": " in line]


def test_sample_fires_each_rule_once_at_its_row(monkeypatch):
    monkeypatch.chdir(PROJECT)
    result = runner.invoke(app, ["reconcile", "sample_cases/deliveries.csv", "sample_cases", "--today",
                                 "2026-11-22", "-f", "concise"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:-1] == [
        "sample_cases/deliveries.csv:2:43: U907 [error] delivered 2026-05-10, outside the member's episodes of "
        "service (before enrollment or after a closure)",
        "sample_cases/deliveries.csv:3:43: U901 [error] delivered 2026-07-20, when no consented plan was in effect",
        "sample_cases/deliveries.csv:6:12: U908 [error] case management T1016 on 2026-09-08: no note by a case "
        "manager that day",
        "sample_cases/deliveries.csv:8:19: U903 [error] delivered by provider pv-front-range-home-health, not the "
        "provider of support SP2",
        "sample_cases/deliveries.csv:9:12: U902 [error] service T2003 is not a support of the plan in effect that day",
        "sample_cases/deliveries.csv:11:52: U904 [error] support SP2: 28 units delivered in the week from "
        "2026-09-07, over the 24 authorized",
        "sample_cases/deliveries.csv:12:41: U906 [error] delivered 2026-09-21, during a hospital hold",
        f"{PLAN_823}:103:5: U905 [warning] support SP5: 2 of 4 authorized units delivered 2026-09-07..2026-09-13, "
        "and no note within the follow-up days names it",
    ]
    assert "11 rows read, 11 matched, 10 judged, 0 rejected" in result.stderr


def test_related_location_is_the_plan_support(monkeypatch):
    monkeypatch.chdir(PROJECT)
    result = runner.invoke(app, ["reconcile", "sample_cases/deliveries.csv", "sample_cases", "--today",
                                 "2026-11-22", "-f", "json"])
    found = {f["code"]: f for f in json.loads(result.stdout)["findings"]}
    assert found["U903"]["related"] == [{"path": PLAN_823, "line": 70, "column": 5,
                                         "message": "support SP2 of the plan of 2026-04-06"}]
    assert found["U904"]["related"][0]["line"] == 70
    assert found["U904"]["member"] == "M-000823"


def test_clean_rows_pass_every_rule(here):
    # U901 passes on the day consent was signed; U902/U903 (code, modifiers in any case and order, provider by
    # id or NPI); U904 within the week; U906 before the hold; U907 inside the episode; U908 a timed unit with
    # a note of enough minutes (the collateral call of 2026-09-16: 20 minutes, T1016 is not face-to-face).
    # (One file each: a member's under-delivery is judged over the whole weeks between its first and last row.)
    for rows in ("M-000823,T1019,,pv-sunrise-home-care,2026-04-06,16,paid\n",
                 "M-000823,T1016,,,2026-09-16,1,paid\n",
                 "M-000788,H0004,u1,pv-noco-brain-injury,2026-09-15,4,paid\n"
                 "M-000788,T2003,,pv-weld-transit,2026-09-15,2,paid\n"):
        code, lines, stderr = reconcile(write(here, rows), "sample_cases")
        assert (code, lines) == (0, []), rows
        assert f"{rows.count(chr(10))} matched" in stderr


@pytest.mark.parametrize(("row", "expected"), [
    ("M-000788,H0004,U1,pv-noco-brain-injury,2026-05-10,4,paid", "d.csv:2:40: U907"),  # between episodes
    ("M-000788,H0004,U1,pv-noco-brain-injury,2026-08-02,4,paid", "d.csv:2:40: U901"),  # the day before consent
    ("M-000788,H0004,,pv-noco-brain-injury,2026-09-15,4,paid", "d.csv:2:10: U902"),  # modifiers differ
    ("M-000788,H0004,U1,pv-weld-transit,2026-09-15,4,paid", "d.csv:2:19: U903"),
    ("M-000823,T1019,,pv-sunrise-home-care,2026-10-01,4,paid", "d.csv:2:38: U906"),  # in the hospital
    ("M-000823,T1017,,,2026-09-08,1,paid", "d.csv:2:10: U908"),  # no note that day
])
def test_each_rule_fails_at_the_row_and_column(here, row, expected):
    code, lines, _ = reconcile(write(here, row + "\n"), "sample_cases")
    assert code == 1
    assert [line.split(" [")[0] for line in lines] == [expected]


def test_void_and_denied_rows_are_not_judged(here):
    rows = ("M-000788,H0004,U1,pv-noco-brain-injury,2026-05-10,4,void\n"
            "M-000788,H0004,U1,pv-noco-brain-injury,2026-05-10,4,DENIED\n")
    code, lines, stderr = reconcile(write(here, rows), "sample_cases")
    assert (code, lines) == (0, [])
    assert "2 rows read, 2 matched, 0 judged, 0 rejected" in stderr


def test_units_over_the_weekly_authorization_but_not_the_monthly_one(here):
    # SP1 (H0004 U1) is 4 units a week; SP3 (T2003) 12 trips a month: 10 trips in one week are within the month.
    rows = ("M-000788,H0004,U1,pv-noco-brain-injury,2026-09-14,3,paid\n"
            "M-000788,H0004,U1,pv-noco-brain-injury,2026-09-17,3,paid\n"
            "M-000788,T2003,,pv-weld-transit,2026-09-15,5,paid\n"
            "M-000788,T2003,,pv-weld-transit,2026-09-17,5,paid\n")
    code, lines, _ = reconcile(write(here, rows), "sample_cases")
    assert lines == ["d.csv:3:51: U904 [error] support SP1: 6 units delivered in the week from 2026-09-14, "
                     "over the 4 authorized"]
    assert code == 1


def test_over_authorization_names_the_support_as_related(here):
    rows = "M-000788,H0004,U1,pv-noco-brain-injury,2026-09-14,5,paid\n"
    result = runner.invoke(app, ["reconcile", write(here, rows), "sample_cases", "--today", "2026-11-22",
                                 "-f", "json"])
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["code"], finding["path"], finding["line"], finding["column"]) == ("U904", "d.csv", 2, 51)
    assert finding["related"][0]["path"] == PLAN_788
    assert finding["related"][0]["line"] == 59 and finding["related"][0]["column"] == 5


def test_under_delivery_in_a_completed_week_and_a_note_that_follows_it_up(here):
    # The window read is 2026-09-14..2026-09-27 for M-000788: two whole weeks of SP1 (4 a week).
    rows = ("M-000788,H0004,U1,pv-noco-brain-injury,2026-09-14,4,paid\n"
            "M-000788,H0004,U1,pv-noco-brain-injury,2026-09-27,1,paid\n")
    code, lines, _ = reconcile(write(here, rows), "sample_cases")
    assert f"{PLAN_788}:59:5: U905 [warning] support SP1: 1 of 4 authorized units delivered " \
           "2026-09-21..2026-09-27, and no note within the follow-up days names it" in lines
    assert not any("2026-09-14..2026-09-20" in line and "SP1" in line for line in lines)
    note = here / "sample_cases/members/M-000788/notes/2026-09-30.yaml"
    note.write_text("kind: note\nversion: 1\nmember: M-000788\ndate: 2026-09-30\nstaff: cm-jlee\n"
                    "contact: phone\nwith: [member]\nminutes: 10\n"
                    "text: Asked about SP1; two sessions were cancelled by the clinic.\n", encoding="utf-8")
    _, lines, _ = reconcile("d.csv", "sample_cases")
    assert not any("U905" in line and "SP1" in line for line in lines)


def test_collateral_call_billed_as_face_to_face_case_management(here):
    # 2026-09-16: a 20-minute collateral call (the member not in it). G9002 is a face-to-face code.
    code, lines, _ = reconcile(write(here, "M-000823,G9002,,,2026-09-16,1,paid\n"), "sample_cases")
    assert lines == ["d.csv:2:10: U908 [error] case management G9002 on 2026-09-16 is a face-to-face code, "
                     "but the member took part in no note of that day"]
    # Two 15-minute units are more than the 20 minutes of the note (the second needs 8 of its own).
    _, lines, _ = reconcile(write(here, "M-000823,T1016,,,2026-09-16,2,paid\n"), "sample_cases")
    assert lines == ["d.csv:2:10: U908 [error] case management T1016 on 2026-09-16: 2 units, but the notes of "
                     "that day record 20 minutes"]


def test_a_delivery_during_a_hold_that_is_not_institutional(here):
    member = here / "sample_cases/members/M-000823/member.yaml"
    member.write_text(member.read_text(encoding="utf-8").replace("kind: hospital", "kind: travel"), encoding="utf-8")
    code, lines, _ = reconcile(write(here, "M-000823,T1019,,pv-sunrise-home-care,2026-10-01,4,paid\n"),
                               "sample_cases")
    assert (code, lines) == (0, [])


def test_member_by_identifier_and_provider_by_npi(here):
    header = "member_identifier_system,member_identifier,service_code,provider_npi,date_of_service,units\n"
    name = write(here, "MEDICAID,K823415,T1019,1193847500,2026-05-05,4\n"
                       "medicaid,K823415,T1019,1128394560,2026-05-05,4\n", header=header)
    code, lines, _ = reconcile(name, "sample_cases")
    assert [line.split(" [")[0] for line in lines] == ["d.csv:3:24: U903"]


def test_bad_rows_are_findings_naming_the_file_and_row(here):
    rows = ("M-000823,T1019,,pv-sunrise-home-care,2026-13-01,4,paid\n"
            "M-999999,T1019,,pv-sunrise-home-care,2026-05-05,4,paid\n"
            "M-000823,T1019,,pv-sunrise-home-care,2026-05-05,-2,paid\n"
            "M-000823,T1019,,pv-sunrise-home-care,2026-05-05\n"
            "M-000823,T1019,,pv-sunrise-home-care,2026-05-05,four,paid\n"
            ",T1019,,pv-sunrise-home-care,2026-05-05,4,paid\n"
            "M-000823,T1019,,pv-sunrise-home-care,2026-05-05,4,paid\n")
    code, lines, stderr = reconcile(write(here, rows), "sample_cases")
    assert lines == [
        "d.csv:2:38: E004 [error] delivery row: date of service not a date (YYYY-MM-DD); not judged",
        "d.csv:3:1: L102 [error] delivery row: the member is not in this repository (no member id or identifier "
        "matches); not judged",
        "d.csv:4:49: E004 [error] delivery row: negative units; not judged",
        "d.csv:5:1: E005 [error] delivery row not readable (a field too many or too few, or not UTF-8 text): not "
        "judged",
        "d.csv:6:49: E004 [error] delivery row: units not a number; not judged",
        "d.csv:7:1: E004 [error] delivery row: no member; not judged",
    ]
    assert code == 1
    assert "7 rows read, 1 matched, 1 judged, 6 rejected" in stderr


def test_a_file_without_a_required_column(here):
    name = write(here, "M-000823,T1019,2026-05-05\n", header="member_id,service_code,date_of_service\n")
    code, lines, stderr = reconcile(name, "sample_cases")
    assert lines == ["d.csv:1:1: E005 [error] delivery file: the header has no column units; no row of the file "
                     "was judged"]
    assert code == 1 and "1 rejected" in stderr and "Traceback" not in stderr


def test_columns_mapped_in_pcplan_toml(here):
    config = here / "sample_cases/pcplan.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[reconcile]\ncolumns = {member_id = "RecipientID", '
                      'service_code = "ProcCode", date_of_service = "DOS", units = "Units"}\n', encoding="utf-8")
    name = write(here, "M-000788,H0004,2026-05-10,4\n", header="RecipientID,ProcCode,DOS,Units\n")
    _, lines, _ = reconcile(name, "sample_cases")
    assert [line.split(" [")[0] for line in lines] == ["d.csv:2:16: U907"]


def test_unknown_reconcile_key_is_a_configuration_error(here):
    config = here / "sample_cases/pcplan.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[reconcile]\nunderdelivery_percnt = 50\n",
                      encoding="utf-8")
    result = runner.invoke(app, ["reconcile", write(here, ""), "sample_cases"])
    assert result.exit_code == 2 and "reconcile.underdelivery_percnt" in result.output


def test_parquet_rows_are_located_by_row_number(here):
    import duckdb

    write(here, "M-000823,T1019,,pv-sunrise-home-care,2026-05-05,4,paid\n"
                "M-000788,H0004,U1,pv-noco-brain-injury,2026-05-10,4,paid\n")
    duckdb.sql("COPY (SELECT * FROM read_csv('d.csv', all_varchar=true)) TO 'd.parquet' (FORMAT parquet)")
    code, lines, stderr = reconcile("d.parquet", "sample_cases")
    assert [line.split(" [")[0] for line in lines] == ["d.parquet:2:1: U907"]
    assert "2 rows read, 2 matched, 2 judged" in stderr


@pytest.mark.parametrize("fmt", ["full", "concise", "json", "sarif", "github", "junit"])
def test_every_output_format_and_no_member_text_under_ci(monkeypatch, fmt):
    monkeypatch.chdir(PROJECT)
    monkeypatch.setenv("CI", "true")
    result = runner.invoke(app, ["reconcile", "sample_cases/deliveries.csv", "sample_cases", "--today",
                                 "2026-11-22", "-f", fmt])
    assert result.exit_code == 1, result.output
    assert "U904" in result.stdout
    shown = result.stdout
    if fmt == "sarif":  # the rules' own explanations (their examples) are not the findings
        shown = json.dumps(json.loads(shown)["runs"][0]["results"])
    elif fmt == "json":
        json.loads(shown)
    for name in ("Hal", "Whitaker", "Rafa", "Ortega", "K823415"):
        assert name not in shown


def test_exit_zero_and_fail_on(monkeypatch):
    monkeypatch.chdir(PROJECT)
    base = ["reconcile", "sample_cases/deliveries.csv", "sample_cases", "--today", "2026-11-22", "-f", "concise"]
    assert runner.invoke(app, [*base, "--exit-zero"]).exit_code == 0
    assert runner.invoke(app, ["reconcile", "--help"]).exit_code == 0


def test_a_folder_given_as_a_delivery_file_is_a_usage_error(here):
    result = runner.invoke(app, ["reconcile", "sample_cases", "sample_cases"])
    assert result.exit_code == 2


def test_text_from_the_file_is_never_repeated(here):
    rows = ('M-000788,"=HYPERLINK(""x"")",,pv-noco-brain-injury,2026-09-15,4,paid\n'
            "M-000788,H0004,U1,Jane Roe \x1b[31m,2026-09-15,4,paid\n")
    code, lines, _ = reconcile(write(here, rows), "sample_cases")
    assert [line.split(" [")[0] for line in lines] == ["d.csv:2:10: U902", "d.csv:3:19: U903"]
    assert "HYPERLINK" not in "".join(lines) and "Jane" not in "".join(lines) and "\x1b" not in "".join(lines)
    assert "the service code is not a support" in lines[0]
    assert "a provider not in providers.yaml" in lines[1]
