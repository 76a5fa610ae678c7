"""The hostile corpus: case files as git, email, scanners and busy people leave them.

Each item is the bytes of one file and where it goes in a member folder (a copy
of a reference member's folder, so the rest of that member is checked around
it). ``tests/test_hostile.py`` says what pcplan must report for each.

Small items are committed beside this script, one file each, so that anyone can
open them; ``python tests/hostile/generate.py`` rewrites them, and a test checks
that the committed bytes are still what this script makes (git's line-ending
conversion must not quietly turn the CRLF items into LF ones). Large items (a
document nested 100,000 deep, a 50 MB file) are written at test time by
:func:`write_large` and never committed.

Everything here is fictional.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTE_TARGET = "notes/2026-11-20.yaml"  # a new note in the member folder
PLAN_TARGET = "plan-2026-11-20.yaml"  # a newer plan: it becomes the plan in effect, so every rule reads it


@dataclass(frozen=True)
class Item:
    name: str  # the committed file is tests/hostile/<name>.yaml
    target: str  # where it goes in the member folder
    content: bytes
    about: str  # one line: what busy people, git or a scanner did


def _lines(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


# A valid note: the canvas most items are painted on (7 lines).
NOTE_HEAD = ("kind: note", "version: 1", "member: M-000123", "date: 2026-11-20", "staff: cm-jlee", "contact: phone")
NOTE = _lines(*NOTE_HEAD, "text: Called Elena about the ride to Mass on Sunday.")


def _note(*more: str, head: tuple = NOTE_HEAD) -> str:
    return _lines(*head, *more)


def _alias_bomb() -> str:
    """The billion laughs: nine levels of nine aliases each (387,420,489 names if expanded)."""
    rows = ["with: &a [Elena, Elena, Elena, Elena, Elena, Elena, Elena, Elena, Elena]"]
    letters = "abcdefghi"
    for previous, letter in zip(letters, letters[1:]):
        rows.append(f"x_{letter}: &{letter} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return _note(*rows, "text: Called Elena.")


def _png() -> bytes:
    return (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x04\xb0\x00\x00\x06\x40\x08\x02\x00\x00\x00"
            + bytes(range(256)) * 4)


def small_items() -> list[Item]:
    items = [
        # -- git ---------------------------------------------------------------------------------------------
        Item("merge-conflict", NOTE_TARGET, _note(
            "<<<<<<< HEAD",
            "text: Called Elena about the ride to Mass on Sunday.",
            "=======",
            "text: Called Elena about the ride to church on Sunday.",
            ">>>>>>> cm-obello/notes").encode(),
            "a note with the markers of a merge conflict git could not resolve"),
        Item("merge-conflict-member", "member.yaml", _lines(
            "kind: member", "version: 1", "id: M-000123", "name:",
            "<<<<<<< HEAD", "  legal: Elena Ruiz", "=======", "  legal: Elena Ruiz Gomez", ">>>>>>> origin/main",
            "  preferred: Elena", "status: active").encode(),
            "member.yaml itself left conflicted: the member's other files are still checked"),
        # -- YAML traps ----------------------------------------------------------------------------------------
        Item("alias-bomb", NOTE_TARGET, _alias_bomb().encode(), "the billion-laughs alias bomb"),
        Item("self-anchor", NOTE_TARGET, _note(
            "with: &w [Elena, *w]",
            "progress: &p",
            "  - {goal: G1, text: Walked to the store.}",
            "  - *p",
            "text: Called Elena.").encode(),
            "anchors whose aliases refer to themselves"),
        Item("merge-key", NOTE_TARGET, _note(
            "progress:",
            "  - &first {goal: G1, text: Walked to the store.}",
            "  - <<: *first",
            "    goal: G2",
            "text: Called Elena.").encode(),
            "a YAML merge key, which other tools expand and pcplan refuses"),
        Item("duplicate-keys", NOTE_TARGET, _lines(
            "kind: note", "version: 1", "member: M-000123", "date: 2026-11-20",
            "date: 2026-11-21",
            "staff: cm-jlee", "contact: phone",
            "progress:",
            "  - goal: G1",
            "    text: Took her medicines every day.",
            "    text: Took her medicines on six days.",
            "  - {goal: G3, goal: G2, text: Got to Mass.}",
            "text: Called Elena about her week.",
            "extra:",
            "  a:",
            "    b: {c: 1, c: 2}",
            "    b2:",
            "      c:",
            "        d:",
            "          e: 1",
            "          e: 2").encode(),
            "the same key twice at depths 1 to 6, in block and flow mappings"),
        Item("python-tags", NOTE_TARGET, _lines(
            "kind: note", "version: 1", "member: M-000123", "date: 2026-11-20", "staff: cm-jlee",
            'contact: !!python/object/apply:os.system ["touch pcplan-was-here"]',
            "text: !!python/name:os.system",
            "with: !!python/object/new:subprocess.Popen [[touch, pcplan-was-here]]",
            'minutes: !<tag:yaml.org,2002:python/object/apply:os.system> ["touch pcplan-was-here"]',
            "progress: !!set {G1: null}",
            "satisfaction: !!binary aGVsbG8=",
            "unmet_needs: !custom [x]").encode(),
            "tags that ask a YAML library to build Python objects and run commands"),
        Item("multi-document", NOTE_TARGET, (NOTE + "---\n" + NOTE.replace("2026-11-20", "2026-11-21")).encode(),
             "two notes pasted into one file, separated by ---"),
        Item("tab-indent", NOTE_TARGET, _note("progress:", "\t- goal: G1", "text: Called Elena.").encode(),
             "a list indented with a tab, as a word processor does"),
        Item("unclosed-flow", NOTE_TARGET, _note("with: [Elena, Rosa Ruiz", "text: Called Elena.",
                                                 "minutes: 20").encode(),
             "a flow list whose bracket is never closed"),
        Item("empty", NOTE_TARGET, b"", "an empty file (a failed download)"),
        Item("comments-only", NOTE_TARGET, b"# TODO: write up the call with Elena\n\n   \n", "only a comment"),
        Item("not-a-mapping", NOTE_TARGET, b"- kind: note\n- version: 1\n", "a list where a mapping belongs"),
        Item("plain-text", NOTE_TARGET, b"Called Elena about the ride to Mass. She is well.\n",
             "prose saved with a .yaml name"),
        Item("kind-wrong-type", NOTE_TARGET, NOTE.replace("kind: note", "kind: [note]").encode(),
             "`kind` written as a list"),
        Item("version-text", NOTE_TARGET, NOTE.replace("version: 1", 'version: "1"').encode(),
             "`version` quoted as text"),
        Item("key-with-health-words", NOTE_TARGET, _note("Elena has HIV: true", "text: Called Elena.").encode(),
             "a sentence typed where a field name belongs (the message must not repeat it)"),
        # -- dates -------------------------------------------------------------------------------------------
        Item("date-impossible", NOTE_TARGET, NOTE.replace("date: 2026-11-20", "date: 2026-02-30").encode(),
             "the 30th of February"),
        Item("date-two-digit-year", NOTE_TARGET, NOTE.replace("date: 2026-11-20", "date: 26-03-01").encode(),
             "a two-digit year"),
        Item("date-as-number", NOTE_TARGET, NOTE.replace("date: 2026-11-20", "date: 20261120").encode(),
             "a date without dashes, which YAML reads as a number"),
        Item("date-with-time", NOTE_TARGET, NOTE.replace("date: 2026-11-20", "date: 2026-11-20 14:30").encode(),
             "a date with a time of day"),
        # -- references that are not ids -------------------------------------------------------------------
        Item("references-not-ids", PLAN_TARGET, _lines(
            "kind: plan", "version: 1", "id: P2", "member: M-000123", "date: 2026-11-20", "type: revision",
            "assessment: 1",
            "goals:",
            "  - id: G1",
            "    own_words: I want to cook for my family again.",
            "    needs: [1, [N1], null, {id: N2}]",
            "    strengths: null",
            "    target_date: 2027-05-31",
            "    objectives: [null, 7, [G1.1]]",
            "  - id: [G2]",
            "    own_words: I want to see my friends.",
            "    needs: N3",
            "supports:",
            "  - id: null",
            "    description: Meals on wheels on weekdays.",
            "    paid: true",
            "    provider: Senior Meals",
            "    goals: 3",
            "    amount: [1]",
            "    unit: meal",
            "    frequency: daily",
            "risk_mitigations:",
            "  - {risk: [R1], mitigation: null}",
            "monitoring:",
            "  responsible: 42",
            "  contacts: [{type: phone, every: null}]",
            "exceptions:",
            "  - {rule: 301, about: [G1], reason: Declined., documented_by: [cm-jlee], on: null}",
            "signatures:",
            "  - {role: member, name: null, signed_on: 2026-11-20, fingerprint: 12345}").encode(),
            "a plan whose references are numbers, lists, mappings and null"),
        Item("note-references-not-ids", NOTE_TARGET, _note(
            "progress:", "  - {goal: 1, text: Walked.}", "  - {goal: [G1], text: Cooked.}", "  - {goal: null}",
            "  - goal:", "text: Called Elena.", head=NOTE_HEAD[:2] + ("member: 123",) + NOTE_HEAD[3:]).encode(),
            "a note naming its member and goals by number, list and null"),
        # -- encodings and bytes -----------------------------------------------------------------------------
        Item("scan-png", NOTE_TARGET, _png(), "a scanned page saved as .yaml"),
        Item("scan-pdf", NOTE_TARGET, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
             "a PDF saved as .yaml"),
        Item("docx", NOTE_TARGET, b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml",
             "a Word document saved as .yaml"),
        Item("utf16-le-bom", NOTE_TARGET, NOTE.encode("utf-16"), "UTF-16 with a byte-order mark (Windows Notepad)"),
        Item("utf16-be", NOTE_TARGET, NOTE.encode("utf-16-be"), "UTF-16, big-endian, no byte-order mark"),
        Item("utf32", NOTE_TARGET, NOTE.encode("utf-32"), "UTF-32"),
        Item("latin1", NOTE_TARGET, _note("text: Llamó a José sobre el viaje a misa.").encode("latin-1"),
             "Latin-1 (ISO 8859-1) accents"),
        Item("cp1252-quotes", NOTE_TARGET, _note("text: Elena said “fine” about the ride.").encode("cp1252"),
             "Windows-1252 curly quotes, pasted from email"),
        Item("bom", NOTE_TARGET, ("\ufeff" + _note("text: Called Elena.", "mood: calm")).encode(),
             "a UTF-8 byte-order mark; the unknown field after it keeps its exact position"),
        Item("bom-in-the-middle", NOTE_TARGET, (NOTE + "\ufeff" + "minutes: 20\n").encode(),
             "two files pasted together: a byte-order mark on line 8"),
        Item("nul-bytes", NOTE_TARGET, _note("text: Called Elena\x00\x00 about the ride.").encode(),
             "NUL bytes in a line"),
        Item("control-characters", NOTE_TARGET, _note("text: Called Elena \x1b]0;owned\x07\x1b[2J about the ride.").encode(),
             "terminal escape sequences (set the title, clear the screen) in a line"),
        Item("crlf", NOTE_TARGET, _note("text: Called Elena.", "contact: video").replace("\n", "\r\n").encode(),
             "Windows line ends, with a duplicate key on line 8"),
        Item("mixed-line-endings", NOTE_TARGET,
             b"kind: note\nversion: 1\r\nmember: M-000123\r\r\ndate: 2026-11-20\nstaff: cm-jlee\r\n"
             b"contact: phone\rtext: \"Called Elena.\rShe is well.\"\nmood: calm\r\n",
             "LF, CRLF, CR and CR CR LF in one file (each CR ends a line, as in editors), an unknown field"),
        Item("unicode-line-separators", NOTE_TARGET,
             _note('text: "Called Elena.\u2028She is well.\u2029Next visit soon.\x85"', "mood: calm").encode(),
             "U+2028, U+2029 and NEL inside a quoted text (pasted from a web page), an unknown field after"),
        Item("unicode-line-separator-plain", NOTE_TARGET,
             _note("text: Called Elena.\u2028She is well.", "minutes: 20").encode(),
             "U+2028 inside unquoted text, where YAML 1.1 ends the line"),
        # -- too many of one problem: the first 100 are listed, and one finding counts the rest ------------------
        Item("many-unknown-fields", NOTE_TARGET,
             _note(*(f"column_{k:03d}: x" for k in range(1, 151)), "text: Called Elena.").encode(),
             "150 columns of a spreadsheet pasted in as fields"),
        Item("many-duplicate-keys", NOTE_TARGET,
             _note(*(f"text: Called Elena, part {k}." for k in range(151))).encode(),
             "the same field 151 times (a mail merge run once per line)"),
    ]
    names = [item.name for item in items]
    assert len(names) == len(set(names)), "item names must be unique"
    return items


# -- large items: written at test time ---------------------------------------------------------------------

DEEP = 100_000
HUGE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class LargeItem:
    name: str
    target: str
    build: Callable[[], bytes]  # built only when written: the largest is 50 MB
    about: str


def large_items() -> list[LargeItem]:
    """Items too large to commit, written at test time by :func:`write_large`."""
    return [
        LargeItem("deep-flow-lists", NOTE_TARGET, lambda: _note("with: " + "[" * DEEP + "]" * DEEP).encode(),
                  f"lists nested {DEEP:,} deep"),
        LargeItem("deep-flow-mappings", NOTE_TARGET,
                  lambda: _note("extra: " + "{a: " * DEEP + "1" + "}" * DEEP).encode(),
                  f"mappings nested {DEEP:,} deep"),
        LargeItem("deep-block-sequences", NOTE_TARGET, lambda: _note("with:", "  " + "- " * DEEP + "Elena").encode(),
                  f"block lists nested {DEEP:,} deep on one line"),
        LargeItem("deep-block-mappings", NOTE_TARGET,
                  lambda: _note("extra:", *(" " * (level + 1) + "a:" for level in range(1000)),
                                " " * 1001 + "b: 1").encode(),
                  "block mappings nested 1,000 deep, one space more per level"),
        LargeItem("huge-50mb", NOTE_TARGET, _huge, "a 50 MB note (a scanner's output, an export gone wrong)"),
    ]


def _huge() -> bytes:
    sentence = b"Elena walked to the store with Rosa and cooked dinner for the family. "
    head = ("".join(line + "\n" for line in NOTE_HEAD) + "text: ").encode()
    body = sentence * (HUGE_BYTES // len(sentence) + 1)
    return head + body[:HUGE_BYTES - len(head) - 1] + b"\n"


def write_large(folder: Path) -> dict[str, Path]:
    """Write the large items into ``folder`` (at test time); returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for item in large_items():
        path = folder / f"{item.name}.yaml"
        path.write_bytes(item.build())
        written[item.name] = path
    return written


def corpus_file(item: Item) -> Path:
    return HERE / f"{item.name}.yaml"


def main() -> int:
    """Rewrite the committed small items; remove committed items this script no longer makes."""
    items = small_items()
    wanted = {corpus_file(item) for item in items}
    for path in HERE.glob("*.yaml"):
        if path not in wanted:
            path.unlink()
            print(f"removed {path.name}")
    for item in items:
        path = corpus_file(item)
        if not path.exists() or path.read_bytes() != item.content:
            path.write_bytes(item.content)
            print(f"wrote {path.name}")
    print(f"{len(items)} small items in {HERE}; {len(large_items())} large items are written at test time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
