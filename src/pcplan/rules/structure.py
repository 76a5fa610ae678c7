"""E-rules: the files themselves: YAML, kinds, schemas, membership, ids."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..dates import AMOUNT_DIGITS, beyond_calendar, parse_frequency, readable_amount, shown_number
from ..findings import Hit
from ..load import Problem
from ..model import Case, Document, shown_id, shown_name
from .context import RepositoryContext
from .registry import rule

MEMBER_KINDS = ("assessment", "plan", "note", "closure")


def _problems(doc: Document, code: str,
              hint: Callable[[Problem], str | None] = lambda problem: problem.hint) -> Iterator[Hit]:
    """Problems the loader and schema stage recorded for one code, each with its own hint if it has one."""
    for p in doc.problems:
        if p.code == code:
            yield Hit(doc, p.data_path, p.message, at=p.at, line=p.line, column=p.column, hint=hint(p))


# E005 has several causes, each with its own remedy. The loader (and the walk, for
# folders it cannot read) words each cause in its own way; the start of the message
# says which it is. tests/test_messages.py makes every cause happen for real.
_E005_HINTS = (
    (("file is UTF-16", "file contains NUL", "file is not valid UTF-8"),
     "Save the file as UTF-8 text (in most editors: Save As, then choose the UTF-8 encoding); a scan or a "
     "word-processor document is not a case file."),
    (("file is ",),  # "file is 5,000,000 bytes, over the … limit"
     "Split the file (one assessment, plan or note per file); scans and attachments belong outside the case "
     "repository."),
    (("nesting is deeper",),
     "Flatten the structure: a case file needs only a few levels; look for a run of brackets or of indentation "
     "pasted by mistake."),
    (("alias ", "aliases ", "this alias "),
     "Write the repeated list or mapping out in full where `*name` stands, and remove its `&name`."),
    (("merge keys",),
     "Write the fields out in full instead of `<<: *name`."),
    (("the tag ",),
     "Remove the `!tag` before the value: a case file holds only text, numbers, dates, lists and mappings."),
    (("not a regular file",),
     "Replace the link, pipe or device with the file itself, or leave it out of the check with `exclude` in "
     "pcplan.toml."),
    (("symlink to outside", "symlink into a hidden"),
     "Replace the link with a copy of the file, or remove it: pcplan reads only files inside the repository, so "
     "a link cannot bring in or print a file from elsewhere on the machine."),
    (("cannot read",),
     "Check that the file or folder exists (a link may point nowhere, or to itself) and that the account "
     "running pcplan may read it."),
)


def _e005_hint(problem: Problem) -> str | None:
    return problem.hint or next((hint for starts, hint in _E005_HINTS if problem.message.startswith(starts)), None)


@rule("E000", "internal-error", "error", scope="file")
def internal_error(doc: Document, case: Case | None, ctx: RepositoryContext) -> Iterable[Hit]:
    """pcplan itself failed while running a rule on this file; the other rules still ran.

    Why it matters: a rule that crashed checked nothing, so the file may have
    problems that were not reported. pcplan exits with 2 so CI notices.

    How to fix: nothing in your file needs to change because of this line. Run
    `pcplan check --debug` on the file and report the traceback to the pcplan
    developers (it contains no case data unless you paste some).
    """
    return _problems(doc, "E000")  # reading the file failed; the engine reports a rule that raises


@rule("E001", "yaml-syntax", "error", scope="file")
def yaml_syntax(doc: Document, case: Case | None, ctx: RepositoryContext) -> Iterable[Hit]:
    """The file parses as one YAML document.

    Why it matters: a file that does not parse cannot be checked at all, so every
    other problem in it stays hidden. Merge-conflict markers left by git are the
    most common cause.

    How to fix: look at the line shown (often the line above it), fix the
    indentation, the missing colon or the unclosed bracket or quote. Indent
    with spaces: YAML does not allow tabs there. For a merge conflict, keep
    the right version and delete the `<<<<<<<`, `=======` and `>>>>>>>` lines.

    Example:
        # wrong: the list is never closed, and a tab indents the goal
        #   needs: [N1, N2
        #   goals:
        #   <tab>- id: G1
        # right
        needs: [N1, N2]
        goals:
          - id: G1
    """
    return _problems(doc, "E001")


@rule("E002", "duplicate-key", "error", scope="file")
def duplicate_key(doc: Document, case: Case | None, ctx: RepositoryContext) -> Iterable[Hit]:
    """No mapping repeats a key (both lines are named).

    Why it matters: YAML keeps only the last of two equal keys without a word,
    so a signature date or a goal's needs written twice silently loses one of
    them.

    How to fix: keep one of the two keys, merging what each said.

    Example:
        # wrong
        signed_on: 2026-03-05
        signed_on: 2026-03-07
        # right
        signed_on: 2026-03-07
    """
    return _problems(doc, "E002")


@rule("E003", "unknown-kind", "error", scope="file")
def unknown_kind(doc: Document, case: Case | None, ctx: RepositoryContext) -> Iterable[Hit]:
    """The file says which kind it is (`kind:`) and which format version (`version: 1`).

    Why it matters: pcplan picks the schema and the rules for a file by its
    kind; a file without one cannot be checked.

    How to fix: start the file with `kind:` (member, assessment, plan, note,
    closure or staff) and `version: 1`.

    Example:
        kind: note
        version: 1
        member: M-000123
    """
    return _problems(doc, "E003")


@rule("E004", "schema", "error", scope="file")
def schema(doc: Document, case: Case | None, ctx: RepositoryContext) -> Iterable[Hit]:
    """The file matches the JSON Schema of its kind (one finding per violation).

    Why it matters: a misspelled field is ignored by every rule, so what it
    says never counts: `signed_0n:` is not a signature date. Wrong types and
    impossible dates (2026-02-30) make the record unreliable. So are values
    the schema allows but nobody could count with: a frequency longer than
    the calendar (past the year 9999 from any date), an `amount` of more
    than 15 digits, a whole number of more than 4,300 digits.

    How to fix: use the field names and values the schema allows (`pcplan
    schema KIND` prints it; editors with the YAML language server show it as
    you type). Dates are written YYYY-MM-DD. A date may be as late as
    9999-12-31 (a common "no end"); what would fall due after it never does.

    Example:
        # wrong
        contact: in person
        date: 2026-02-30
        # right
        contact: face_to_face
        date: 2026-02-28
    """
    yield from _problems(doc, "E004")
    yield from _out_of_range(doc)


# The count and unit of a frequency written with a number ("3 months", "every 2 weeks", "twice every 3 months"),
# and where a plan has frequencies: (list, field, what they say).
_FREQUENCY_TEXT = re.compile(
    r"^(?:(?:once|twice|[1-9][0-9]* times) )?(?:every )?([1-9][0-9]*) (day|week|month|year)s?$")


_SHOWN_DIGITS = 15  # a count written with more digits is shown by its size


_FREQUENCIES = ((("monitoring", "contacts"), "every", "how often the contacts are agreed"),
                (("rights_modifications",), "review_every", "how often the modification is reviewed"),
                (("supports",), "frequency", "how often the support is given"))


def _out_of_range(doc: Document) -> Iterator[Hit]:
    """Schema-valid values of a plan that no date or number pcplan handles can hold (E004): a frequency
    longer than the whole calendar, an amount of more than 15 digits or not finite. Messages show the
    field and the number's size, never a number's thousands of digits."""
    if doc.kind != "plan":
        return
    frequencies: list[tuple[tuple, str, Any, str]] = [
        (("monitoring", "review_every"), "review_every", doc.data.get("monitoring"), "how often the plan is reviewed")]
    for keys, key, what in _FREQUENCIES:
        frequencies += [(keys + (index, key), key, entry, what) for index, entry in doc.items(*keys)]
    for path, key, holder, what in frequencies:
        value = holder.get(key) if isinstance(holder, dict) else None
        match = _FREQUENCY_TEXT.match(value) if isinstance(value, str) else None
        if match is None:
            continue
        frequency = parse_frequency(value)
        if frequency is None or not beyond_calendar(frequency):
            continue
        digits, unit = match.groups()
        shown = f"`{key}: {value}`" if len(digits) <= _SHOWN_DIGITS else \
            f"`{key}:` (a count of {len(digits):,} digits of {unit}s)"
        yield Hit(doc, path, f"{shown} reaches past the year 9999 from any date, so nothing could ever fall due "
                  f"by it; write {what} in days, weeks or months")
    for index, support in doc.items("supports"):
        amount = support.get("amount")
        # (a negative one is the schema's finding already)
        if isinstance(amount, (int, float)) and not isinstance(amount, bool) and amount > 0 \
                and readable_amount(amount) is None:
            yield Hit(doc, ("supports", index, "amount"),
                      f"`amount` is {shown_number(amount)}, more than pcplan can count or print (at most "
                      f"{AMOUNT_DIGITS} digits); write how much of the support the member gets")


@rule("E005", "unreadable", "error", scope="file")
def unreadable(doc: Document, case: Case | None, ctx: RepositoryContext) -> Iterable[Hit]:
    """The file is readable UTF-8 text within the size, nesting and alias limits, with no object-building tags.

    Why it matters: case files come from scanners, email and other systems; a
    binary, mis-encoded, huge or booby-trapped file must not stop the check of
    the whole repository, nor run code.

    How to fix: what to do depends on the cause, and the hint under each
    finding names the one that applies: save the file as UTF-8 text; split a
    huge file; flatten nesting deeper than 64 levels; write repeated parts out
    instead of using `&anchor`/`*alias` or `<<:`; remove `!!python/...` tags;
    replace a link, pipe or device with the file itself; make a file pcplan
    cannot open readable.

    Example:
        # wrong: an alias repeats a list, and a tag asks YAML to build an object
        #   with: &visitors [Elena, Rosa Ruiz]
        #   also_with: *visitors
        #   text: !!python/object/apply:os.system ["echo"]
        # right
        with: [Elena, Rosa Ruiz]
        text: Reviewed the pill organizer together.
    """
    return _problems(doc, "E005", _e005_hint)


@rule("E006", "wrong-member", "error", scope="file")
def wrong_member(doc: Document, case: Case | None, ctx: RepositoryContext) -> Iterable[Hit]:
    """A file's `member:` matches the id in its folder's member.yaml.

    Why it matters: a note or plan filed in the wrong member's folder puts one
    person's health information in another person's record and hides it from
    its own.

    How to fix: move the file to the folder of the member it is about, or
    correct its `member:` line. Files about a member belong in the folder that
    holds their member.yaml.

    Example:
        # in members/M-000123/notes/2026-10-01.yaml
        member: M-000123
    """
    if case is None:
        if doc.kind in MEMBER_KINDS:
            yield Hit(doc, ("kind",), f"this {doc.kind} is not inside a member folder "
                      "(a folder holding member.yaml); move it into its member's folder", at="key")
        return
    if doc.kind == "member" and case.member is not doc:
        yield Hit(doc, ("kind",), "a second member record in one member folder; "
                  "each member has a folder of their own", at="key")
    elif doc.kind in MEMBER_KINDS and case.member_id and doc.member_ref \
            and doc.member_ref != case.member_id:
        said = f"`member: {doc.member_ref}`" if shown_id(doc.member_ref) != "(not an id)" else "`member:` (not an id)"
        yield Hit(doc, ("member",), f"{said} does not match this folder's member.yaml ({shown_id(case.member_id)})")


@rule("E007", "duplicate-id", "error", scope="file")
def duplicate_id(doc: Document, case: Case | None, ctx: RepositoryContext) -> Iterable[Hit]:
    """Ids are unique within a file, an assessment's or plan's id within its member folder, and a member id
    within the repository.

    Why it matters: references like `needs: [N2]` and `goals: [G1]` must point
    at exactly one thing; two goals called G2 make every link to G2 ambiguous.
    Two member folders with one member id are one person's record split in
    two (or two people under one id): `due`, `report` and `export fhir`
    would count, list or send them as one member or as two, and neither is
    right. Member ids are compared without regard to letter case (`m-000123`
    is `M-000123`: files such as an export's `M-000123.fhir.json` are named
    after them). Two member folders whose paths differ only in letter case
    or Unicode form (`José` typed on a Mac, NFD, and on Linux, NFC) are one
    folder on macOS and Windows, where a clone mixes both members' files.
    Each is reported at the later folder in the walk's (sorted) order: the
    id at its member.yaml's `id`, with the earlier one as a related place;
    the folder at its member.yaml's first line.

    A repository-wide comparison sees the member folders of the run: a check
    of some folders or files (the pre-commit hook's changed files) compares
    those only, and a `--shard I/N` run compares the folders of its shard
    only, so a duplicate split across two shards is not seen by either. Run
    one whole `pcplan check` (CI's unsharded job, or a nightly one) to
    compare every member. A documented exception does not cover this
    comparison (it is made after exceptions apply); `ignore` and per-path
    ignores do.

    How to fix: renumber one of the two items and update the references to it.
    For a member id used twice: if both folders are the same person, move
    the files into one folder and delete the other; if not, give the later
    member the id your agency assigned them. For two folder names that
    differ only in case or accents, rename one folder (`git mv`).

    Example:
        # wrong
        - id: G2
          own_words: I want to work.
        - id: G2
          own_words: I want to feel calm.
        # right: the second is G3
        # wrong: members/M-000123/member.yaml and members/M-000124/member.yaml
        #   both say `id: M-000123`
        # right: members/M-000124/member.yaml says `id: M-000124`
    """
    first: dict[str, tuple] = {}
    # The loader noted the file's ids: only a file where one repeats is walked for their paths.
    noted = doc.loaded.ids if doc.data is doc.loaded.data else []
    for path, value in _ids(doc.data, ()) if noted is None or len(set(noted)) < len(noted) else ():
        if value in first:
            line, _ = doc.position(first[value])
            yield Hit(doc, path, f"id {shown_id(value)} is used twice in this file (first at line {line})")
        else:
            first[value] = path
    if case is not None and doc.kind in ("assessment", "plan") and doc.id:
        earlier = [d for d in case.documents if d.kind == doc.kind and d.id == doc.id]
        earlier.sort(key=lambda d: d.display_path)
        if earlier and earlier[0] is not doc:
            yield Hit(doc, ("id",), f"{doc.kind} id {shown_id(doc.id)} is also used by "
                      f"{shown_name(earlier[0].path.name)}; each {doc.kind} of a member needs its own id")


def _ids(data: Any, path: tuple) -> list[tuple[tuple, str]]:
    """Every ``id`` below the top level, with its data path, in file order."""
    found: list[tuple[tuple, str]] = []
    if isinstance(data, (dict, list)):
        _collect_ids(data, path, found)
    return found


def _collect_ids(data: dict | list, path: tuple, found: list) -> None:
    # A plain recursive function filling one list: every file is walked whole, and nested generators
    # (one per mapping, list and scalar) cost several times more.
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "id" and path and isinstance(value, str):
                found.append((path + (key,), value))
            elif isinstance(value, (dict, list)):
                _collect_ids(value, path + (key,), found)
    else:
        for index, value in enumerate(data):
            if isinstance(value, (dict, list)):
                _collect_ids(value, path + (index,), found)


@rule("E008", "stale-exception", "warning", scope="file")
def stale_exception(doc: Document, case: Case | None, ctx: RepositoryContext) -> Iterable[Hit]:
    """Every documented exception names a rule pcplan has, has a real period, and still covers a finding.

    Why it matters: an exception records why a rule cannot be met for this
    member ("member declined to sign; reason recorded"). Once the problem is
    fixed, a leftover exception would silently cover the same problem when it
    comes back, so it must go. An exception naming a code pcplan does not have
    (a typo such as `C310` for `C301`) can never apply, so the finding it was
    meant for still fails the run. (pcplan's own code: DESIGN.md asks for this
    report without naming a code.)

    How to fix: remove the exception, or correct its `rule` (and `about`) if it
    was meant for another finding; `pcplan rules` lists the codes. For a new
    miss of a date-driven rule that cannot be met either, document it with
    `from`/`until` around the day it was due. Which exceptions apply: those of
    the plan in effect (else the newest consented plan) cover the member's
    findings in any file; a plan being prepared (a draft, or a consented
    revision not yet in effect) covers the findings in its own file, so a
    refusal to sign can be documented in the revision itself; those of
    superseded plans apply to nothing. `from` and `until` (dates) bound an
    exception. For a date-driven rule (T201, T205, T207, T208, T210, T211,
    T212, T213, T214, H502, A604) they bound the occurrences it covers: a finding
    is covered when what was missed was due between `from` and `until`;
    without `until`, only what was already due when it was documented (`on`)
    is covered, and a later miss is a new finding. A finding that stands for
    several occurrences (a T205 contact gap that missed several due dates) is
    covered only when every one of them is, by one exception or several;
    otherwise it stays a finding that names the first due date left
    uncovered, and an exception that covers some of them is in use, not
    stale. For any other rule they
    bound the days the exception applies: after `until` the finding fails
    the run again. An exception is reported here when it covers no finding,
    except while its period has not begun or has not ended (it was written
    for that period); once its period is over it is reported if it covers
    nothing, unless it is for another rule and the problem is back (the
    finding, no longer excepted, says so). A `from` after the `until` is
    reported at the `until`.

    Example:
        exceptions:
          - rule: C301
            reason: Danny declined to sign; he agreed to the plan verbally.
            documented_by: cm-obello
            on: 2026-05-20
          - rule: T205
            reason: Elena was in the hospital and could not take calls.
            from: 2026-12-01
            until: 2027-01-31
            documented_by: cm-jlee
            on: 2027-02-01
    """
    return ()  # reported by the engine, which sees every finding of the member
