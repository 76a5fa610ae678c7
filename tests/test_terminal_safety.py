"""Nothing in a case file or a file name can drive a terminal or a CI log (issue 14, item 3).

Control characters (C0, DEL, C1), escape sequences (colours, screen clears, OSC 8
hyperlinks, OSC 0 window titles), bidi overrides and isolates, zero-width
characters, line and paragraph separators and newlines, in a file name, an id
or a tag, reach every output format only as visible escapes (``\\x1b``,
``\\u202e``, ``\\n``): one function, ``pcplan.shown.visible``. ``github`` escapes
what its workflow commands need on top; JUnit stays well-formed XML 1.0; SARIF
names the file by a percent-encoded URI. A file name that is not UTF-8 is E005,
named with its byte escaped, and no format, ``-o`` or ``--write-baseline`` crashes.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from conftest import ELENA_PLAN
from pcplan.cli import app
from pcplan.shown import visible

AS_OF = ["--today", "2026-11-22"]
FORMATS = ("full", "concise", "json", "sarif", "github", "junit")
NOTES = "members/M-000123/notes"

# Each class of character, as it could be typed or pasted into a file name (no "/": it is a name).
PAYLOADS = {
    "c0": "bell\x07back\x08",
    "colour": "\x1b[31mred\x1b[0m",
    "clear": "\x1b[2J\x1b[H",
    "osc8-link": "\x1b]8;;http:evil.example\x1b\\click\x1b]8;;\x1b\\",
    "osc0-title": "\x1b]0;owned\x07",
    "c1-csi": "\x9b31m",
    "del": "x\x7fy",
    "bidi-override": "\u202eexe.txt",
    "bidi-isolate": "\u2066x\u2069",
    "zero-width": "a\u200bb\u200dc\ufeff",
    "separators": "a\u2028b\u2029c\x85d",
    "newline": "x\nforged.yaml:1:1: E000 [error] forged\n",
    "carriage-return": "x\rforged",
    "workflow-syntax": "::error file=x,line=1::forged %0A 50% a:b,c",
}


def oracle(text: str) -> str:
    """The escaping every format must show, written independently of pcplan: Unicode's control, format and
    separator characters (and surrogates: bytes that were not UTF-8) as Python writes them in a string."""
    out = []
    for char in text:
        code = ord(char)
        if char in "\t\n\r":
            out.append({"\t": "\\t", "\n": "\\n", "\r": "\\r"}[char])
        elif 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs") or code in (0xFFFE, 0xFFFF):
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


# What must never reach a stream raw: everything the oracle escapes (a text format's own line ends aside).
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064"
                 "\u2066-\u206f\ufeff\ud800-\udfff]")


def _run(root: Path, *args: str, ci: bool = False):
    old = os.getcwd()
    os.chdir(root)
    try:
        return CliRunner().invoke(app, list(args), env={"CI": "true" if ci else None, "GITHUB_ACTIONS": None,
                                                         "GITHUB_STEP_SUMMARY": None, "COLUMNS": "400",
                                                         "NO_COLOR": "1", "PCPLAN_OUTPUT_FORMAT": None},
                                  catch_exceptions=False)
    finally:
        os.chdir(old)


def _property(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


# --- the one function -------------------------------------------------------------------------------------------

def test_visible_escapes_exactly_the_characters_that_act_and_nothing_printable():
    assert visible("\x1b[2J") == "\\x1b[2J"
    assert visible("a\u202eb") == "a\\u202eb"
    assert visible("bad\udcff.yaml") == "bad\\xff.yaml"
    assert visible("line\nnext\r\ttab") == "line\\nnext\\r\\ttab"
    assert visible("\U000e0041") == "\\U000e0041"  # a tag character (invisible)
    printable = "Elena Ruíz — 日本語 👋 e\u0301 ع ש \u00a0"
    assert visible(printable) == printable
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Zl", "Zp", "Cs") or code in (0xFFFE, 0xFFFF):
            assert visible(char) != char, hex(code)
        elif category not in ("Cn",):  # unassigned in this Python's Unicode: may be format characters later
            assert visible(char) == char, hex(code)


# --- a file name holding each class of character, in every format --------------------------------------------

@pytest.fixture
def named(repo):
    names = {}
    for index, (what, payload) in enumerate(PAYLOADS.items()):
        name = f"{index:02d}-{payload}.yaml"
        (repo.root / NOTES / name).write_text("kind: note\nversion: 1\n", encoding="utf-8")
        names[what] = f"{NOTES}/{name}"
    return repo, names


@pytest.mark.parametrize("fmt", FORMATS)
def test_file_names_are_shown_escaped_in_every_format(named, fmt):
    repo, names = named
    result = _run(repo.root, "check", *AS_OF, "-f", fmt, "--select", "E004")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert RAW.search(out) is None, repr(RAW.search(out))
    for what, path in names.items():
        shown = oracle(path)
        if fmt == "concise":
            assert f"{shown}:1:1: E004 [error] missing required field `contact`" in out.splitlines(), what
        elif fmt == "full":
            assert f" --> {shown}:1:1" in out.splitlines(), what
        elif fmt == "github":
            assert f"::error file={_property(shown)},line=1,col=1,endLine=1,endColumn=2,title=E004 schema::" \
                   f"missing required field `contact`" in out.splitlines(), what
        elif fmt == "json":
            assert shown in {f["path"] for f in json.loads(out)["findings"]}, what
        elif fmt == "sarif":
            uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    for r in json.loads(out)["runs"][0]["results"]}
            assert quote(path.encode("utf-8"), safe="/") in uris, what
        elif fmt == "junit":
            suites = {s.get("name") for s in ET.fromstring(out).iter("testsuite")}
            assert shown in suites, what
    if fmt in ("concise", "github"):
        # One line per finding and the summary: a newline in a name starts no line of its own.
        lines = out.splitlines()
        assert all(line.startswith((f"{NOTES}/", "::error file=members", "::notice title=pcplan::", "Found "))
                   for line in lines), lines
        assert len(lines) == 4 * len(PAYLOADS) + 1  # the summary; for github, the notice past ten annotations


def test_file_names_in_ci_are_hidden_when_they_are_not_names(named):
    repo, names = named
    result = _run(repo.root, "check", *AS_OF, "-f", "concise", "--select", "E004", ci=True)
    assert result.exit_code == 1
    shown = {line.split(":", 1)[0] for line in result.stdout.splitlines() if line.startswith(NOTES)}
    assert len(shown) == len(PAYLOADS)
    assert all(re.fullmatch(rf"{NOTES}/name-not-shown-[0-9a-f]{{8}}\.yaml", path) for path in shown), shown


# --- an id and a tag holding such characters -----------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_an_id_holding_control_characters_is_never_repeated(repo, fmt):
    repo.edit(ELENA_PLAN, "  - id: G1\n", '  - id: "G1\\e[2J\\e]0;owned\\a\\u202e\\u2028\\n"\n')
    result = _run(repo.root, "check", *AS_OF, "-f", fmt, "--no-source")  # the excerpt quotes the file, by design
    assert result.exit_code == 1, result.output
    assert RAW.search(result.stdout) is None
    assert "owned" not in result.stdout and "\\x1b" not in result.stdout and "\\u202e" not in result.stdout
    assert "E004" in result.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_tag_holding_control_characters_is_never_shown_raw(repo, fmt):
    """A tag's characters come %-escaped (YAML decodes them): ESC, BEL, RLO and a newline in one tag."""
    repo.edit(ELENA_PLAN, "deferred_needs: []\n", "deferred_needs: []\nzq: !x%1B%5B2J%07%E2%80%AE%0Aend y\n")
    result = _run(repo.root, "check", *AS_OF, "-f", fmt)
    assert result.exit_code == 1, result.output
    assert RAW.search(result.stdout) is None, repr(RAW.search(result.stdout))
    assert "E005" in result.stdout
    if fmt == "junit":
        ET.fromstring(result.stdout)


# --- a file name that is not UTF-8 ---------------------------------------------------------------------------

@pytest.fixture
def not_utf8(repo):
    folder = os.fsencode(repo.root / "members" / "M-000123")
    with open(os.path.join(folder, b"bad\xff.yaml"), "wb") as stream:
        stream.write(b"kind: note\nversion: 1\n")
    return repo


E005_LINE = ("members/M-000123/bad\\xff.yaml:1:1: E005 [error] the name of this file (or of a folder it is in) is "
             "not valid UTF-8 text; it was not read")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_name_that_is_not_utf8_is_e005_named_safely(not_utf8, fmt, tmp_path):
    result = _run(not_utf8.root, "check", *AS_OF, "-f", fmt)
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert RAW.search(out) is None
    if fmt == "concise":
        assert [line for line in out.splitlines() if "bad" in line] == [E005_LINE]
    elif fmt == "sarif":
        uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in json.loads(out)["runs"][0]["results"]]
        assert uris == ["members/M-000123/bad%FF.yaml"]
    elif fmt == "json":
        assert [f["path"] for f in json.loads(out)["findings"]] == ["members/M-000123/bad\\xff.yaml"]
    elif fmt == "junit":
        assert "members/M-000123/bad\\xff.yaml" in {s.get("name") for s in ET.fromstring(out).iter("testsuite")}
    else:
        assert "members/M-000123/bad\\xff.yaml" in out
    written = tmp_path / f"findings.{ {'junit': 'xml', 'concise': 'txt', 'full': 'log', 'github': 'log'}.get(fmt, fmt)}"
    result = _run(not_utf8.root, "check", *AS_OF, "-f", fmt, "-o", str(written))
    assert result.exit_code == 1, result.output
    assert (written.read_text(encoding="utf-8") == out) if fmt != "full" else ("bad\\xff.yaml" in out)


def test_a_file_name_that_is_not_utf8_in_a_baseline_and_in_ci(not_utf8, tmp_path):
    baseline = tmp_path / "baseline.json"
    result = _run(not_utf8.root, "check", *AS_OF, "--write-baseline", str(baseline))
    assert result.exit_code == 0, result.output
    entries = json.loads(baseline.read_text(encoding="utf-8"))["findings"]
    assert [(e["file"], e["code"]) for e in entries] == [("members/M-000123/name-not-shown-"
                                                          f"{_digest(b'bad' + bytes([0xff]) + b'.yaml')}.yaml", "E005")]
    again = _run(not_utf8.root, "check", *AS_OF, "--baseline", str(baseline))
    assert again.exit_code == 0 and again.stdout.startswith("All checks passed: no findings")
    ci = _run(not_utf8.root, "check", *AS_OF, "-f", "concise", ci=True)
    assert f"members/M-000123/name-not-shown-{_digest(b'bad' + bytes([0xff]) + b'.yaml')}.yaml:1:1: E005" in ci.stdout


def _digest(name: bytes) -> str:
    import hashlib

    return hashlib.sha256(name).hexdigest()[:8]


# --- the full format's excerpt and pcplan's own messages -----------------------------------------------------

def test_the_excerpt_shows_a_control_character_escaped_with_the_caret_under_it(repo):
    repo.write(f"{NOTES}/2026-11-20.yaml", "kind: note\nversion: 1\nsummary: ab\x1b[2Jcd\n")
    result = _run(repo.root, "check", *AS_OF, "-f", "full", f"{NOTES}/2026-11-20.yaml")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    source = next(line for line in lines if line.startswith("3 | "))
    assert source == "3 | summary: ab\\x1b[2Jcd"
    caret = lines[lines.index(source) + 1]
    assert caret.index("^") == source.index("\\x1b")
    assert RAW.search(result.stdout) is None


def test_pcplan_s_own_messages_show_paths_escaped(repo, tmp_path):
    result = _run(repo.root, "check", *AS_OF, "-o", str(tmp_path / "no\x1b[2Jsuch" / "out.txt"))
    assert result.exit_code == 2
    assert result.stderr == (f"pcplan: {tmp_path}/no\\x1b[2Jsuch/out.txt: the folder {tmp_path}/no\\x1b[2Jsuch "
                             "does not exist\n")
    target = tmp_path / "base\u202eline.json"
    result = _run(repo.root, "check", *AS_OF, "--write-baseline", str(target))
    assert result.exit_code == 0
    assert result.stderr == f"pcplan: wrote 0 findings to the baseline {tmp_path}/base\\u202eline.json\n"
