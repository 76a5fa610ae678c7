"""An agency template cannot hold a render (or a CI job) forever, take the machine's memory, or crash WeasyPrint
(issue 27, item 21; docs/security.md, "Templates and rendering").

Each attack is an agency's `templates` folder, named in pcplan.toml as an attacker with commit access would,
rendered through the real command line in its own process with a bounded wait: if a bound broke, the test
fails at its timeout instead of hanging. Each ends in one `pcplan:` line naming the template (and line), exit
2, nothing written, no traceback. Where a bound is a time or a memory size, the test lowers it (pcplan's own
defaults are a minute and a gigabyte) so that it is reached in seconds.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TODAY, CaseRepo, slow_except

DANNY = "members/M-000207"
AGENCY_LINE = 'agency = "Riverside Case Management Agency"\n'
WAIT = 180  # seconds: far more than any of these takes, far less than an unbounded render would


def pcplan(cwd: Path, *args: str, bounds: dict | None = None, isolate: bool = True,
           timeout: float = WAIT) -> subprocess.CompletedProcess:
    """`pcplan ARGS` in a fresh Python, with some of pcplan.render.bounds' limits set first."""
    script = ["import sys", "from pcplan.render import bounds"]
    script += [f"bounds.{name} = {value!r}" for name, value in (bounds or {}).items()]
    if not isolate:  # as on a system without fork: the sandbox's own bounds alone
        script.append("bounds.can_isolate = lambda: False")
    script += ["from pcplan.cli import main", "sys.argv = ['pcplan', *sys.argv[1:]]", "main()"]
    return subprocess.run([sys.executable, "-c", "\n".join(script), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, encoding="utf-8", errors="replace")


def agency(repo: CaseRepo, name: str, text: str) -> None:
    """An agency template (pcplan.toml's `templates = "agency"`), replacing pcplan's own of that name."""
    repo.write(f"agency/{name}", text)
    if 'templates = "agency"' not in repo.read("pcplan.toml"):
        repo.edit("pcplan.toml", AGENCY_LINE, AGENCY_LINE + 'templates = "agency"\n')


def render(repo: CaseRepo, out: Path, fmt: str = "html", **options) -> subprocess.CompletedProcess:
    return pcplan(repo.root, "render", DANNY, "--today", TODAY.isoformat(), "--lang", "en", "-f", fmt,
                  "--output", str(out), **options)


def one_line(process: subprocess.CompletedProcess) -> str:
    assert process.returncode == 2, process.stdout + process.stderr
    assert "Traceback" not in process.stderr, process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pcplan: "), process.stderr
    assert process.stdout == ""
    return lines[0]


@pytest.fixture
def out(tmp_path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


STOPPED = "pcplan: agency/plan.html.j2:1: stopped by pcplan's template bounds: "

# (template, what the one line says after STOPPED): each refused before it is computed.
ATTACKS = {
    "a huge power": ("<p>{{ 9 ** 99999999 }}</p>",
                     "`**` would make a number of about 316,992,497 bits (95,424,250 digits), over the 65,536 bits "
                     "a page may compute"),
    "a power of a power": ("<p>{{ (2 ** 60000) * (2 ** 60000) }}</p>",
                           "`*` would make a number of about 120,002 bits (36,125 digits), over the 65,536 bits a "
                           "page may compute"),
    "a 3 GB string": ('<p>{{ "x" * 3000000000 }}</p>',
                      "`*` would make a text of 3,000,000,000 characters, over the 16,777,216 a page may hold"),
    "a 3 GB string, the other way round": ('<p>{{ (3000000000 * "x")|length }}</p>',
                                           "`*` would make a text of 3,000,000,000 characters"),
    "a huge list": ("<p>{{ ([0] * 3000000000)|length }}</p>",
                    "`*` would make a list of 3,000,000,000 items, over the 1,000,000 a page may hold"),
    "doubling with +": ('{% set s = "x" * 10000000 %}<p>{{ (s + s)|length }}</p>',
                        "`+` would make a text of 20,000,000 characters"),
    "doubling with ~ in a loop": (
        '{% set ns = namespace(s="x") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}'
        "<p>{{ ns.s|length }}</p>", "`~` would make a text of more than 16,777,216 characters"),
    "doubling through a recursive macro": (
        '{% macro grow(s, n) %}{{ grow(s ~ s, n - 1) if n else s|length }}{% endmacro %}<p>{{ grow("x", 64) }}</p>',
        "`~` would make a text of more than 16,777,216 characters"),
    "nested range loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "the template's loops ran more than 10,000,000 times in one render, far more than any plan or report "
        "needs; look for loops inside loops"),
    "nested loops over a long text": (
        '{% set s = "x" * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}',
        "the template's loops ran more than 10,000,000 times in one render"),
    "a loop writing a flood": (
        '{% for i in range(100000) %}{% for j in range(100) %}{{ "x" * 100 }}{% endfor %}{% endfor %}',
        "the template wrote more than 16,777,216 characters, far more than any plan or report needs"),
    "a huge range": ("{% for i in range(1000000000) %}{% endfor %}",
                     "`range` of 1,000,000,000 numbers, over the 100,000 a template may loop over"),
    "|center": ('<p>{{ "x"|center(3000000000) }}</p>', "`|center` asks for 3,000,000,000, over the 1,000,000 a "
                                                        "page may use"),
    ".center()": ('<p>{{ "x".center(3000000000) }}</p>', "`center` asks for 3,000,000,000"),
    ".zfill()": ('<p>{{ "1".zfill(3000000000) }}</p>', "`zfill` asks for 3,000,000,000"),
    "|indent with a long text": ('{% set s = "\\n" * 100000 %}<p>{{ s|indent("x" * 100000, true, true)|length }}</p>',
                                 "`|indent` would make a text of 10,000,"),
    "|batch": ("<p>{{ [1]|batch(3000000000, 0)|list|length }}</p>", "`|batch` asks for 3,000,000,000"),
    "|slice": ("<p>{{ [1]|slice(3000000000)|list|length }}</p>", "`|slice` asks for 3,000,000,000"),
    "|replace": ('<p>{{ ("x" * 100000)|replace("x", "y" * 100000)|length }}</p>',
                 "`|replace` would make a text of"),
    ".replace()": ('<p>{{ ("x" * 100000).replace("", "y" * 1000)|length }}</p>', "`replace` would make a text of"),
    ".join()": ('<p>{{ ("x" * 100000).join(["a"] * 100000)|length }}</p>',
                "`join` would make a text of 10,000,000,000 characters"),
    "|join": ('<p>{{ (["a"] * 100000)|join("x" * 100000)|length }}</p>', "`|join` would make a text of"),
    "|format": ('<p>{{ "%999999999d"|format(1) }}</p>', "a `%` format asks for a width of 999,999,999"),
    "% with a * width": ('<p>{{ "%*d" % (999999999, 1) }}</p>', "a `%` format's `*` width asks for 999,999,999"),
    "str.format": ('<p>{{ "{:>999999999}".format(1) }}</p>', "a format field asks for a width of 999,999,999"),
    "str.format with a nested width": ('<p>{{ "{:>{}}".format(1, 999999999) }}</p>',
                                       "a format field's width asks for 999,999,999"),
    ".expandtabs()": ('<p>{{ ("\t" * 100000).expandtabs(100000)|length }}</p>', "`expandtabs` would make a text of"),
}


# Each attack is its own render in its own process: the quick run keeps one stopped at its line and the one stopped
# as it is written; every attack is marked slow.
@pytest.mark.parametrize("attack", slow_except(sorted(ATTACKS), "a huge power", "a loop writing a flood"))
def test_a_template_past_a_bound_is_stopped_at_its_line(repo, out, attack):
    template, said = ATTACKS[attack]
    agency(repo, "plan.html.j2", template + "\n")
    line = one_line(render(repo, out))
    if attack == "a loop writing a flood":  # counted as it is written: the template, not a line of it
        assert line.startswith(STOPPED.replace(":1:", ":") + said), line
    else:
        assert line.startswith(STOPPED + said), line
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("attack", slow_except(["a huge power", "a 3 GB string", "nested range loops",
                                                "doubling with ~ in a loop", "|format"], "nested range loops"))
def test_without_a_child_process_the_sandbox_still_stops_each(repo, out, attack):
    """As on a system without fork (Windows): the sandbox's bounds alone, in the process itself."""
    template, said = ATTACKS[attack]
    agency(repo, "plan.html.j2", template + "\n")
    assert one_line(render(repo, out, isolate=False)).startswith(STOPPED + said)
    assert list(out.iterdir()) == []


EXPONENTIAL = "{% macro twice(n) %}{% if n %}{{ twice(n - 1) }}{{ twice(n - 1) }}{% endif %}{% endmacro %}" \
              "{{ twice(60) }}\n"


# The 2-second bound as it is said. In the child process its CPU limit (counted from the fork) may come first, on a
# busy machine most often: the same bound said as CPU time, at the template's line when the signal lands inside
# it, for "a template" when it lands between its parts, or for the page as a whole.
BOUND_2S = (r"pcplan: (?:agency/{template}\.html\.j2(?::1)?|a template): (?:stopped by pcplan's template bounds: )?"
            r"making the page took (?:longer than 2 seconds|more than 2 seconds of CPU time)")


@pytest.mark.parametrize("isolate", slow_except([True, False], False))
def test_a_template_that_runs_too_long_is_stopped_by_the_clock(repo, out, isolate):
    """2**60 macro calls, no loop and no output: only the clock can stop it."""
    agency(repo, "plan.html.j2", EXPONENTIAL)
    line = one_line(render(repo, out, bounds={"RENDER_SECONDS": 2}, isolate=isolate))
    clock = re.escape(STOPPED) + "making the page took longer than 2 seconds"
    assert re.match(BOUND_2S.format(template="plan") if isolate else clock, line), line
    assert list(out.iterdir()) == []


def test_a_template_that_takes_too_much_memory_is_stopped(repo, out):
    """16 million one-item lists: no operator sees it coming; the child's memory limit stops it."""
    agency(repo, "plan.html.j2", '<p>{{ ("x" * 16000000)|batch(1)|list|length }}</p>\n')
    line = one_line(render(repo, out, bounds={"MEMORY_BYTES": 256 * 1024 * 1024}))
    assert line == STOPPED + "making the page needed more than 256 MB of memory, far more than any plan or report needs"
    assert list(out.iterdir()) == []


def test_a_pdf_too_long_to_lay_out_is_stopped_by_the_cpu_limit(repo, out):
    """A million paragraphs: the template is quick, WeasyPrint's layout would take hours."""
    agency(repo, "plan.html.j2", "<html><body>{% for j in range(10) %}{% for i in range(100000) %}<p>x</p>"
                                 "{% endfor %}{% endfor %}</body></html>\n")
    line = one_line(render(repo, out, "pdf", bounds={"RENDER_SECONDS": 3}))
    assert re.fullmatch(r"pcplan: agency/plan\.html\.j2: making the page (took more than 3 seconds of CPU time, far "
                        r"longer than any plan or report needs; look for loops inside loops|went past pcplan's "
                        r"bounds \(3 seconds of CPU time, [\d,]+ MB of memory\) and was stopped)", line), line
    assert list(out.iterdir()) == []


def test_a_child_that_never_answers_is_killed_on_the_clock(tmp_path):
    """Sleeping takes no CPU time: the parent's clock (twice the CPU bound, and ten seconds) ends it."""
    script = ("import time\nfrom pcplan.render import bounds\nbounds.RENDER_SECONDS = 1\n"
              "try:\n    bounds.isolated(lambda: time.sleep(600))\nexcept bounds.Stopped as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=WAIT)
    assert done.stdout.strip() == "making the page took longer than 12 seconds and was stopped", done.stderr


@pytest.mark.parametrize("ending", slow_except([
    "signal.signal(signal.SIGXCPU, signal.SIG_DFL)",  # the system's signal ends it mid-answer
    "signal.signal(signal.SIGXCPU, lambda *_: os._exit(1))",  # ended with no answer at all
], "signal.signal(signal.SIGXCPU, signal.SIG_DFL)"))
def test_a_child_ended_without_an_answer_after_its_cpu_time_is_told_as_the_cpu_bound(ending):
    """On a busy machine the CPU signal can land while the child writes its answer; its CPU time says why."""
    script = ("import os, signal\nfrom pcplan.render import bounds\nbounds.RENDER_SECONDS = 1\n"
              "def work():\n    " + ending + "\n    while True:\n        pass\n"
              "try:\n    bounds.isolated(work)\nexcept bounds.Stopped as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=WAIT)
    assert done.stdout.strip() == ("making the page took more than 1 seconds of CPU time, far longer than any plan "
                                   "or report needs; look for loops inside loops"), done.stderr


def test_the_caseload_report_page_is_bounded_too(repo, tmp_path):
    agency(repo, "report.html.j2", "<p>{{ 9 ** 99999999 }}</p>\n")
    page = tmp_path / "report.html"
    line = one_line(pcplan(repo.root, "report", "--today", TODAY.isoformat(), "-f", "html", "-o", str(page)))
    assert line.startswith("pcplan: agency/report.html.j2:1: stopped by pcplan's template bounds: `**` would make")
    assert not page.exists()
    agency(repo, "report.html.j2", EXPONENTIAL)
    line = one_line(pcplan(repo.root, "report", "--today", TODAY.isoformat(), "-f", "html",
                           bounds={"RENDER_SECONDS": 2}))
    assert re.match(BOUND_2S.format(template="report"), line), line


ORDINARY = """<html><body>
{% for goal in plan.goals %}<p>{{ loop.index }}/{{ loop.length }} {{ goal.id }}</p>{% endfor %}
<p>{{ 2 ** 64 }} {{ "ab" * 3 }} {{ ([1] * 3)|length }} {{ "%05.1f" % 3.14159 }} {{ "{:>5}|".format("a") }}</p>
<p>{{ "x"|center(7) }}| {{ range(1000)|sum }} {{ ("a" ~ "b") * 2 }} {{ "a b".replace(" ", "-") }}</p>
<p>{{ [1, 2, 3]|join(",") }} {{ "%d members"|format(2500000) }} {{ range(10)|batch(3)|list|length }}</p>
</body></html>
"""


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_an_ordinary_agency_template_is_not_held_back(repo, out, fmt):
    agency(repo, "plan.html.j2", ORDINARY)
    process = render(repo, out, fmt)
    assert process.returncode == 0, process.stderr
    if fmt == "html":
        page = Path(process.stdout.strip()).read_text(encoding="utf-8")
        for expected in ("<p>1/3 G1</p>", "18446744073709551616 ababab 3 003.1     a|", "   x   | 499500 abab a-b",
                         "1,2,3 2500000 members 4"):
            assert expected in page


# ----------------------------------------------------------------------------------------- stylesheets

IMPORTS = {
    "a relative address (WeasyPrint's traceback)": ("@import url(agency.css);", "agency.css"),
    "a missing file": ('@import "missing.css";', "missing.css"),
    "a local file": ('@import url("file:///etc/passwd");', "file:///etc/passwd"),
    "a web address, for print": ("@import url('https://example.org/agency.css') print;",
                                 "https://example.org/agency.css"),
    "a data: stylesheet, in capitals": ("@IMPORT url(data:text/css,p{color:red});", "data:text/css,p{color:red}"),
}


@pytest.mark.parametrize("attack, fmt", slow_except(
    [pytest.param(attack, fmt, id=f"{attack}-{fmt}") for fmt in ("pdf", "html") for attack in sorted(IMPORTS)],
    "a relative address (WeasyPrint's traceback)-pdf"))
def test_a_stylesheet_import_is_one_line_naming_the_stylesheet(repo, out, attack, fmt):
    rule, address = IMPORTS[attack]
    agency(repo, "plan.css", f"/* the agency's colours */\n{rule}\nbody {{ color: #123456; }}\n")
    line = one_line(render(repo, out, fmt))
    assert line == (f"pcplan: agency/plan.css:2: the stylesheet imports another (`@import` of `{address}`), which "
                    "pcplan does not fetch: the page would print without its rules. Write them into this "
                    "stylesheet, or bring a file of the templates folder in with {% include %} inside <style>")
    assert list(out.iterdir()) == []


def test_a_linked_stylesheet_is_refused_the_same_way(repo, out):
    agency(repo, "plan.html.j2", '<html><head>\n<link rel="stylesheet" href="agency.css">\n</head><body></body>'
                                 "</html>\n")
    line = one_line(render(repo, out, "pdf"))
    assert line.startswith('pcplan: agency/plan.html.j2:2: the page links a stylesheet (`<link rel="stylesheet">` '
                           "to `agency.css`), which pcplan does not fetch")


def test_an_address_made_from_the_record_is_not_shown(repo, out):
    agency(repo, "plan.css", '@import "{{ plan.preferred_name }}.css";\n')
    line = one_line(render(repo, out, "pdf"))
    assert "Danny" not in line
    assert "(`@import` of `(a value from the record)`)" in line


def test_the_markdown_plan_has_no_stylesheet_to_refuse(repo, out):
    agency(repo, "plan.css", "@import url(agency.css);\n")
    assert render(repo, out, "md").returncode == 0


def test_an_agency_stylesheet_without_imports_prints(repo, out):
    agency(repo, "plan.css", "/* the agency's colours */\nbody { color: #123456; }\n")
    process = render(repo, out, "pdf")
    assert process.returncode == 0, process.stderr
    assert Path(process.stdout.strip()).read_bytes().startswith(b"%PDF")


def test_the_report_stylesheet_is_refused_the_same_way(repo, tmp_path):
    agency(repo, "report.css", '@import "agency.css";\n')
    page = tmp_path / "report.html"
    line = one_line(pcplan(repo.root, "report", "--today", TODAY.isoformat(), "-f", "html", "-o", str(page)))
    assert line.startswith("pcplan: agency/report.css:1: the stylesheet imports another (`@import` of `agency.css`)")
    assert not page.exists()


def test_weasyprint_failing_on_a_page_is_one_line():
    """Whatever WeasyPrint itself stops on (here the relative @import the page check would have refused):
    a RenderError of one line, never its traceback."""
    from pcplan.render import RenderError, _pdf

    with pytest.raises(RenderError) as failed:
        _pdf("<html><head><style>@import url(agency.css);</style></head><body><p>x</p></body></html>")
    assert str(failed.value) == ("the PDF could not be made: WeasyPrint stopped on the page (InvalidValues); check "
                                 "the agency's templates and stylesheets, or render html to see the page")
    assert failed.value.exit_code == 2


def test_what_the_pdf_leaves_out_is_still_said_from_the_child_process(repo, out):
    agency(repo, "plan.css", 'body { background: url("https://example.org/pixel.png"); }\n')
    process = render(repo, out, "pdf")
    assert process.returncode == 0, process.stderr
    assert "pcplan: the PDF leaves out what the logo or a template refers to outside the plan " \
           "(https://example.org/pixel.png)" in process.stderr
    assert "Traceback" not in process.stderr
