"""`pcplan render` against a hostile repository (the items of ``tests/hostile/render/``).

1. Agency templates run sandboxed and confined: a template reaching for
   Python's internals is refused with one line naming its file and line (exit
   2, nothing written, no command run); `templates` in pcplan.toml may not point
   outside the repository (``--templates DIR`` may); a link out of the folder, or
   a pipe, is refused. Ordinary agency templates still work.
2. Rendering never fetches: a PDF of a logo that refers to the network or to
   files outside the repository connects to nothing and reads nothing outside;
   the logo is a regular file inside the repository, at most 2 MB; the HTML
   refers to nothing outside itself.
3. Codes are escaped too: a draft with a payload in every code, enum, id and date
   field shows each as text in HTML, PDF and Markdown.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import socket
import subprocess
import sys
import typing
from dataclasses import fields, is_dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import PROJECT, TODAY, CaseRepo, run, slow_except
from pcplan.render import RenderRequest, render

CORPUS = PROJECT / "tests" / "hostile" / "render"
DANNY = "members/M-000207"
AGENCY_LINE = 'agency = "Riverside Case Management Agency"\n'
DAY = ["--today", TODAY.isoformat()]
EN = ["--lang", "en"]
RAN = "pcplan-template-ran"  # what the corpus's shell payloads would create
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")

runner = CliRunner()


# --------------------------------------------------------------------------- helpers

def pcplan(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real command line in its own process (for what could hang: a pipe is opened for reading)."""
    return subprocess.run([sys.executable, "-m", "pcplan", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, encoding="utf-8", errors="replace")


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("pcplan: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def set_config(repo: CaseRepo, line: str) -> None:
    repo.edit("pcplan.toml", AGENCY_LINE, AGENCY_LINE + line + "\n")


@pytest.fixture
def out(tmp_path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the repository (tmp_path/cases), holding what must never reach a plan."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="360" height="40"><g id="marker">'
        '<text x="0" y="30" font-size="24">OUTSIDESECRETQ7</text></g></svg>\n', encoding="utf-8")
    (folder / "secret.txt").write_text("OUTSIDESECRETQ7\n", encoding="utf-8")
    return folder


def template_items() -> list[Path]:
    return sorted(CORPUS.glob("template-*.j2"))


def target_name(item: Path) -> str:
    """The plan template a corpus item replaces: plan.html.j2 or plan.md.j2."""
    return "plan.md.j2" if item.name.endswith(".md.j2") else "plan.html.j2"


def pdf_text(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        return ""
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8", "replace")


# --------------------------------------------------------------------------- 1. sandboxed, confined templates

def test_the_corpus_has_its_items():
    assert len(template_items()) >= 7
    assert {p.name for p in CORPUS.glob("logo-*.svg")} == {"logo-remote.svg", "logo-local-file.svg",
                                                          "logo-external-entity.svg"}
    assert (CORPUS / "draft-codes.yaml").is_file()


# Each hostile template is marked slow but the first: every one goes through the same sandbox.
@pytest.mark.parametrize("item", slow_except([pytest.param(p, id=p.name) for p in template_items()],
                                             template_items()[0].name))
def test_a_template_reaching_python_internals_is_refused(repo, out, item):
    name = target_name(item)
    (repo.root / "agency-templates").mkdir()
    shutil.copy(item, repo.root / "agency-templates" / name)
    set_config(repo, 'templates = "agency-templates"')
    fmt = "md" if name == "plan.md.j2" else "html"
    result = run(repo.root, "render", DANNY, *DAY, *EN, "-f", fmt, "--output", str(out))
    assert result.exit_code == 2, result.stdout + result.stderr
    line = one_error_line(result.stderr)
    assert re.match(rf"pcplan: agency-templates/{re.escape(name)}:\d+: refused by pcplan's template sandbox, which "
                    r"lets no template reach Python's internals or change data \(access to attribute '\w+' of "
                    r"'\w+' object is unsafe\.\)$", line), line
    assert result.stdout == ""
    assert list(out.iterdir()) == []
    assert not list(repo.root.parent.rglob(RAN)) and not Path(RAN).exists(), "a template ran a command"
    # the rest still works: the other format, from pcplan's own template, prints the plan
    other = "html" if fmt == "md" else "md"
    again = run(repo.root, "render", DANNY, *DAY, *EN, "-f", other, "--output", str(out))
    assert again.exit_code == 0, again.stderr
    assert "Danny" in Path(again.stdout.strip()).read_text(encoding="utf-8")


@pytest.mark.parametrize("item", [p for p in template_items() if p.name.endswith(".html.j2")], ids=lambda p: p.name)
def test_the_caseload_report_uses_the_same_sandbox(repo, item):
    """`pcplan report -f html` reads the agency's templates too: the same sandbox, the same one-line refusal."""
    (repo.root / "agency-templates").mkdir()
    shutil.copy(item, repo.root / "agency-templates" / "report.html.j2")
    set_config(repo, 'templates = "agency-templates"')
    for output in ([], ["-o", "report.html"]):
        result = run(repo.root, "report", *DAY, "-f", "html", *output)
        assert result.exit_code == 2, result.stdout + result.stderr
        assert result.stdout == ""
        line = one_error_line(result.stderr)
        assert re.match(r"pcplan: agency-templates/report\.html\.j2:\d+: refused by pcplan's template sandbox", line), line
        assert not (repo.root / "report.html").exists()
    assert not (repo.root / RAN).exists()


def test_the_caseload_report_refuses_templates_outside_the_repository(repo, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "report.html.j2").write_text("<p>from elsewhere</p>\n", encoding="utf-8")
    set_config(repo, 'templates = "../elsewhere"')
    result = run(repo.root, "report", *DAY, "-f", "html")
    assert result.exit_code == 2 and result.stdout == ""
    assert one_error_line(result.stderr) == (
        "pcplan: pcplan.toml: `templates` (../elsewhere) is outside the repository; keep the agency's templates "
        "in a folder inside it, or name a folder with --templates DIR")
    # the configuration is wrong whatever the format: the table is refused too, rather than quietly ignoring it
    assert run(repo.root, "report", *DAY).exit_code == 2


ORDINARY_MD = """{% import "vocabulary.j2" as vocab with context %}
# {{ _("%(name)s's plan", name=plan.preferred_name) }} ({{ plan.agency }})
{% for goal in plan.goals %}
- {{ loop.index }}. {{ goal.own_words }}: {{ vocab.goal_status(goal.status) }}, {{ goal.supports|length }} supports
{% endfor %}
{{ plan.goals|map(attribute="id")|join(",") }} {{ "%s/%s"|format(plan.member_id, plan.plan_id) }} {{ today|long_date }}
{% set kinds = {"a": 1} %}{{ kinds.get("a") }} {{ plan.strengths|sort|first }}
"""


def test_ordinary_agency_templates_still_work(repo, out):
    repo.write("agency-templates/plan.md.j2", ORDINARY_MD)
    repo.write("agency-templates/plan.css", ".agency-marker-7c1f { color: #123456; }\n")
    set_config(repo, 'templates = "agency-templates"')
    md = run(repo.root, "render", DANNY, *DAY, *EN, "-f", "md", "--output", str(out))
    assert md.exit_code == 0, md.stderr
    text = Path(md.stdout.strip()).read_text(encoding="utf-8")
    assert text.startswith("# Danny's plan (Riverside Case Management Agency)\n")
    assert "- 1. I want to be healthy and lose the weight I gained.: Working on it, 1 supports" in text
    assert "G1,G2,G3 M-000207/P1 November 22, 2026" in text
    assert "\n1 " in text
    html = run(repo.root, "render", DANNY, *DAY, *EN, "--output", str(out))
    assert html.exit_code == 0, html.stderr
    assert ".agency-marker-7c1f { color: #123456; }" in Path(html.stdout.strip()).read_text(encoding="utf-8")


def test_templates_outside_the_repository_are_refused_from_pcplan_toml(repo, out, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "plan.md.j2").write_text("# An ordinary template from elsewhere\n", encoding="utf-8")
    set_config(repo, 'templates = "../elsewhere"')
    result = run(repo.root, "render", DANNY, *DAY, *EN, "-f", "md", "--output", str(out))
    assert result.exit_code == 2, result.stdout
    assert one_error_line(result.stderr) == (
        "pcplan: pcplan.toml: `templates` (../elsewhere) is outside the repository; keep the agency's templates "
        "in a folder inside it, or name a folder with --templates DIR")
    assert list(out.iterdir()) == []
    # named on the command line, the same folder is the user's own choice
    named = run(repo.root, "render", DANNY, *DAY, *EN, "-f", "md", "--output", str(out),
                "--templates", str(tmp_path / "elsewhere"))
    assert named.exit_code == 0, named.stderr
    assert Path(named.stdout.strip()).read_text(encoding="utf-8") == "# An ordinary template from elsewhere\n"


def test_an_absolute_templates_path_and_a_linked_folder_are_outside_too(repo, out, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "plan.md.j2").write_text("# elsewhere\n", encoding="utf-8")
    (repo.root / "agency-templates").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    for setting in (str(tmp_path / "elsewhere"), "agency-templates"):
        repo.write("pcplan.toml", f'templates = "{setting}"\n')
        result = run(repo.root, "render", DANNY, *DAY, *EN, "-f", "md", "--output", str(out))
        assert result.exit_code == 2, (setting, result.stdout)
        assert "`templates`" in one_error_line(result.stderr) and "outside the repository" in result.stderr
    assert list(out.iterdir()) == []


def test_templates_named_on_the_command_line_are_sandboxed_too(repo, out, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(CORPUS / "template-cycler-popen.md.j2", elsewhere / "plan.md.j2")
    result = run(repo.root, "render", DANNY, *DAY, *EN, "-f", "md", "--output", str(out),
                 "--templates", str(elsewhere))
    assert result.exit_code == 2
    assert re.match(r"pcplan: \S*elsewhere/plan\.md\.j2:2: refused by pcplan's template sandbox",
                    one_error_line(result.stderr))
    assert not list(tmp_path.rglob(RAN)) and not Path(RAN).exists()
    missing = run(repo.root, "render", DANNY, *DAY, "--templates", str(tmp_path / "nope"), "--output", str(out))
    assert missing.exit_code == 2
    assert one_error_line(missing.stderr) == f"pcplan: --templates {tmp_path / 'nope'}: no such folder"


def test_a_template_linked_from_outside_the_folder_is_refused(repo, out, outside):
    (outside / "plan.md.j2").write_text("OUTSIDESECRETQ7 {{ plan.preferred_name }}\n", encoding="utf-8")
    (repo.root / "agency-templates").mkdir()
    (repo.root / "agency-templates" / "plan.md.j2").symlink_to(outside / "plan.md.j2")
    set_config(repo, 'templates = "agency-templates"')
    result = run(repo.root, "render", DANNY, *DAY, *EN, "-f", "md", "--output", str(out))
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == (
        "pcplan: agency-templates/plan.md.j2: a link to a file outside its templates folder; pcplan reads "
        "templates only from inside the folder")
    assert list(out.iterdir()) == []


def test_a_catalogue_linked_from_outside_is_not_read(repo, out, outside):
    po = outside / "pcplan.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "My goals"\nmsgstr "OUTSIDESECRETQ7"\n', encoding="utf-8")
    folder = repo.root / "agency-templates" / "locale" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "pcplan.po").symlink_to(po)
    set_config(repo, 'templates = "agency-templates"')
    result = run(repo.root, "render", DANNY, *DAY, "--lang", "fr", "-f", "md", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert "OUTSIDESECRETQ7" not in (result.cwd / result.stdout.strip()).read_text(encoding="utf-8")
    assert "no translation for `fr`" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_pipe_as_a_template_is_refused_without_hanging(repo, out):
    (repo.root / "agency-templates").mkdir()
    os.mkfifo(repo.root / "agency-templates" / "plan.md.j2")
    set_config(repo, 'templates = "agency-templates"')
    process = pcplan(repo.root, "render", DANNY, *DAY, *EN, "-f", "md", "--output", str(out))
    assert process.returncode == 2, process.stderr
    assert one_error_line(process.stderr) == (
        "pcplan: agency-templates/plan.md.j2: not a regular file (a pipe, a device or a folder)")
    assert list(out.iterdir()) == []


# --------------------------------------------------------------------------- 2. rendering never fetches

class NetworkAndFiles:
    """Every connection, name lookup and file opened while it is recording."""

    def __init__(self) -> None:
        self.connections: list[str] = []
        self.opened: list[str] = []
        self.recording = False

    def audit(self, event: str, args: tuple) -> None:
        if not self.recording:
            return
        if event.startswith("socket.") and event != "socket.__new__":
            self.connections.append(f"{event} {args[1:]!r}")
        elif event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            self.opened.append(os.fsdecode(args[0]))


SPY = NetworkAndFiles()
sys.addaudithook(SPY.audit)  # audit hooks cannot be removed: this one records only while a test asks it to


@pytest.fixture
def spy(monkeypatch):
    """Record (and make fail at once) any attempt to reach the network, and any file opened."""
    SPY.connections.clear()
    SPY.opened.clear()

    def refuse(name):
        def refused(*args, **kwargs):
            SPY.connections.append(f"{name} {args[1:] if name.startswith('socket.socket') else args!r}")
            raise OSError(101, f"network blocked by the test ({name})")
        return refused

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.socket.{name}"))
    for name in ("create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, refuse(f"socket.{name}"))
    # The audit hook sees this process only: the page is made here, not in render's bounded child process.
    monkeypatch.setattr("pcplan.render.bounds.can_isolate", lambda: False)
    SPY.recording = True
    yield SPY
    SPY.recording = False


def install_logo(repo: CaseRepo, item: str, outside: Path) -> Path:
    svg = (CORPUS / item).read_text(encoding="utf-8").replace("file://OUTSIDE/", outside.as_uri() + "/")
    path = repo.write("branding/logo.svg", svg)
    set_config(repo, 'logo = "branding/logo.svg"')
    return path


@pytest.mark.parametrize("item", slow_except(["logo-remote.svg", "logo-local-file.svg", "logo-external-entity.svg"],
                                             "logo-remote.svg"))
def test_a_pdf_with_a_hostile_logo_connects_to_nothing_and_reads_nothing_outside(repo, out, outside, spy,
                                                                                 item):
    install_logo(repo, item, outside)
    rendered = render(RenderRequest(target=repo.path(DANNY), fmt="pdf", output=out, lang="en", today=TODAY),
                      cwd=repo.root)
    spy.recording = False
    pdf = rendered.path.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert spy.connections == [], "rendering tried to reach the network"
    read_outside = [p for p in spy.opened if p.startswith((str(outside), "/etc/passwd"))]
    assert read_outside == [], "rendering opened a file outside the repository"
    text = pdf_text(rendered.path)
    for marker in (b"OUTSIDESECRETQ7", b"root:"):
        assert marker not in pdf
        assert marker.decode() not in text
    if text:
        assert "Danny" in text
        if item != "logo-external-entity.svg":  # an SVG with an external entity is not drawn at all
            assert "LOGOTEXT-RIVERSIDE" in text  # the logo itself is printed, without what it refers to
    if item == "logo-remote.svg":  # the fetcher was asked, and refused, and the render says so
        notice = " ".join(rendered.notices)
        assert "the PDF leaves out what the logo or a template refers to outside the plan" in notice
        assert "http://192.0.2.1/pixel.png" in notice and "https://example.org/pixel.png" in notice
    if item == "logo-local-file.svg":
        notice = " ".join(rendered.notices)
        assert "file:///etc/passwd" in notice and (outside / "secret.svg").as_uri() in notice


def test_the_pdf_fetcher_refuses_everything_but_data_uris():
    from pcplan.render.fetching import LocalOnlyFetcher, RefusedURL

    fetcher = LocalOnlyFetcher()
    assert fetcher.resolve("data:image/png;base64," + base64.b64encode(PNG_1X1).decode()) == (PNG_1X1, "image/png")
    for url in ("http://192.0.2.1/x.png", "https://example.org/", "file:///etc/passwd", "ftp://example.org/x",
                "FILE:///etc/passwd", "//example.org/x", "logo.png", "javascript:alert(1)"):
        with pytest.raises(RefusedURL):
            fetcher.resolve(url)
    assert fetcher.refused[:3] == ["http://192.0.2.1/x.png", "https://example.org/", "file:///etc/passwd"]


def test_the_html_refers_to_nothing_outside_itself(repo, out, outside):
    install_logo(repo, "logo-remote.svg", outside)
    result = run(repo.root, "render", DANNY, *DAY, *EN, "--output", str(out))
    assert result.exit_code == 0, result.stderr
    html = (result.cwd / result.stdout.strip()).read_text(encoding="utf-8")
    tags = Tags.of(html)
    references = [(tag, name, value) for tag, attrs in tags for name, value in attrs
                  if name in ("src", "href", "srcset", "poster", "data", "action", "formaction", "background")]
    assert references and all(value.startswith("data:") or value.startswith("#") for _, _, value in references)
    assert not [tag for tag, _ in tags if tag in ("link", "script", "iframe", "object", "embed", "base")]
    assert not re.search(r"@import|url\(\s*['\"]?(?!data:)", html)
    csp = [dict(attrs).get("content") for tag, attrs in tags
           if tag == "meta" and dict(attrs).get("http-equiv") == "Content-Security-Policy"]
    assert csp == ["default-src 'none'; style-src 'unsafe-inline'; img-src data:"]  # a browser fetches nothing


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_pipe_as_the_logo_is_refused_without_hanging(repo, out):
    (repo.root / "branding").mkdir()
    os.mkfifo(repo.root / "branding" / "logo.png")
    set_config(repo, 'logo = "branding/logo.png"')
    process = pcplan(repo.root, "render", DANNY, *DAY, *EN, "-f", "pdf", "--output", str(out))
    assert process.returncode == 2, process.stderr
    assert one_error_line(process.stderr) == "pcplan: pcplan.toml: `logo` (branding/logo.png) is not a regular file"
    assert list(out.iterdir()) == []


def test_a_logo_over_2_mb_is_refused(repo, out):
    repo.write("branding/logo.png", "")
    (repo.root / "branding" / "logo.png").write_bytes(PNG_1X1 + b"\0" * (2 * 1024 * 1024))
    set_config(repo, 'logo = "branding/logo.png"')
    result = run(repo.root, "render", DANNY, *DAY, *EN, "--output", str(out))
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == (
        f"pcplan: pcplan.toml: `logo` (branding/logo.png) is {len(PNG_1X1) + 2 * 1024 * 1024:,} bytes, over the "
        "2,097,152-byte limit for a logo")
    assert list(out.iterdir()) == []
    (repo.root / "branding" / "logo.png").write_bytes(PNG_1X1)  # a logo of a sensible size prints
    assert run(repo.root, "render", DANNY, *DAY, *EN, "--output", str(out)).exit_code == 0


def test_a_logo_outside_the_repository_is_refused(repo, out, outside):
    (outside / "logo.png").write_bytes(PNG_1X1)
    for setting in ("../outside/logo.png", str(outside / "logo.png"), "branding/logo.png"):
        if setting == "branding/logo.png":  # a link in the repository to a file outside it
            (repo.root / "branding").mkdir()
            (repo.root / "branding" / "logo.png").symlink_to(outside / "logo.png")
        repo.write("pcplan.toml", f'logo = "{setting}"\n')
        result = run(repo.root, "render", DANNY, *DAY, *EN, "--output", str(out))
        assert result.exit_code == 2, setting
        assert one_error_line(result.stderr) == (
            f"pcplan: pcplan.toml: `logo` ({setting}) is outside the repository; keep the logo in the repository")
    assert list(out.iterdir()) == []


# --------------------------------------------------------------------------- 3. codes are escaped too

PAYLOADS = ("<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "<javascript:alert(1)>",
            '"><svg onload=alert(1)>')


@pytest.fixture
def codes(repo) -> CaseRepo:
    """Danny with a draft whose every code, enum, id and date is a payload (tests/hostile/render/draft-codes.yaml),
    and payloads in the codes of his member record and assessment that the plan shows."""
    shutil.copy(CORPUS / "draft-codes.yaml", repo.path(f"{DANNY}/plan-2026-11-20.yaml"))
    repo.edit(f"{DANNY}/member.yaml", "  preferred: en\n", "  preferred: '<img src=x onerror=alert(1)>'\n")
    text = repo.read(f"{DANNY}/member.yaml")
    repo.write(f"{DANNY}/member.yaml", re.sub(r"(?m)^document_format: .*$",
                                              "document_format: '[x](javascript:alert(1))'", text)
               if "document_format:" in text else text + "document_format: '[x](javascript:alert(1))'\n")
    assessment = next(repo.path(DANNY).glob("assessment-*.yaml")).relative_to(repo.root).as_posix()
    text = repo.read(assessment)
    assert re.search(r"(?m)^(\s+)level: \w+$", text)
    repo.write(assessment, re.sub(r"(?m)^(\s+)level: \w+$", r"\1level: '<img src=x onerror=alert(1)>'", text))
    return repo


class Tags(HTMLParser):
    """Every start tag of a document, with its attributes, as a browser parses them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, [(name, value or "") for name, value in attrs]))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)

    @classmethod
    def of(cls, html: str) -> list[tuple[str, list[tuple[str, str]]]]:
        parser = cls()
        parser.feed(html)
        parser.close()
        return parser.tags


def assert_no_live_payload(html: str) -> None:
    """No payload became an element, an event handler or a javascript: link."""
    tags = Tags.of(html)
    assert not [tag for tag, _ in tags if tag in ("img", "svg", "script", "a", "iframe")], \
        [tag for tag, _ in tags if tag in ("img", "svg", "script", "a", "iframe")]
    assert not [(tag, name) for tag, attrs in tags for name, _ in attrs if name.startswith("on")]
    assert not [(tag, value) for tag, attrs in tags for _, value in attrs if "javascript:" in value.lower()]


def draft(repo: CaseRepo, out: Path, fmt: str):
    result = run(repo.root, "render", f"{DANNY}/plan-2026-11-20.yaml", "--draft", *DAY, "-f", fmt,
                 "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return (result.cwd / result.stdout.strip())


def test_html_shows_every_code_as_text(codes, out):
    html = draft(codes, out, "html").read_text(encoding="utf-8")
    assert_no_live_payload(html)
    parser = Tags()
    parser.feed(html)
    text = "".join(parser.text)
    for payload in PAYLOADS:
        assert payload in text, payload  # shown, as written
    assert text.count("<img src=x onerror=alert(1)>") >= 8
    assert 'id="goal-&#34;&gt;&lt;svg onload=alert(1)&gt;"' in html  # a code inside an attribute stays inside


def test_pdf_shows_every_code_as_text(codes, out):
    pdf = draft(codes, out, "pdf")
    text = " ".join(pdf_text(pdf).split())
    assert b"/JavaScript" not in pdf.read_bytes() and b"javascript:" not in pdf.read_bytes()
    if not text:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    assert "<img src=x onerror=alert(1)>" in text
    assert "[x](javascript:alert(1))" in text


def test_markdown_shows_every_code_as_text(codes, out):
    from markdown_it import MarkdownIt

    md = draft(codes, out, "md").read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<(img|svg|javascript|script)", md), "raw HTML or an autolink in the Markdown"
    assert not re.search(r"(?<!\\)\]\(javascript:", md), "a live javascript: link in the Markdown"
    as_html = MarkdownIt("commonmark").render(md)  # raw HTML allowed, as most Markdown renderers do
    assert_no_live_payload(as_html)
    parser = Tags()
    parser.feed(as_html)
    text = "".join(parser.text)
    for payload in PAYLOADS:
        assert payload in text, payload  # shown, as written


def test_plain_codes_still_read_as_the_vocabulary_says_them(repo, out):
    md = run(repo.root, "render", DANNY, *DAY, *EN, "-f", "md", "--output", str(out))
    text = Path(md.stdout.strip()).read_text(encoding="utf-8")
    assert "Kind of plan: Updated plan" in text and "every week" in text and "Working on it" in text
    assert "(Your representative)" in text


def _sample(hint, payload: str):
    """A value of type ``hint`` in which every string is ``payload``."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is str or hint is typing.Any:
        return payload
    if hint in (int, float):
        return 1
    if hint is bool:
        return False
    if hint is date:
        return TODAY
    if is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        return hint(**{f.name: _sample(hints[f.name], payload) for f in fields(hint)})
    if origin is list:
        return [_sample(args[0], payload)]
    if origin is tuple:
        return tuple(_sample(arg, payload) for arg in args)
    if type(None) in args:  # X | None
        return _sample(next(arg for arg in args if arg is not type(None)), payload)
    raise AssertionError(f"a view field of a type this test does not know: {hint}")


def _strings(value, path="plan"):
    if isinstance(value, str):
        yield path, value
    elif is_dataclass(value):
        for f in fields(value):
            yield from _strings(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_field_of_the_view_goes_through_the_markdown_escaper(payload):
    """Whatever the view holds, codes included, the Markdown templates get it escaped: a field added to the
    view later is covered without anyone remembering to."""
    from pcplan.render.templating import escaped_for_markdown
    from pcplan.render.view import PlanView

    view = _sample(PlanView, payload)
    raw = dict(_strings(view))
    assert len(raw) > 60
    escaped = dict(_strings(escaped_for_markdown(view)))
    assert escaped.keys() == raw.keys()
    live = {path: value for path, value in escaped.items() if re.search(r"(?<!\\)(?:<[A-Za-z/!?]|\][(\[:]|`)", value)}
    assert live == {}, f"not escaped for Markdown: {sorted(live)}"
