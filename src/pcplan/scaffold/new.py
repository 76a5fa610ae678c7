"""`pcplan new`: a correctly shaped case file with the next id, today's date and the right references.

The file checks with no schema error (E001–E007); the rules then say what the
case manager still has to fill in (a new plan has no signatures yet, so C301
fires, and so on). Where a person fills something in, the file says so in a
comment; nothing is made up that a rule exists to check (no participant, goal,
signature or copy is recorded that did not happen).

Where the file goes:

* ``new member``: ``members/<id>/member.yaml`` under the repository root (the
  folder with pcplan.toml, else .git, found upward from PATH or the current
  folder); when the root has no ``members/`` folder but all existing member
  folders share one parent folder, there. The id is the highest numbered member
  id in the repository plus one, zero-padded the same way (``M-000301`` →
  ``M-000302``; ``M-000001`` in an empty repository), unless ``--id`` names one.
* the other kinds: the member folder named by PATH (the folder, or any file or
  folder inside it) or by ``--member ID``: ``assessment-DATE.yaml``,
  ``plan-DATE.yaml``, ``notes/DATE.yaml`` (``notes/DATE-2.yaml`` when that
  exists, and so on) and ``closure.yaml``.

``new member`` refuses to run outside a case repository (no pcplan.toml or
staff.yaml at the root found upward, and no member folders): `pcplan init`
makes one. A staff id given as ``--case-manager``, ``--assessor`` or
``--staff`` must be listed in staff.yaml (:mod:`pcplan.scaffold.staff`).

An existing file is never replaced: the request fails instead, naming what to
do next.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ..config import Settings, find_root, load_config
from ..dates import add_months, parse_iso
from ..facts.acting import IN_FORCE, SPEAKS_FOR, acts_on
from ..facts.lifecycle import Lifecycle, lifecycle
from ..facts.status import case_manager_of
from ..model import Case, Document, get_in, is_active_goal, load_case, text
from ..output import plural
from ..placeholders import TEMPLATE_TEXT
from . import ScaffoldError
from .staff import ID as _ID
from .staff import StaffList, staff_list, suggest
from .yamltext import Text, scalar

KINDS = ("member", "assessment", "plan", "note", "closure")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_NUMBERED = re.compile(r"^(.*?)([0-9]+)$")

# What a plan revision carries forward from the plan in effect, in the order written.
CARRIED = ("setting", "choices", "language", "what_matters", "goals", "deferred_needs", "supports", "strategies",
           "risk_mitigations", "rights_modifications", "monitoring")

# The options (without --) each kind takes besides PATH, --member, --today.
OPTIONS = {
    "member": ("legal_name", "preferred_name", "id", "language", "case_manager", "program"),
    "assessment": ("type", "assessor"),
    "plan": ("type", "assessment"),
    "note": ("staff", "contact"),
    "closure": ("reason",),
}

# An `Ask` gets (option, question, choices, required=True) and returns the answer, or raises
# ScaffoldError; a question that is not required may get None (not in a terminal, or left empty).
Ask = Callable[..., str | None]


@dataclass
class NewRequest:
    kind: str
    today: date
    target: Path | None = None  # PATH: a member folder (or a path inside one); for `member`, a repository folder
    member: str | None = None  # --member ID
    from_previous: bool = False
    values: dict[str, Any] = field(default_factory=dict)  # option name (without --) → value given
    cwd: Path | None = None


def _enum(kind: str, *keys: str) -> tuple[str, ...]:
    """The allowed values of a field, from the JSON Schema (one source of truth)."""
    from ..schema import schema_for

    node = schema_for(kind)
    for key in keys:
        node = node["items"] if key == "[]" else node["properties"][key]
    return tuple(node["enum"])


def asker(interactive: bool | None = None) -> Ask:
    """Prompt in a terminal (stdin is a TTY); otherwise a missing value is an error naming its option."""
    if interactive is None:
        interactive = sys.stdin.isatty()

    def ask(option: str, question: str, choices: tuple | None = None, required: bool = True) -> str | None:
        if not interactive:
            if not required:
                return None  # left for the person to fill in: the file says where
            hint = f" ({', '.join(choices)})" if choices else ""
            raise ScaffoldError(f"{question[0].lower() + question[1:]} is required: pass {option}{hint}")
        import typer

        extra = [", ".join(choices[:10]) + (", …" if len(choices) > 10 else "")] if choices else []
        if not required:
            extra.append("empty to fill in later")
        shown = f"{question} ({'; '.join(extra)})" if extra else question
        while True:
            # Not required: an empty answer is accepted (click re-asks on empty input without a default).
            if required:
                reply = typer.prompt(shown, err=True)
            else:
                reply = typer.prompt(shown, err=True, default="", show_default=False)
            answer = str(reply).strip()
            if not answer and not required:
                return None
            if not choices or answer in choices:
                return answer
            close = suggest(answer, tuple(choices))
            typer.echo(f"Please answer one of: {', '.join(choices)}"
                       + (f" (did you mean `{close}`?)." if close else "."), err=True)

    return ask


def new_file(request: NewRequest, ask: Ask | None = None) -> Path:
    """Write the file ``request`` asks for and return its path; ScaffoldError when it cannot."""
    ask = ask or asker(False)
    if request.kind not in KINDS:
        raise ScaffoldError(f"cannot make a `{request.kind}`; pcplan new makes {', '.join(KINDS)}")
    for name, value in request.values.items():
        if value is not None and name not in OPTIONS[request.kind]:
            users = [kind for kind, names in OPTIONS.items() if name in names]
            raise ScaffoldError(f"--{name.replace('_', '-')} is for `pcplan new {' / '.join(users)}`, "
                                f"not `{request.kind}`")
    cwd = (request.cwd or Path.cwd()).resolve()
    if request.kind == "member":
        if request.member:
            raise ScaffoldError("--member names an existing member; `pcplan new member` makes a new one (use --id)")
        return _new_member(request, cwd, ask)
    if request.from_previous and request.kind != "plan":
        raise ScaffoldError("--from-previous is for `pcplan new plan`")
    case, settings, root = _open_case(request, cwd)
    member_id = case.member_id
    if member_id is None:
        raise ScaffoldError(f"{_shown(case.member.path if case.member else case.folder, cwd)}: the member "
                            "record has no readable `id`; fix it first (pcplan check)")
    staff = staff_list(root, lambda p: _shown(p, cwd), request.today)
    make = {"assessment": _new_assessment, "plan": _new_plan, "note": _new_note, "closure": _new_closure}
    target, content = make[request.kind](request, case, settings, ask, staff)
    return _write(target, content, cwd, request.kind, root)


# ---------------------------------------------------------------- locating things


def _open_case(request: NewRequest, cwd: Path) -> tuple[Case, Settings, Path]:
    from ..config import ConfigError
    from ..rules import RULES
    from ..walk import enclosing_member_folder

    _refuse_links_out(request.target, cwd)
    start = _resolve(request.target, cwd) if request.target is not None else cwd
    if not start.exists():
        raise ScaffoldError(f"{request.target}: no such file or folder")
    root = find_root(start)
    try:
        config = load_config(root, set(RULES))
    except ConfigError as exc:
        raise ScaffoldError(str(exc)) from None
    folder = None
    if request.target is not None:
        folder = enclosing_member_folder(start, root)
        if folder is None:
            raise ScaffoldError(f"{request.target}: not in a member folder (a folder holding member.yaml); "
                                "name one, or pass --member ID")
    if request.member:
        if not _ID.match(request.member):
            raise ScaffoldError("--member: not a member id (such as M-000123)")
        found = [f for f, member_id in _member_folders(root, config.exclude) if member_id == request.member]
        if not found:
            raise ScaffoldError(f"no member.yaml under {_shown(root, cwd) or '.'} has the id `{request.member}`")
        if len(found) > 1:
            raise ScaffoldError(f"member id `{request.member}` is in more than one member.yaml: "
                                + ", ".join(_shown(f, cwd) for f in found))
        if folder is not None and folder != found[0]:
            raise ScaffoldError(f"{request.target} is not in the member folder of `{request.member}` "
                                f"({_shown(found[0], cwd)})")
        folder = found[0]
    if folder is None:
        folder = enclosing_member_folder(start, root)
    if folder is None:
        raise ScaffoldError(f"pcplan new {request.kind} needs a member: name the member folder "
                            f"(pcplan new {request.kind} members/M-000123) or pass --member ID")
    case = load_case(folder, root, config, cwd, show=lambda path: _shown(path, cwd))
    return case, config.settings, root


def _member_folders(root: Path, exclude: tuple[str, ...]) -> list[tuple[Path, str | None]]:
    """Every member folder of the repository with its member id (None when unreadable)."""
    from ..load import load_file
    from ..walk import MEMBER_FILES, walk

    out = []
    for folder, _files in walk(root, root, exclude).cases:
        member_file = next((folder / n for n in MEMBER_FILES if (folder / n).is_file()), None)
        data = load_file(member_file).data if member_file else None
        value = data.get("id") if isinstance(data, dict) else None
        out.append((folder, value if isinstance(value, str) else None))
    return out


def next_member_id(ids: list[str]) -> str:
    """The highest numbered id plus one, zero-padded like the others (``M-000001`` for none)."""
    numbered = [(m.group(1), int(m.group(2)), len(m.group(2))) for i in ids if (m := _NUMBERED.match(i))]
    if not numbered:
        return "M-000001"
    prefix = Counter(p for p, _, _ in numbered).most_common(1)[0][0]
    same = [(n, width) for p, n, width in numbered if p == prefix]
    return prefix + str(max(n for n, _ in same) + 1).zfill(max(width for _, width in same))


# A member id names its folder, and staff clone the repository on Windows and macOS too: an id must make a
# folder name every one of them keeps apart from the others and can open.
MAX_MEMBER_ID = 64  # characters: a folder name every file system takes, with room for the path above it
_WINDOWS_DEVICE = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?\Z", re.IGNORECASE)


def member_id_problem(member_id: str, existing: list[tuple[Path, str | None]], base: Path) -> str | None:
    """Why ``member_id`` cannot name a new member folder in ``base``, or None: too long; a `.yaml` name (a
    case file's); a trailing dot (Windows drops it); a name Windows keeps for a device (CON, PRN, AUX, NUL,
    COM0-9, LPT0-9, with any extension); the same, ignoring case and Unicode normalization (how Windows and
    macOS compare names), as an existing member's id or a name in ``base``."""
    if len(member_id) > MAX_MEMBER_ID:
        return f"is longer than {MAX_MEMBER_ID} characters (it names the member's folder)"
    if member_id.lower().endswith((".yaml", ".yml")):
        return "ends in .yaml, the name of a case file, not a folder; give the id without it"
    if member_id.endswith((".", " ")):
        return "ends in a dot, which Windows drops from a folder name; give the id without it"
    if _WINDOWS_DEVICE.match(member_id):
        return ("is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM0-COM9, LPT0-LPT9, with any "
                "extension): staff who clone the repository on Windows could not open the folder")
    key = _folded(member_id)
    for folder, other in existing:
        if other is not None and other != member_id and _folded(other) == key:
            return (f"differs from the member id `{other}` ({folder.name}) only in capitals or Unicode form: Windows "
                    "and macOS would take them for the same folder")
    try:
        with os.scandir(base) as entries:
            for entry in entries:
                if entry.name != member_id and _folded(entry.name) == key:
                    return (f"differs from the name `{entry.name}` in {base.name} only in capitals or Unicode form: "
                            "Windows and macOS would take them for the same folder")
    except OSError:
        pass  # no such folder yet: nothing to collide with
    return None


def _folded(name: str) -> str:
    """A name as a case-insensitive, normalizing file system compares it."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFC", name).casefold())


def _next_case_id(case: Case, kind: str, letter: str) -> str:
    """``A<n>``/``P<n>``: one above the highest in the member folder (broken files' ids counted too)."""
    numbers = [0]
    for doc in case.documents:
        value = doc.id if doc.kind == kind else _raw_id(doc) if doc.kind is None else None
        if value and (m := re.fullmatch(letter + r"([0-9]+)", value)):
            numbers.append(int(m.group(1)))
    return f"{letter}{max(numbers) + 1}"


def _raw_id(doc: Document) -> str | None:
    """The `id:` of a file that did not load, read from its text (so a broken file's id is not reused)."""
    try:
        found = re.search(r"^id:\s*[\"']?([A-Za-z0-9]+)", doc.path.read_text(encoding="utf-8", errors="replace"),
                          re.M)
    except OSError:
        return None
    return found.group(1) if found else None


def _resolve(path: Path, cwd: Path) -> Path:
    return (path if path.is_absolute() else cwd / path).resolve()


def shown(path: Path, cwd: Path | None = None) -> str:
    """A path as pcplan prints it: relative to the current folder when inside it."""
    return _shown(path, (cwd or Path.cwd()).resolve())


def _shown(path: Path, cwd: Path) -> str:
    try:
        return path.resolve().relative_to(cwd).as_posix()
    except ValueError:
        return str(path)


def _refuse_links_out(target: Path | None, cwd: Path) -> None:
    """PATH as typed must not pass through a link the repository holds that leads out of it (a member folder
    linked to another user's files): resolved first, it would make pcplan write there."""
    from ..output import links_out

    problem = links_out(target, cwd) if target is not None else None
    if problem:
        raise ScaffoldError(f"{target}: {problem}")


def _write(target: Path, content: str, cwd: Path, kind: str, root: Path | None = None) -> Path:
    """Write a new case file; with ``root`` (the repository), only through its own folders: no symbolic link
    between the root and the file (pcplan.output, ``within``)."""
    from ..load import load_text
    from ..output import OutputError, make_folders, refuse_links, remove_empty, write_atomically
    from ..schema import identify

    try:
        refuse_links(target, within=root, shown=_shown(target.parent, cwd) + "/" + target.name)  # a planted link
    except OutputError as exc:
        raise ScaffoldError(str(exc)) from None
    if target.exists():
        raise ScaffoldError(f"{_shown(target, cwd)}: exists; pcplan new never writes over a file: "
                            f"{next_step(kind)}")
    loaded = load_text(content, target)  # a last guard: what we write must read back as a case file
    if not loaded.ok or identify(loaded.data)[0] is None:  # pragma: no cover - a bug in pcplan, not in the input
        raise ScaffoldError(f"{_shown(target, cwd)}: internal error: the scaffold does not read back")
    try:
        made = make_folders(target.parent, within=root)
    except OutputError as exc:
        raise ScaffoldError(str(exc)) from None
    try:
        write_atomically(target, lambda stream: stream.write(content), within=root)
    except OutputError as exc:
        remove_empty(made)  # a failed write (a full disk) leaves no empty member folder blocking the next try
        if target.exists() or target.is_symlink():  # another run (or an editor) wrote it first: it is kept
            raise ScaffoldError(f"{_shown(target, cwd)}: was created by another run while pcplan was writing; "
                                f"it is kept as it is: {next_step(kind)}") from None
        raise ScaffoldError(str(exc)) from None
    return target


def next_step(kind: str) -> str:
    """What to do when the file `pcplan new KIND` would write exists (``new`` has no option to replace it)."""
    if kind == "member":
        return "run `pcplan new member` again for the next member id"
    if kind == "note":
        return "run `pcplan new note` again for the next note of the day"
    return f"edit the existing {kind} instead"  # its name is its date: running again finds it again


def _value(request: NewRequest, name: str) -> str | None:
    value = request.values.get(name)
    if isinstance(value, str):
        value = _typed(name, value.strip())
    return value or None


def _typed(name: str, value: str) -> str:
    """``value`` if it is text that can be written as UTF-8; a ScaffoldError naming the option if not.

    A terminal set to another encoding hands Python bytes that are not UTF-8 as lone
    surrogates; written out they would not read back. Any other character (a line
    separator pasted from a web page, a control character) is written escaped.
    """
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ScaffoldError(f"--{name.replace('_', '-')}: not valid text (the terminal passed bytes that are not "
                            "UTF-8); set the terminal to UTF-8 and type it again")
    return value


def _required(request: NewRequest, ask: Ask, name: str, question: str, choices: tuple | None = None) -> str:
    value = _value(request, name) or ask("--" + name.replace("_", "-"), question, choices)
    value = _typed(name, value.strip()) if isinstance(value, str) else value
    if not value:
        raise ScaffoldError(f"--{name.replace('_', '-')}: must not be empty")
    if choices and value not in choices:
        raise ScaffoldError(_not_one_of(name, choices, value))
    return value


def _choice(request: NewRequest, name: str, choices: tuple, default: str) -> str:
    value = _value(request, name) or default
    if value not in choices:
        raise ScaffoldError(_not_one_of(name, choices, value))
    return value


def _not_one_of(name: str, choices: tuple, value: str) -> str:
    close = suggest(value, tuple(choices))
    return (f"--{name.replace('_', '-')} must be one of {', '.join(choices)}, not `{value}`"
            + (f"; did you mean `{close}`?" if close else ""))


def _staff_id(request: NewRequest, name: str, staff: StaffList) -> str | None:
    """The staff id given as ``--NAME``, checked against staff.yaml; None when not given."""
    value = _value(request, name)
    return None if value is None else staff.check(f"--{name.replace('_', '-')}", value)


def _case_manager(case: Case, today: date, life: Lifecycle) -> str | None:
    return case_manager_of(case, today, life)


def _episode_has(life: Lifecycle, today: date, documents: list[Document]) -> bool:
    """Whether the episode a file written today belongs to already holds one of ``documents`` (DESIGN.md,
    "Episodes": the first assessment and plan of each episode are `initial`). After a closure with no
    enrollment since, a file written today opens the next episode: it holds nothing yet."""
    episode = life.episode_of(today)
    return episode is not None and any(d.date is not None and d.date <= today and life.episode_of(d.date) is episode
                                       for d in documents)


def _preferred_name(case: Case) -> str | None:
    name = case.member.get("name") if case.member is not None else None
    return text(name, "preferred") or text(name, "legal")


def _ids(doc: Document | None, key: str) -> list[str]:
    if doc is None:
        return []
    return [item["id"] for _, item in doc.items(key) if isinstance(item.get("id"), str)]


# ---------------------------------------------------------------- member


def _new_member(request: NewRequest, cwd: Path, ask: Ask) -> Path:
    from ..config import ConfigError
    from ..rules import RULES

    _refuse_links_out(request.target, cwd)
    start = _resolve(request.target, cwd) if request.target is not None else cwd
    if not start.is_dir():
        raise ScaffoldError(f"{request.target}: no such folder (name a folder in the case repository)")
    root = find_root(start)
    try:
        config = load_config(root, set(RULES))
    except ConfigError as exc:
        raise ScaffoldError(str(exc)) from None
    existing = _member_folders(root, config.exclude)
    staff = staff_list(root, lambda p: _shown(p, cwd), request.today)
    if config.path is None and staff.path is None and not existing:
        where = "the current folder" if start == cwd else _shown(start, cwd)
        at = "" if root == start else f" in {_shown(root, cwd) or '.'}"
        raise ScaffoldError(f"not in a case repository: no pcplan.toml in {where} or a folder above, and no "
                            f"staff.yaml{at}; start one with `pcplan init`, then run `pcplan new member` in it")
    taken = {member_id for _, member_id in existing if member_id}
    member_id = _value(request, "id")
    given = member_id is not None
    if member_id is None:
        member_id = next_member_id(sorted(taken))
    elif not _ID.match(member_id):
        raise ScaffoldError(f"--id: `{member_id}` is not a member id (letters, digits, `.`, `_`, `-`; "
                            "such as M-000123)")
    elif member_id in taken:
        holder = next(f for f, i in existing if i == member_id)
        raise ScaffoldError(f"member id `{member_id}` is taken ({_shown(holder, cwd)})")
    parents = {folder.parent for folder, _ in existing}
    base = root / "members"
    if not base.is_dir() and len(parents) == 1:
        base = parents.pop()
    problem = member_id_problem(member_id, existing, base)
    if problem:
        raise ScaffoldError(f"--id: `{member_id}` {problem}" if given else
                            f"the next member id, `{member_id}`, {problem}; name one with --id")
    folder = base / member_id
    if folder.exists():
        raise ScaffoldError(f"{_shown(folder, cwd)}: exists; pcplan new never writes over a member folder")

    language = _value(request, "language")
    if language is not None and not _LANGUAGE.match(language):
        raise ScaffoldError(f"--language: `{language}` is not a language code (such as en, es or pt-BR)")
    manager = _staff_id(request, "case_manager", staff)  # checked before anything is asked
    legal = _required(request, ask, "legal_name", "Legal name (as on official records)")
    preferred = _required(request, ask, "preferred_name", "Preferred name (what the member wants to be called)")
    if manager is None and staff.ids:  # in a terminal: offered from staff.yaml, case managers first
        manager = ask("--case-manager", "Case manager (a staff id)", staff.choices, required=False)
    program = _value(request, "program")
    content = member_text(member_id, legal, preferred, request.today, language=language, case_manager=manager,
                          program=program)
    return _write(folder / "member.yaml", content, cwd, "member", root)


def member_text(member_id: str, legal: str, preferred: str, today: date, *, language: str | None = None,
                case_manager: str | None = None, program: str | None = None) -> str:
    day = today.isoformat()
    t = Text()
    t.comment("The member's record. Fill in the commented fields with the member and uncomment them;",
              "`pcplan check` says what is still missing. Dates are YYYY-MM-DD.")
    t.field("kind", "member").field("version", 1).field("id", member_id, "unique in the agency")
    t.raw("name:")
    t.field("legal", legal, "as on official records", indent=2)
    t.field("preferred", preferred, "what the member wants to be called; plans use it", indent=2)
    t.comment("pronouns: they/them", "birth_date: 1990-01-31")
    if language:
        t.raw("language:")
        t.field("preferred", language, "a language code: en, es, so, pt-BR…", indent=2)
        t.comment("interpreter_needed: true        # true if the member needs an interpreter", indent=2)
    else:
        t.comment("The member's preferred language (a code: en, es, so, pt-BR…) and whether they need an "
                  "interpreter:", "language:", "  preferred: en", "  interpreter_needed: false")
    t.comment("How the member wants documents: print | large_print | braille | electronic",
              "document_format: print",
              "How they want their identity described: person_first | identity_first",
              "identity_language: person_first",
              "contact:",
              '  phone: "970-555-0100"          # phone numbers in quotes',
              "  address: 1 Main Street, Apt 2, Greeley, CO 80631")
    t.field("representatives", [], "people who represent or support the member:")
    t.comment("  - name: Full Name",
              "    relationship: sister",
              "    authority: supporter          # legal_guardian | power_of_attorney | "
              "authorized_representative | supporter",
              '    phone: "970-555-0101"')
    if program:
        t.raw("programs:")
        t.raw(f"  - program: {scalar(program)}")
        t.field("enrolled_on", day, "the date the member was enrolled", indent=4)
        t.comment("referral_source: who referred the member",
                  "eligibility:",
                  f"  determined_on: {day}",
                  "  determined_by: cm-id            # a staff id, or the body that determined it",
                  "  basis: why the member is eligible, in a sentence or two", indent=4)
    else:
        t.field("programs", [], "programs the member is enrolled in:")
        t.comment("  - program: HCBS-EBD",
                  f"    enrolled_on: {day}",
                  "    referral_source: who referred the member",
                  "    eligibility:",
                  f"      determined_on: {day}",
                  "      determined_by: cm-id          # a staff id, or the body that determined it",
                  "      basis: why the member is eligible, in a sentence or two")
    t.comment("The date you explained the member's rights and responsibilities, including conflict-free case "
              "management:", f"rights_explained_on: {day}",
              "The date you offered the member a choice of case manager:",
              f"choice_of_case_manager_offered_on: {day}")
    if case_manager:
        t.raw("case_managers:")
        t.raw(f"  - staff: {scalar(case_manager)}")
        t.field("from", day, "the day the assignment began", indent=4)
        t.comment("assigned_by: sup-id             # who made the assignment",
                  "chosen_by_member: true          # true if the member chose this case manager",
                  "preferences: what the member asked for in a case manager", indent=4)
        t.field("reason", "Initial assignment.", indent=4)
    else:
        t.field("case_managers", [], "the current case manager, with the day the assignment began:")
        t.comment("  - staff: cm-id", f"    from: {day}", "    assigned_by: sup-id",
                  "    chosen_by_member: true", "    reason: Initial assignment.")
    t.field("status", "active", "referred | active | on_hold | closed")
    return str(t)


# ---------------------------------------------------------------- assessment


def _new_assessment(request: NewRequest, case: Case, settings: Settings, ask: Ask,
                    staff: StaffList) -> tuple[Path, str]:
    day = request.today.isoformat()
    life = lifecycle(case, request.today)  # once for the case: the episode and the case manager
    kind = _choice(request, "type", _enum("assessment", "type"),
                   "annual" if _episode_has(life, request.today, case.assessments) else "initial")
    assessor = _staff_id(request, "assessor", staff) or _case_manager(case, request.today, life)
    name = _preferred_name(case)
    t = Text()
    t.comment("An assessment with the member: what is important to them, their strengths, needs, barriers and",
              "risks. Number them S1…, N1…, B1…, R1…: the plan refers to them by these ids.")
    t.field("kind", "assessment").field("version", 1)
    t.field("id", _next_case_id(case, "assessment", "A"))
    t.field("member", case.member_id).field("date", day)
    t.field("type", kind, " | ".join(_enum("assessment", "type")))
    if assessor:
        t.field("assessor", assessor, "the staff id of who assessed")
    else:
        t.comment("assessor: cm-id                 # the staff id of who assessed")
    t.field("sources", ["interview"], "interview | records | family | observation | testing | provider")
    # who took part is what happened at the assessment: never filled in, not even the member (P409, P410)
    t.field("participants", [], "who took part, the member first:")
    t.comment(f"  - name: {scalar(name) if name else 'Full Name'}", "    role: member",
              "  - name: Full Name", "    role: sister")
    t.comment("What is important to the member, in their own words:",
              "important_to_me: ...")
    t.field("strengths", [], "what the member is good at, and who and what they can count on:")
    t.comment("  - id: S1", "    text: ...")
    t.field("needs", [], "what the member needs help with:")
    t.comment("  - id: N1",
              "    domain: health                # " + " | ".join(_enum("assessment", "needs", "[]", "domain")),
              "    text: ...", "    priority: 1")
    t.field("barriers", [], "what stands in the way, and which needs it affects:")
    t.comment("  - id: B1", "    text: ...", "    needs:", "      - N1")
    t.field("risks", [], "risks to the member's health or safety:")
    t.comment("  - id: R1", "    text: ...", "    level: medium               # low | medium | high")
    return case.folder / f"assessment-{day}.yaml", str(t)


# ---------------------------------------------------------------- plan


def _new_plan(request: NewRequest, case: Case, settings: Settings, ask: Ask, staff: StaffList) -> tuple[Path, str]:
    today = request.today
    life = lifecycle(case, today)  # once for the case: the previous plan, the episode, the case manager
    day = today.isoformat()
    assessment = _plan_assessment(request, case)
    previous = None
    if request.from_previous:
        # the plan in effect, else the newest plan of the episode (one whose period ended, else a draft)
        record = acts_on(case, today, prefer=SPEAKS_FOR, life=life)
        previous = record.plan if record is not None else None
        if previous is None:
            raise ScaffoldError(f"member {case.member_id} has no plan to carry forward; "
                                "leave out --from-previous to start a new plan")
        if not previous.loaded.ok or previous.kind != "plan":
            raise ScaffoldError(f"{previous.display_path}: cannot read the current plan; fix it first (pcplan check)")
    default_type = "revision" if previous is not None else \
        ("annual" if _episode_has(life, today, case.plans) else "initial")
    kind = _choice(request, "type", _enum("plan", "type"), default_type)
    manager = _case_manager(case, today, life)
    name = _preferred_name(case) or "the member"
    end = add_months(today, settings.review_interval_months) - timedelta(days=1)
    if previous is not None:
        previous_end = parse_iso(get_in(previous.data, "effective", "end"))
        if previous_end is not None and today <= previous_end <= end:
            end = previous_end

    t = Text()
    if previous is not None:
        t.comment(f"A revision of plan {previous.id or '(no id)'} ({previous.path.name}): its goals, supports, "
                  "strategies, risk mitigations,",
                  f"setting, choices, language and monitoring are carried forward. Go through them with {name},",
                  "change what changed, then collect new signatures and give copies (`pcplan fingerprint` this "
                  "file when it is signed).")
    else:
        t.comment(f"A person-centered plan, written with {name}. Fill in the commented fields and uncomment them;",
                  "`pcplan check` says what is still missing.")
    t.field("kind", "plan").field("version", 1)
    t.field("id", _next_case_id(case, "plan", "P"))
    t.field("member", case.member_id).field("date", day)
    t.field("type", kind, " | ".join(_enum("plan", "type")))
    t.field("assessment", assessment, "the assessment this plan is based on")
    _assessment_ids_comment(t, case, assessment)
    t.raw("meeting:")
    t.field("date", day, "the planning meeting", indent=2)
    t.comment("place: where it was held",
              f"chosen_by_member: true          # true when {name} chose the time and place",
              f"facilitator: member             # `member` when {name} led it, else a staff id"
              + (f" such as {manager}" if manager else ""), indent=2)
    t.field("participants", [], f"who took part, {name} first:", indent=2)
    t.comment(f"  - name: {name}", "    role: member",
              "  - name: Full Name", "    role: sister", "    invited_by_member: true", indent=2)
    carried = previous.data if previous is not None else {}
    if "setting" in carried:
        t.field("setting", carried["setting"])
    else:
        t.comment(f"Where {name} lives, that they chose it, and the options they considered:",
                  "setting:",
                  "  type: own_home                # " + " | ".join(_enum("plan", "setting", "type")),
                  "  chosen_by_member: true",
                  "  options_considered:",
                  "    - ...", "    - ...")
    if "choices" in carried:  # the choices offered (setting, services, providers, self-direction)
        t.field("choices", carried["choices"])
    t.raw("effective:")
    t.field("start", day, indent=2)
    t.field("end", end.isoformat(), f"at most {plural(settings.review_interval_months, 'month')} after the start",
            indent=2)
    if "language" in carried:  # the plan's text is still in that language (P406 grades it so)
        t.field("language", carried["language"], "the language the plan is written in")
    if "what_matters" in carried:
        t.field("what_matters", carried["what_matters"])
    else:
        t.comment("What matters to the member, in their own words:", "what_matters: ...")
    _carried_or_empty(t, carried, "goals", [
        "  - id: G1", "    own_words: what the member wants, in their own words",
        "    needs:            # the needs it answers", "      - N1",
        "    strengths:        # the strengths it draws on", "      - S1",
        f"    target_date: {end.isoformat()}", "    status: active",
        "    objectives:", "      - id: G1.1", "        text: ...", "        measure: ...",
        f"        target_date: {end.isoformat()}"], "each goal, in the member's own words:")
    _carried_or_empty(t, carried, "deferred_needs", [
        "  - need: N1", "    reason: why this need waits, agreed with the member"],
        "needs not addressed now, with the reason:")
    _carried_or_empty(t, carried, "supports", [
        "  - id: SP1", "    description: what the help is",
        "    paid: true                  # false for help from family, friends, neighbors",
        "    provider: who gives it", "    goals:", "      - G1",
        "    amount: 2", "    unit: hours",
        "    frequency: weekly           # as people say it: daily, 3 times a week, twice a month, "
        "every 2 weeks, monthly, once, as_needed",
        f"    start: {day}", f"    end: {end.isoformat()}"], "paid and unpaid help for each goal:")
    _carried_or_empty(t, carried, "strategies", [
        "  - barrier: B1", "    text: how the barrier will be overcome"], "a strategy for each barrier:")
    _carried_or_empty(t, carried, "risk_mitigations", [
        "  - risk: R1", "    mitigation: what reduces the risk",
        "    backup_plan: what happens if a support does not come"], "for each risk, what reduces it:")
    _carried_or_empty(t, carried, "rights_modifications", [], "any limit on a right, with its eight elements")
    if "monitoring" in carried:
        t.field("monitoring", carried["monitoring"])
    else:
        t.raw("monitoring:")
        # the recommended form (DESIGN.md, "Transfers and departures"): a transfer then needs no new plan
        t.field("responsible", "case_manager", "whoever is the member's case manager that day; or a staff id",
                indent=2)
        t.field("contacts", [], f"the contacts agreed with {name}:", indent=2)
        t.comment("  - type: face_to_face          # face_to_face | video | phone | collateral | written",
                  "    every: 3 months", "  - type: phone", "    every: 1 month", indent=2)
        t.comment(f"review_every: 6 months          # at most {plural(settings.review_interval_months, 'month')}",
                  indent=2)
    t.field("reviews", [], "periodic reviews held: date, by, outcome")
    t.field("signatures", [], f"{name} (or a legal representative), the case manager and each paid provider:")
    t.comment("  - role: member", f"    name: {name}", f"    signed_on: {day}", "    method: wet",
              "    fingerprint: sha256:...       # `pcplan fingerprint` of this file when signed")
    t.field("distribution", [], "the copies given:")
    member = case.member.data if case.member is not None else {}
    t.comment(f"  - to: {name}", "    role: member", "    copy_given: true", f"    given_on: {day}",
              f"    format: {text(member, 'document_format') or 'print'}",
              f"    language: {get_in(member, 'language', 'preferred') or 'en'}")
    t.field("exceptions", [], "a rule that cannot be met: rule, reason, documented_by, on")
    return case.folder / f"plan-{day}.yaml", str(t)


def _plan_assessment(request: NewRequest, case: Case) -> str:
    wanted = _value(request, "assessment")
    ids = [a.id for a in case.assessments if a.id]
    if wanted is not None:
        if wanted not in ids:
            raise ScaffoldError(f"--assessment: no assessment `{wanted}` in this member folder"
                                + (f" (there are {', '.join(ids)})" if ids else ""))
        return wanted
    if not case.assessments:
        raise ScaffoldError(f"member {case.member_id} has no assessment yet; a plan is based on one: "
                            f"pcplan new assessment --member {case.member_id}")
    latest = case.assessments[-1]
    if latest.id is None:
        raise ScaffoldError(f"{latest.display_path}: the latest assessment has no readable `id`; fix it first "
                            "(pcplan check) or pass --assessment")
    return latest.id


def _assessment_ids_comment(t: Text, case: Case, assessment_id: str) -> None:
    doc = next((a for a in reversed(case.assessments) if a.id == assessment_id), None)
    parts = [(label, _ids(doc, key)) for label, key in (("needs", "needs"), ("strengths", "strengths"),
                                                         ("barriers", "barriers"), ("risks", "risks"))]
    listed = [f"{label} {', '.join(found)}" for label, found in parts if found]
    if listed:
        t.comment(f"{assessment_id} records: " + "; ".join(listed) + ".")


def _carried_or_empty(t: Text, carried: dict, key: str, example: list[str], note: str) -> None:
    if key in carried:
        t.field(key, carried[key])
    else:
        t.field(key, [], note)
        if example:
            t.comment(*example)


# ---------------------------------------------------------------- note


def _new_note(request: NewRequest, case: Case, settings: Settings, ask: Ask, staff_ids: StaffList) -> tuple[Path, str]:
    today = request.today
    day = today.isoformat()
    contacts = _enum("note", "contact")
    life = lifecycle(case, today)  # once for the case: the case manager and the plan in force
    staff = _staff_id(request, "staff", staff_ids) or _case_manager(case, today, life)
    if staff is None:  # no case manager on record: who made the contact, from staff.yaml when it lists anyone
        staff = staff_ids.check("--staff", _required(request, ask, "staff", "Staff id of who made the contact "
                                                     "(such as cm-jlee)", staff_ids.choices or None))
    contact = _required(request, ask, "contact", "Contact type", contacts)
    record = acts_on(case, today, prefer=IN_FORCE, life=life)
    plan = record.plan if record is not None else None
    goals = [item["id"] for _, item in plan.items("goals")
             if isinstance(item.get("id"), str) and is_active_goal(item)] if plan else []
    name = _preferred_name(case)

    t = Text()
    t.comment("A note of one contact with or about the member. Dates are YYYY-MM-DD.")
    t.field("kind", "note").field("version", 1)
    t.field("member", case.member_id).field("date", day)
    t.field("staff", staff, "who made the contact")
    t.field("contact", contact, " | ".join(contacts))
    # Nothing that did not happen is filled in (DESIGN.md, "What counts as a contact"): who took part, the
    # goals talked about and what happened are left for the case manager; the narrative is the placeholder
    # every check reads as nothing written (pcplan.placeholders), so an unedited note is N802, not a contact.
    t.comment("Who took part, by name: the member as member.yaml names them, others by name and role. A contact",
              "with the member counts as one only when they are named here; with others only, it is collateral.",
              "with:")
    t.comment(f"  - {scalar(name)}" if name else "  - Full Name", "  - Full Name (sister)")
    t.comment("minutes: 30")
    about = f" of plan {plan.id or plan.path.name}" if goals and plan is not None else ""  # (goals only from a plan)
    t.field("progress", [], f"progress on the goals{about} you talked about, one entry each:")
    t.comment(*[line for goal in (goals or ["G1"]) for line in (f"  - goal: {goal}", f"    text: {TEMPLATE_TEXT}")])
    t.comment("How satisfied the member is with their plan and supports, in their words:",
              f"satisfaction: {TEMPLATE_TEXT}")
    t.field("unmet_needs", [], "needs the member raised that the plan does not meet yet")
    t.comment("What happened and what comes next, in plain words (until you write it, the note counts as no "
              "contact):")
    t.raw(f"text: {TEMPLATE_TEXT}")
    folder = case.folder / "notes"
    target = folder / f"{day}.yaml"
    number = 2
    while target.exists():
        target = folder / f"{day}-{number}.yaml"
        number += 1
    return target, str(t)


# ---------------------------------------------------------------- closure


def _new_closure(request: NewRequest, case: Case, settings: Settings, ask: Ask, staff: StaffList) -> tuple[Path, str]:
    day = request.today.isoformat()
    episode = lifecycle(case, request.today).current_episode
    if episode.closure is not None:  # a member re-enrolled after it is a new episode, with a closure of its own
        raise ScaffoldError(f"{episode.closure.display_path}: the case is already closed; a member who comes back "
                            "is re-enrolled (a new `programs` entry with `enrolled_on`) before a new closure")
    reasons = _enum("closure", "reason")
    reason = _required(request, ask, "reason", "Reason the case closes", reasons)
    name = _preferred_name(case) or "the member"
    t = Text()
    t.comment({"deceased": "The end of the case: the date is all a closure after a death records.",
               "lost_contact": "The end of the case: the attempts to reach the member, what happens next, and "
                               "the referrals given."}.get(
                  reason, "The end of the case: the exit interview, what happens next, and the referrals given."),
              "Set `status: closed` in member.yaml too.")
    t.field("kind", "closure").field("version", 1)
    t.field("member", case.member_id).field("date", day)
    t.field("reason", reason, " | ".join(reasons))
    if reason == "transferred":
        t.comment("transferred_to: the agency or program the case went to")
    if reason == "deceased":  # X701: a deceased closure records the date only
        name = "closure.yaml" if not (case.folder / "closure.yaml").exists() else f"closure-{day}.yaml"
        return case.folder / name, str(t)
    if reason == "lost_contact":  # X701: the attempts to reach the member, instead of an exit interview
        t.field("attempts", [], f"each attempt to reach {name}: on, method (phone | mail | visit | email | text | "
                "other), outcome")
        t.comment(f"  - on: {day}", "    method: phone", "    outcome: what came of it")
    else:
        t.comment(f"The exit interview with {name}:",
                  "exit_interview:",
                  f"  held_on: {day}",
                  "  summary: what the member said worked and what did not",
                  f"or, when {name} declined one:",
                  "exit_interview:",
                  "  declined: true",
                  "  declined_reason: ...")
    t.comment(f"What happens next for {name}:", "next_stage_plan: ...")
    t.field("referrals", [], "referrals and resources given:")
    t.comment("  - to: who", "    for: what", f"    on: {day}")
    t.comment(f"How {name} can come back to the agency:", "agency_can_still_help: ...")
    # one closure per episode: the first keeps the familiar name, later ones carry their date
    name = "closure.yaml" if not (case.folder / "closure.yaml").exists() else f"closure-{day}.yaml"
    return case.folder / name, str(t)


__all__ = ["KINDS", "CARRIED", "OPTIONS", "NewRequest", "asker", "new_file", "next_member_id", "next_step",
           "member_text", "shown"]
