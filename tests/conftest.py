"""Shared fixtures: a clean case repository (the reference members) that a test edits once.

Tests assert exact positions. They find the expected line and column by
locating a snippet in the fixture text (``repo.locate``), which is independent
of the code under test and survives unrelated edits to the fixtures.

Helpers more than one test module uses live here too (test modules never import each other):
the lifecycle's cases (revisions, re-enrolment), staff and members the rule tests add, and the
render, due, privacy, hostile-input and accessibility helpers their neighbours share.
"""

from __future__ import annotations

import functools
import gc
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import typer.testing
import yaml
from typer.testing import CliRunner

from pcplan.cli import app
from pcplan.engine import Options, check
from pcplan.facts.lifecycle import lifecycle
from pcplan.load import load_file
from pcplan.model import Case, Document

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_CASES = PROJECT / "sample_cases"
CLEAN_MEMBERS = ("M-000123", "M-000207", "M-000301")  # the reference repository's members
SHARED = PROJECT.parent / "shared"
TODAY = date(2026, 11, 22)

# Files every test can name briefly.
ELENA_PLAN = "members/M-000123/plan-2026-09-03.yaml"
ELENA_ASSESSMENT = "members/M-000123/assessment-2026-08-20.yaml"
ELENA_MEMBER = "members/M-000123/member.yaml"
ELENA_NOTE = "members/M-000123/notes/2026-10-01.yaml"
DANNY_PLAN = "members/M-000207/plan-2026-05-20.yaml"
ABDI_PLAN = "members/M-000301/plan-2026-02-02.yaml"


# typer's CliRunner turns the app into click commands at every invoke, reading every command's signature again
# (~10 ms, a tenth of the suite's in-process time); the app never changes while the suite runs, so it is turned
# once, as `pcplan` itself does once per process.
if hasattr(typer.testing, "_get_command"):
    typer.testing._get_command = functools.cache(typer.testing._get_command)

# The exhaustive parametrisations (every field x every format x every extreme value, every hostile input) carry
# this marker: the README's `python -m pytest` leaves them out (pyproject's addopts), `.ci/run` runs them too.
SLOW = pytest.mark.slow
_PARAM = type(pytest.param(None))


def slow_except(cases, *quick, unpack: bool = False) -> list:
    """``cases`` for ``parametrize``, every one marked slow but the ``quick`` ones: the quick run's representatives
    of the whole matrix, so each kind of behaviour is still tested there. A case is named by its value, or by its
    id when it is a ``pytest.param``; ``unpack`` when each value is a tuple of several arguments."""
    out, kept = [], []
    for case in cases:
        param = isinstance(case, _PARAM)
        name = case.id if param else case
        if name in quick:
            kept.append(name)
            out.append(case)
        elif param:
            out.append(pytest.param(*case.values, marks=[*case.marks, SLOW], id=case.id))
        else:
            out.append(pytest.param(*case, marks=SLOW) if unpack else pytest.param(case, marks=SLOW))
    assert len(kept) == len(quick), f"quick cases not found: {[q for q in quick if q not in kept]}"
    return out


# Variables a CI service or a user's shell sets that change what pcplan prints (CI hides member
# text, GITHUB_ACTIONS adds annotations, PCPLAN_* set defaults). Each test starts without them
# and sets the ones it is about, so the suite means the same on a laptop and in CI.
AMBIENT_ENVIRONMENT = ("CI", "GITHUB_ACTIONS", "PCPLAN_TODAY", "PCPLAN_OUTPUT_FORMAT", "PCPLAN_CACHE_DIR")


@pytest.fixture(autouse=True)
def _young_heap() -> None:
    """Keep what outlives a test (modules, collected items, module fixtures) out of the garbage collector's walk.

    Every check ends with a full ``gc.collect()`` (engine._without_cycle_collection). In pytest's process
    that walks hundreds of thousands of objects the suite holds, ~70 ms a check: most of a rule test's time.
    Freezing what is alive when a test starts leaves the collector only the test's own objects to walk."""
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _no_ambient_environment(monkeypatch, tmp_path_factory):
    for name in AMBIENT_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    # The cache's key (pcplan.cache.secret) lives in the user's cache folder: the suite's in one of its own.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


@dataclass
class CaseRepo:
    root: Path

    def path(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> str:
        return self.path(relative).read_text(encoding="utf-8")

    def write(self, relative: str, text: str) -> Path:
        target = self.path(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def edit(self, relative: str, old: str, new: str, count: int = 1) -> None:
        """Replace a snippet that must occur exactly ``count`` times (guards against fixture drift)."""
        text = self.read(relative)
        assert text.count(old) == count, f"{old!r} occurs {text.count(old)} times in {relative}"
        self.write(relative, text.replace(old, new))

    def locate(self, relative: str, snippet: str, offset: int = 0, occurrence: int = 1) -> tuple[int, int]:
        """1-based (line, column) of ``snippet`` (plus ``offset`` characters) in a file."""
        text = self.read(relative)
        index = -1
        for _ in range(occurrence):
            index = text.index(snippet, index + 1)
        index += offset
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        return line, column

    def check(self, *paths: str, today: date = TODAY, **options):
        targets = [self.root / p for p in paths] or [self.root]
        return check(targets, Options(today=today, **options), cwd=self.root).findings

    def codes(self, *paths: str, **options) -> list[str]:
        return [f.code for f in self.check(*paths, **options)]


@pytest.fixture
def repo(tmp_path: Path) -> CaseRepo:
    root = tmp_path / "cases"
    root.mkdir()
    shutil.copy(SAMPLE_CASES / "pcplan.toml", root / "pcplan.toml")
    (root / "staff.yaml").write_text(reference_staff(), encoding="utf-8")
    for member in CLEAN_MEMBERS:
        shutil.copytree(SAMPLE_CASES / "members" / member, root / "members" / member)
    return CaseRepo(root)


# sample_cases/staff.yaml is the reference's staff file, then (after this line) a case manager who has left,
# whom only the mistake members use (A609): the clean repository of the tests is the reference's.
SAMPLE_ONLY_STAFF = "  # Not in the reference repository"


def reference_staff() -> str:
    """The reference repository's staff.yaml, as sample_cases holds it before its sample-only staff."""
    text = (SAMPLE_CASES / "staff.yaml").read_text(encoding="utf-8")
    return text[:text.index(SAMPLE_ONLY_STAFF)] if SAMPLE_ONLY_STAFF in text else text


def codes_of(findings, code: str) -> list:
    """The findings with ``code`` (every rule-test module asks)."""
    return [f for f in findings if f.code == code]


def only(findings, code: str):
    """The single finding with ``code``; fails with the whole list otherwise."""
    matching = codes_of(findings, code)
    assert len(matching) == 1, f"expected one {code}, got: " + "; ".join(
        f"{f.path}:{f.line}:{f.column} {f.code} {f.message}" for f in findings)
    return matching[0]


def at(finding) -> tuple[str, int, int]:
    return (finding.path, finding.line, finding.column)


def found(repo: CaseRepo, *codes: str, today: date = TODAY, paths=()) -> list[tuple]:
    """``(code, path, line, column, message)`` of each finding of ``codes``: what rule tests compare."""
    return [(f.code, f.path, f.line, f.column, f.message)
            for f in repo.check(*paths, today=today, select=codes) if f.code in codes]


def where(repo: CaseRepo, path: str, snippet: str, offset: int = 0, occurrence: int = 1) -> tuple:
    """``(path, line, column)`` of a snippet in a fixture file, the expected place of a finding."""
    return (path,) + repo.locate(path, snippet, offset, occurrence)


# Cases the lifecycle tests build, shared by every test of a rule that reads them.
ELENA, DANNY, ABDI = "members/M-000123", "members/M-000207", "members/M-000301"
ELENA_REVISION = "members/M-000123/plan-2027-01-20.yaml"
DANNY_MEMBER = "members/M-000207/member.yaml"
ABDI_MEMBER = "members/M-000301/member.yaml"


def case_of(repo, member: str) -> Case:
    folder = repo.path(member)
    return Case(folder, [Document.load(p, p.relative_to(repo.root).as_posix()) for p in sorted(folder.rglob("*.yaml"))])


def revision(repo, *, date_: str = "2027-01-20", signatures: str = "", start: str | None = None,
             end: str = "2028-01-19", contacts: str | None = None, target: str = ELENA_REVISION) -> None:
    """Elena's plan as a revision P2 dated ``date_``, with the given signatures (none: a draft)."""
    text = repo.read(ELENA_PLAN)
    text = text.replace("id: P1", "id: P2").replace("date: 2026-09-03\ntype: initial", f"date: {date_}\ntype: revision")
    text = text.replace("  date: 2026-09-03\n  place", f"  date: {date_}\n  place")
    text = text.replace("  start: 2026-09-03\n  end: 2027-09-02", f"  start: {start or date_}\n  end: {end}")
    head, _, tail = text.partition("signatures:\n")
    tail = tail[tail.index("distribution:"):]
    text = head + "signatures:\n" + (signatures or "  - {role: case_manager, name: Jordan Lee, staff: cm-jlee, "
                                     f"signed_on: {date_}, method: wet}}\n") + tail
    if contacts is not None:
        text = text.replace("    - {type: face_to_face, every: 3 months}\n    - {type: phone, every: 1 month}\n",
                            contacts)
    repo.write(target, text)


def reenroll_abdi(repo, on: str = "2026-11-02") -> None:
    repo.edit(ABDI_MEMBER, "    referral_source: Resettlement agency reception and placement team\n",
              "    referral_source: Resettlement agency reception and placement team\n"
              f"  - program: RSS-CM\n    enrolled_on: {on}\n")
    repo.edit(ABDI_MEMBER, "status: closed", "status: active")


# Staff and cases the rule tests add (tests/rules/, tests/test_exceptions_periods.py).
STAFF = "staff.yaml"
NEW_STAFF = """  - id: cm-late
    name: Sam Ortiz
    role: case_manager
    hire_date: 2026-06-01
    trainings:
      - {module: person-centered-support-planning, completed_on: 2026-07-01}
      - {module: disability-and-cultural-competency, completed_on: 2026-07-15}
      - {module: hcbs-settings-and-rights-modifications, completed_on: 2026-08-10}
  - id: cm-new
    name: Kim Tran
    role: case_manager
    hire_date: 2026-10-01
"""


def new_member(repo, enrolled: str) -> None:
    """A member enrolled on ``enrolled`` whose folder holds only member.yaml."""
    text = repo.read(ELENA_MEMBER).replace("M-000123", "M-000900").replace("enrolled_on: 2026-08-03",
                                                                            f"enrolled_on: {enrolled}")
    repo.write("members/M-000900/member.yaml", text)


def change_assessment(repo, on: str, kind: str = "change_in_condition") -> str:
    path = f"members/M-000123/assessment-{on}.yaml"
    repo.write(path, repo.read(ELENA_ASSESSMENT).replace("id: A1", "id: A2").replace("date: 2026-08-20",
               f"date: {on}").replace("type: initial", f"type: {kind}"))
    return path


# The sitecustomize.py that blocks the network in a child Python (tests/test_no_network.py, test_lsp_neovim.py).
SITECUSTOMIZE = '''
import os
import socket

_LOG = os.environ["PCPLAN_NETWORK_LOG"]


def _blocked(name):
    def refuse(*args, **kwargs):
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{name} {args[1:] if name.startswith('socket.') else args!r}\\n")
        raise OSError(101, f"network blocked by the pcplan test ({name})")
    return refuse


for _name in ("connect", "connect_ex", "sendto", "sendmsg"):
    setattr(socket.socket, _name, _blocked("socket." + _name))
for _name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr",
              "getnameinfo"):
    setattr(socket, _name, _blocked(_name))
'''


# Helpers of tests/test_render.py that other test modules use too.
runner = CliRunner()

DAY = ["--today", "2026-11-22"]

EN = ["--lang", "en"]


def run(cwd: Path, *args: str):
    """`pcplan ARGS` in ``cwd`` (stdout and stderr kept apart)."""
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    result.cwd = Path(cwd)  # what a relative path the command printed is relative to (see written)
    return result


def render_cli(cwd: Path, target: Path | str, *args: str):
    return run(cwd, "render", str(target), *DAY, *args)


def written(result) -> Path:
    """The path `pcplan render` printed on stdout (the only thing it prints there)."""
    assert result.exit_code == 0, f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    path = Path(lines[0])  # relative to where the command ran when written below it
    return path if path.is_absolute() else getattr(result, "cwd", Path.cwd()) / path


def norm(text: str) -> str:
    """Whitespace collapsed, typographic quotes and dashes made plain, soft hyphens dropped."""
    text = text.replace("\u00ad", "")
    for fancy, plain in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2011", "-")):
        text = text.replace(fancy, plain)
    return " ".join(text.split())


class _Text(HTMLParser):
    """The text a reader sees: character references decoded, <style>/<script> left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        self.parts.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return norm("".join(parser.parts))


def markdown_html(md: str) -> str:
    """The Markdown as a CommonMark renderer (raw HTML allowed) turns it into HTML."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").render(md)


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return path


def pdftotext(pdf: Path, *options: str, page: int | None = None) -> str:
    need_tool("pdftotext")
    pages = ["-f", str(page), "-l", str(page)] if page else []
    done = subprocess.run(["pdftotext", *options, *pages, str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def page_count(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return pdftotext(pdf).count("\f")


class _Words(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[tuple[int, float, float, float, float, str]] = []
        self._page = 0
        self._box: tuple[float, ...] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "page":
            self._page += 1
        elif tag == "word":
            a = dict(attrs)
            self._box = tuple(float(a[k]) for k in ("xmin", "ymin", "xmax", "ymax"))

    def handle_data(self, data):
        if self._box is not None:
            self.words.append((self._page, *self._box, data))
            self._box = None


class PdfText:
    """A PDF's text read several ways, so a phrase is found however a cell wrapped it.

    pdftotext reads table rows line by line across the columns, so a cell's text
    that wraps ("6" above "hours") is interleaved with its neighbours'. Besides the
    plain, layout and raw texts, ``has`` follows a phrase word by word through the
    words' positions: the next word to the right on the same line, or on the next
    line starting under the phrase's first word (the same table cell).
    """

    def __init__(self, pdf: Path) -> None:
        self.texts = []
        for options in ((), ("-layout",), ("-raw",)):
            raw = pdftotext(pdf, *options)
            self.texts += [norm(raw), norm(re.sub(r"-[ \t]*\n\s*", "-", raw)), norm(re.sub(r"-[ \t]*\n\s*", "", raw))]
        parser = _Words()
        parser.feed(pdftotext(pdf, "-bbox"))
        self.words = [(p, x0, y0, x1, y1, norm(t)) for p, x0, y0, x1, y1, t in parser.words]

    def __contains__(self, phrase: str) -> bool:
        phrase = norm(phrase)
        return any(phrase in text for text in self.texts)

    def has(self, phrase: str) -> bool:
        return phrase in self or self._follow(norm(phrase).split())

    def _follow(self, tokens: list[str]) -> bool:
        for first in (w for w in self.words if w[5] == tokens[0]):
            current, ok = first, True
            for token in tokens[1:]:
                current = next((w for w in self.words if w[5] == token and self._next(first, current, w)), None)
                if current is None:
                    ok = False
                    break
            if ok:
                return True
        return False

    @staticmethod
    def _next(first, current, word) -> bool:
        page, x0, y0, x1, y1, _ = current
        height = y1 - y0
        if word[0] != page:
            return False
        same_line = abs(word[2] - y0) < 0.5 * height and 0 <= word[1] - x1 < 1.5 * height
        next_line = 0.5 * height < word[2] - y0 < 2.5 * height and abs(word[1] - first[1]) < height
        return same_line or next_line


# Helpers of tests/test_due.py that other test modules use too.
def run_due(repo, *args, env=None):
    old = os.getcwd()
    os.chdir(repo.root)
    try:
        return runner.invoke(app, ["due", *args], env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


# Helpers of tests/test_render_signature.py that other test modules use too.
DANNY_DRAFT = "members/M-000207/plan-2026-11-20.yaml"

OLU = "  - {role: case_manager, name: Olu Bello, staff: cm-obello, signed_on: 2026-11-20, method: wet}\n"


def danny_draft(repo, signatures: str = OLU, date_: str = "2026-11-20", target: str = DANNY_DRAFT) -> str:
    """Danny's plan as a revision P2 dated ``date_``, no reviews or copies yet, with ``signatures``."""
    text = repo.read(DANNY_PLAN)
    text = text.replace("id: P1", "id: P2").replace("date: 2026-05-20\ntype: revision",
                                                     f"date: {date_}\ntype: revision")
    text = text.replace("  date: 2026-05-20\n  place", f"  date: {date_}\n  place")
    text = text.replace("  start: 2026-05-20\n  end: 2027-05-19", f"  start: {date_}\n  end: 2027-11-19")
    text = re.sub(r"reviews:\n(  - .*\n)+", "reviews: []\n", text)
    text = text.partition("signatures:\n")[0] + "signatures:\n" + signatures + "distribution: []\nexceptions: []\n"
    repo.write(target, text)
    return target


def unsign_elena(repo) -> None:
    """Elena's only plan as a draft: the case manager signed, nobody else; no copy given."""
    text = repo.read(ELENA_PLAN)
    head, _, tail = text.partition("signatures:\n")
    repo.write(ELENA_PLAN, head + "signatures:\n  - {role: case_manager, name: Jordan Lee, staff: cm-jlee, "
               "signed_on: 2026-09-03, method: wet}\ndistribution: []\nexceptions: []\n")


# Helpers of tests/test_privacy_everywhere.py that other test modules use too.
MARK = re.compile(r"Zq\d+")

_KEEP_CONSISTENT = re.compile(r"(\d{4}-\d{2}-\d{2}|[a-z][a-z_]*)\Z")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", ""))


def _dump(data) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 30)


@dataclass
class Planted:
    root: Path
    counts: dict[str, int] = field(default_factory=dict)
    markers: int = 0

    def new(self, what: str, words: str = "secret words") -> str:
        self.markers += 1
        self.counts[what] = self.counts.get(what, 0) + 1
        return f"Zq{self.markers} {words}"


def seed(root: Path, mode: str, tags: bool = False, plan_names: bool = False, programs: bool = False,
         staff: bool = False, folder: bool = False) -> Planted:
    """Plant markers everywhere in the repository at ``root`` (see the module's docstring).

    Five places are left out unless asked for, each by its own flag, while files other helpers own still
    repeat them (see the strict xfail tests at the end): YAML tags, the names of plan files, program names,
    staff.yaml (staff names are shown by design in `due` and `report` tables; their ids are not checked
    for an id's shape there yet) and a member folder's name (`report` names a member without an id by
    its folder)."""
    planted = Planted(root)
    same: dict[str, str] = {}

    def value(text: str) -> str:
        if mode == "consistent":
            if _KEEP_CONSISTENT.match(text):
                return text
            if text not in same:
                same[text] = planted.new("value")
            else:
                planted.counts["value (again)"] = planted.counts.get("value (again)", 0) + 1
            return same[text]
        return planted.new("value")

    def walk(node, top: bool):
        if isinstance(node, dict):
            out = {}
            for key, item in node.items():
                kept = (top and key in ("kind", "version")) or (key == "program" and not programs)
                out[key] = item if kept else walk(item, False)
            return out
        if isinstance(node, list):
            return [walk(item, False) for item in node]
        if isinstance(node, str):
            return value(node)
        return node

    def unknown_keys(node):
        """A key that is not a field name in every mapping (typed words, as a key)."""
        if isinstance(node, dict):
            for item in list(node.values()):
                unknown_keys(item)
            node[planted.new("key", "secret key")] = planted.new("value")
        elif isinstance(node, list):
            for item in node:
                unknown_keys(item)

    files = sorted(p for p in root.rglob("*.yaml"))
    for index, path in enumerate(files):
        loaded = load_file(path)
        if path.name == "staff.yaml" and not staff:
            continue
        if not loaded.ok:
            continue  # the sample's deliberately broken files stay as they are
        data = walk(loaded.data, True)
        if index % 4 == 1:
            unknown_keys(data)
        text = _dump(data)
        if tags and index % 5 == 2 and "\nkind: " in "\n" + text:
            # Tags: a local tag, a Python object tag, a verbatim tag and a %TAG directive's handle.
            text = (f"%TAG !m! tag:{planted.new('tag', 'x').split()[0]}.example,2026:\n---\n" + text
                    + f"zq_a: !{planted.new('tag').split()[0]}secret x\n"
                    + f"zq_b: !!python/object:{planted.new('tag').split()[0]}.secret {{}}\n"
                    + f"zq_c: !<tag:{planted.new('tag').split()[0]}%20secret> x\n"
                    + f"zq_d: !m!{planted.new('tag').split()[0]}secret x\n")
        path.write_text(text, encoding="utf-8")
    # File and folder names: every file but member.yaml and staff.yaml, and one member folder.
    for path in sorted(root.rglob("*.yaml"), reverse=True):
        if path.name not in ("member.yaml", "staff.yaml") and (plan_names or not path.name.startswith("plan")):
            path.rename(path.with_name(planted.new("file name", "secret name") + ".yaml"))
    if folder:
        member = root / "members" / "M-000207"
        member.rename(member.with_name(planted.new("folder name", "secret folder")))
    return planted


# Helpers of tests/test_hostile.py that other test modules use too.
AS_OF = ["--today", TODAY.isoformat()]

SEEDED = (DANNY_PLAN, "    goals: [G3]\n", "    goals: []\n")  # a known L104 in another member


def build_reference(root: Path) -> Path:
    """The clean reference repository, as the ``repo`` fixture makes it."""
    root.mkdir(parents=True)
    for name in ("pcplan.toml", "staff.yaml"):
        shutil.copy(SAMPLE_CASES / name, root / name)
    for member in CLEAN_MEMBERS:
        shutil.copytree(SAMPLE_CASES / "members" / member, root / "members" / member)
    return root


def seed_known_finding(root: Path) -> tuple[str, int, int]:
    """Danny's support SP4 serves no goal (L104): proof that the rest of the repository is still checked."""
    path, old, new = SEEDED
    text = (root / path).read_text(encoding="utf-8")
    assert text.count(old) == 1
    index = text.index(old) + len("    goals: ")
    (root / path).write_text(text.replace(old, new), encoding="utf-8")
    line = text.count("\n", 0, index) + 1
    return path, line, index - text.rfind("\n", 0, index)


def pcplan(cwd: Path, *args: str, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pcplan", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, encoding="utf-8",
                          errors="replace")


def no_traceback(process: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in process.stdout and "Traceback" not in process.stderr, process.stderr[-3000:]


# Helpers of tests/test_render_accessibility.py that other test modules use too.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

CSP_META = re.compile(r'<meta\s+http-equiv="Content-Security-Policy"[^>]*>\s*', re.IGNORECASE)


# Runs axe, then measures the smallest text (elements with text of their own, and
# the column names that stacked tables show before each cell).
RUNNER = """
<script>
(function () {
  function report(value) {
    var pre = document.createElement("pre");
    pre.id = "axe-result";
    pre.hidden = true;
    pre.textContent = JSON.stringify(value);
    document.body.appendChild(pre);
  }
  function smallestText() {
    var smallest = {px: Infinity, where: ""};
    document.querySelectorAll("body *").forEach(function (el) {
      var ownText = Array.prototype.some.call(el.childNodes, function (n) {
        return n.nodeType === 3 && n.textContent.trim();
      });
      var style = getComputedStyle(el);
      if (ownText && el.getClientRects().length && style.visibility !== "hidden" && !el.closest("thead")) {
        var px = parseFloat(style.fontSize);
        if (px < smallest.px) smallest = {px: px, where: el.tagName + "." + el.className + ": " + el.textContent.trim().slice(0, 40)};
      }
      if (el.hasAttribute("data-label")) {
        var before = getComputedStyle(el, "::before");
        if (before.content && before.content !== "none" && before.display !== "none") {
          var bpx = parseFloat(before.fontSize);
          if (bpx < smallest.px) smallest = {px: bpx, where: el.tagName + "::before " + el.getAttribute("data-label")};
        }
      }
    });
    return smallest;
  }
  axe.run(document, {runOnly: {type: "tag", values: %(tags)s}, resultTypes: ["violations"]})
    .then(function (result) {
      report({
        violations: result.violations.map(function (v) {
          return {id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map(function (n) { return {target: n.target, summary: n.failureSummary}; })};
        }),
        smallestText: smallestText()
      });
    })
    .catch(function (error) { report({error: String(error)}); });
})();
</script>
"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _axe_js() -> Path | None:
    configured = os.environ.get("PCPLAN_AXE_JS")
    if configured:
        return Path(configured) if Path(configured).is_file() else None
    candidates = [
        PROJECT / "tests" / ".node" / "node_modules" / "axe-core" / "axe.min.js",
        Path.home() / ".cache" / "pcplan" / "node_modules" / "axe-core" / "axe.min.js",
        Path("/usr/local/lib/node_modules/axe-core/axe.min.js"),
        Path("/usr/lib/node_modules/axe-core/axe.min.js"),
    ]
    return next((c for c in candidates if c.is_file()), None)


@pytest.fixture(scope="module")
def axe():
    """run(page, width) -> axe's result for the page in headless Chromium, cached per (page, width)."""
    chromium = _chromium()
    if chromium is None:
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    axe_js = _axe_js()
    if axe_js is None:
        pytest.skip("axe-core is not installed: `npm install --prefix tests/.node axe-core@4`, "
                    "or set PCPLAN_AXE_JS to an axe.min.js")
    source = axe_js.read_text(encoding="utf-8").replace("</script", "<\\/script")
    cache: dict[tuple[str, int], dict] = {}

    def run(page: str, width: int = 1200) -> dict:
        if (page, width) in cache:
            return cache[page, width]
        with tempfile.TemporaryDirectory() as work:
            test_page = CSP_META.sub("", page, count=1)
            assert "Content-Security-Policy" not in test_page
            scripts = f"<script>{source}</script>" + RUNNER % {"tags": json.dumps(AXE_TAGS)}
            test_page = test_page.replace("</body>", scripts + "</body>", 1)
            path = Path(work) / "page.html"
            path.write_text(test_page, encoding="utf-8")
            command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                       "--disable-background-networking", "--disable-component-update", "--disable-sync",
                       f"--user-data-dir={Path(work) / 'profile'}", f"--window-size={width},1600",
                       "--virtual-time-budget=10000", "--dump-dom", path.as_uri()]
            done = subprocess.run(command, capture_output=True, text=True, timeout=180)
        found = re.search(r'<pre id="axe-result"[^>]*>(.*?)</pre>', done.stdout, re.DOTALL)
        assert found, f"axe did not report (chromium exit {done.returncode}):\n{done.stderr[-2000:]}"
        result = json.loads(html.unescape(found.group(1)))
        assert "error" not in result, result["error"]
        cache[page, width] = result
        return result

    return run


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:10]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


# Consent, drafts and copies: shared by the rule tests of C, L and T.
ELENA_REVISION_CONSENT_DRAFTS_COPIES = "members/M-000123/plan-2026-11-12.yaml"
ROSA = "    authority: supporter "
NOV22 = date(2026, 11, 22)


def life(repo, member: str, today: date = NOV22):
    folder = repo.path(member)
    docs = [Document.load(p, p.relative_to(repo.root).as_posix()) for p in sorted(folder.rglob("*.yaml"))]
    return lifecycle(Case(folder, docs), today)


def elena_revision(repo, signatures: str, distribution: str = "", date_: str = "2026-11-12",
                   unmet: str = "") -> str:
    """Elena's plan as a revision P2 dated ``date_`` (meeting that day, starting then), with ``signatures``
    and ``distribution`` (each a block of list items, or nothing) and, with ``unmet``, plan-level
    `unmet_needs`."""
    text = repo.read(ELENA_PLAN)
    text = text.replace("id: P1", "id: P2").replace("date: 2026-09-03\ntype: initial", f"date: {date_}\ntype: revision")
    text = text.replace("  date: 2026-09-03\n  place", f"  date: {date_}\n  place")
    text = text.replace("  start: 2026-09-03\n  end: 2027-09-02", f"  start: {date_}\n  end: 2027-09-02")
    if unmet:
        text = text.replace("deferred_needs: []\n", f"deferred_needs: []\nunmet_needs:\n{unmet}")
    text = text.partition("signatures:\n")[0]
    text += "signatures:\n" + signatures if signatures else "signatures: []\n"
    text += "distribution:\n" + distribution if distribution else "distribution: []\n"
    repo.write(ELENA_REVISION_CONSENT_DRAFTS_COPIES, text + "exceptions: []\n")
    return ELENA_REVISION_CONSENT_DRAFTS_COPIES


def guardian_rosa(repo, authority: str = "legal_guardian", since: str = "", until: str = "") -> None:
    """Elena's sister Rosa made her legal representative in member.yaml, with the authority dates given."""
    dates = (f"\n    authority_from: {since}" if since else "") + (f"\n    authority_until: {until}" if until else "")
    repo.edit(ELENA_MEMBER, ROSA, f"    authority: {authority}{dates} ")


# A member who is only referred (episodes: judged by the schema and A607 alone), for the A and X rule tests.
REFERRED = "members/M-000950"


def referral(repo, status: str = "referred", enrolled: str = "") -> None:
    repo.write(f"{REFERRED}/member.yaml", (
        "kind: member\nversion: 1\nid: M-000950\nname:\n  legal: Sam Ortiz\n  preferred: Sam\n"
        "programs:\n  - program: HCBS-EBD\n    eligibility:\n      determined_on: 2026-11-10\n"
        f"      determined_by: cm-jlee\n{enrolled}    referral_source: Hospital discharge planner\n"
        f"status: {status}\n"))
    repo.write(f"{REFERRED}/assessment-2026-11-12.yaml", (
        "kind: assessment\nversion: 1\nid: A1\nmember: M-000950\ndate: 2026-11-12\ntype: initial\n"
        "assessor: cm-jlee\nsources: [interview]\nneeds:\n  - {id: N1, domain: housing, text: A ramp., "
        "priority: 1}\n"))
    repo.write(f"{REFERRED}/notes/2026-11-12.yaml", (
        "kind: note\nversion: 1\nmember: M-000950\ndate: 2026-11-12\nstaff: cm-jlee\ncontact: phone\n"
        "with: [Sam]\nminutes: 10\ntext: Screening call.\n"))
