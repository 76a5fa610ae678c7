"""C-rules: informed consent and copies: who signed the plan, who got a copy, and what the member was told.

C301–C305 check the plan in effect (and any newer draft); C306 and C307 check
member.yaml, for every member, closed or not, because the record should show it.
"""

from __future__ import annotations

from typing import Iterator

from ..dates import parse_iso
from ..findings import Hit
from ..fingerprint import fingerprint, matches
from ..model import normalized_name, shown_id, text
from ..lifecycle import lifecycle
from .registry import rule

LEGAL_AUTHORITIES = {
    "legal_guardian": "legal guardian",
    "power_of_attorney": "power of attorney",
    "authorized_representative": "authorized representative",
}



def _legal_representatives(case) -> list[tuple[int, dict]]:
    """(index in member.yaml's `representatives`, entry) for each representative with legal authority."""
    if case.member is None:
        return []
    return [(index, rep) for index, rep in case.member.items("representatives")
            if isinstance(rep.get("authority"), str) and rep["authority"] in LEGAL_AUTHORITIES]


def _field_value(key: str, value) -> str:
    """``key: value`` to write, as a message may show it (text typed where a code belongs is not repeated)."""
    return f"`{key}: {value}`" if shown_id(value) != "(not an id)" else f"`{key}:`"


def _role(entry: dict) -> str | None:
    """An entry's `role` when it is text (a list or mapping typed there is E004's, and no role)."""
    role = entry.get("role")
    return role if isinstance(role, str) else None


def _section(doc, key: str) -> tuple[tuple, str]:
    """Where to report that a list is missing what it should hold: its key, else the document root."""
    return ((key,), "key") if key in doc.data else ((), "value")


def _signed(signature: dict) -> bool:
    return signature.get("refused") is not True and parse_iso(signature.get("signed_on")) is not None


def _documented_refusal(signature: dict) -> bool:
    return signature.get("refused") is True and text(signature, "refusal_reason") is not None


@rule("C301", "member-signature-missing", "error", source="42 CFR 441.301(c)(2); Weld CMA")
def member_signature_missing(case, ctx) -> Iterator[Hit]:
    """The member, or their legal representative, signed the plan (or a refusal to sign is
    documented with its reason).

    Why it matters: the plan is the member's plan, and the federal rule asks
    that it be finalized and agreed to with the person's informed consent, in
    writing, signed by the person (Weld CMA: the member or their legally
    authorized representative takes part in and approves the plan). Without a
    signature nobody can show the member agreed to it; a person may decline to
    sign, but then the record must say so and why.

    How to fix: add the member's signature (`role: member`) with the date it
    was signed, or the signature of a legal representative (guardian, power of
    attorney, authorized representative recorded in member.yaml) with
    `role: representative`. If the member declined to sign, record
    `refused: true` with a `refusal_reason`.

    Example:
        # wrong: no signature of the member
        signatures:
          - {role: case_manager, name: Jordan Lee, staff: cm-jlee, signed_on: 2026-09-03}
        # right
        signatures:
          - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}
          - {role: case_manager, name: Jordan Lee, staff: cm-jlee, signed_on: 2026-09-03}
        # also right: a documented refusal
        signatures:
          - {role: member, name: Elena, refused: true, refusal_reason: Wants to read it with her sister first.}
    """
    has_legal = bool(_legal_representatives(case))
    allowed = {"member", "representative"} if has_legal else {"member"}
    for plan in lifecycle(case, ctx.today).plans_to_check():
        signatures = plan.items("signatures")
        reported = False
        for index, signature in signatures:
            if (signature.get("role") in ("member", "representative") and signature.get("refused") is True
                    and text(signature, "refusal_reason") is None):
                reported = True
                who = "the member" if signature["role"] == "member" else "the representative"
                yield Hit(plan, ("signatures", index),
                          f"refusal recorded without a reason: {who} declined to sign; "
                          "add `refusal_reason:` saying why")
        if reported or any(_role(signature) in allowed and (_signed(signature) or _documented_refusal(signature))
                           for _, signature in signatures):
            continue
        unsigned = next(((index, s) for index, s in signatures
                         if _role(s) in allowed and s.get("refused") is not True), None)
        if unsigned is not None:
            index, signature = unsigned
            who = "the member's" if signature["role"] == "member" else "the legal representative's"
            where = ("signatures", index, "signed_on") if "signed_on" in signature else ("signatures", index)
            yield Hit(plan, where, f"{who} signature has no valid `signed_on` date; "
                      "record the date it was signed (YYYY-MM-DD)")
            continue
        note = ""
        if not has_legal and any(s.get("role") == "representative" for _, s in signatures):
            note = (" (a `role: representative` signature counts only for a legal representative, "
                    "and member.yaml records none)")
        where, at = _section(plan, "signatures")
        yield Hit(plan, where, "the plan is not signed by the member or a legal representative, nor is a refusal "
                  f"documented{note}; add their signature with `signed_on`, or `refused: true` with "
                  "`refusal_reason`", at=at)


@rule("C302", "provider-signature-missing", "warning", source="42 CFR 441.301(c)(2)")
def provider_signature_missing(case, ctx) -> Iterator[Hit]:
    """Every provider of a paid support signed the plan.

    Why it matters: the federal rule asks that the plan be signed by all
    individuals and providers responsible for its implementation. A provider's
    signature shows they have read the plan and agreed to deliver what it says,
    in the amount and at the frequency it says; without it the member has no
    assurance the service will match the plan.

    How to fix: add a `role: provider` signature whose `name` is the support's
    `provider` (spelled the same, case aside) with the date it was signed. Unpaid
    (natural) supports need no provider signature.

    Example:
        supports:
          - id: SP2
            paid: true
            provider: Sunrise Home Care
        signatures:
          - {role: provider, name: Sunrise Home Care, signed_on: 2026-09-08, method: electronic}
    """
    for plan in lifecycle(case, ctx.today).plans_to_check():
        signed, unsigned = set(), set()
        for _, signature in plan.items("signatures"):
            name = normalized_name(signature.get("name"))
            if signature.get("role") == "provider" and name:
                (signed if _signed(signature) else unsigned).add(name)
        seen = set()
        for index, support in plan.items("supports"):
            provider = normalized_name(support.get("provider"))
            if support.get("paid") is not True or provider is None or provider in seen:
                continue
            seen.add(provider)
            if provider in signed:
                continue
            label = f"support {support['id']}" if isinstance(support.get("id"), str) else "this support"
            if provider in unsigned:
                problem = "has a signature without a valid `signed_on` date (or declined to sign)"
            else:
                problem = "has not signed the plan"
            yield Hit(plan, ("supports", index, "provider"),
                      f"the provider of {label} (a paid support) {problem}; add a `role: provider` signature "
                      "with its name and `signed_on`")


def _copy_recorded(entry: dict) -> bool:
    """A copy given on a date, or declined with the reason recorded."""
    given = entry.get("copy_given") is True and parse_iso(entry.get("given_on")) is not None
    declined = entry.get("declined") is True and text(entry, "declined_reason") is not None
    return given or declined


def _incomplete_copy(plan, entries: list[tuple[int, dict]], who: str) -> Hit | None:
    """A hit at the most specific wrong field of a distribution entry for ``who``, if there is one."""
    for index, entry in entries:
        base = ("distribution", index)
        if entry.get("declined") is True:
            return Hit(plan, base + (("declined_reason",) if "declined_reason" in entry else ()),
                       f"{who} declined a copy but no reason is recorded; add `declined_reason:`")
        if entry.get("copy_given") is False:
            return Hit(plan, base + ("copy_given",),
                       f"{who} has not been given a copy of the plan (`copy_given: false`); give one and record "
                       "`given_on`, or record `declined: true` with `declined_reason`")
        if entry.get("copy_given") is True:
            return Hit(plan, base + (("given_on",) if "given_on" in entry else ()),
                       f"{who}'s copy has no valid `given_on` date; record when it was given (YYYY-MM-DD)")
        return Hit(plan, base, f"{who}'s distribution entry does not say whether a copy was given; add "
                   "`copy_given: true` and `given_on`, or `declined: true` with `declined_reason`")
    return None


@rule("C303", "copy-not-given", "error", source="Weld CMA; Love Focus ECM toolkit")
def copy_not_given(case, ctx) -> Iterator[Hit]:
    """The distribution records a copy of the plan given to the member and to each legal
    representative (or a documented decline).

    Why it matters: members and their legally authorized representatives take
    part in and approve the plan and are to be given a copy (Weld CMA); the
    person is always offered a copy to review, edit and suggest changes if it
    does not reflect their input (Love Focus). A plan the member never
    received is a plan they cannot hold anyone to.

    How to fix: add a `distribution` entry for the member (`role: member`), and
    one for each legal representative named in member.yaml (`role:
    representative`, `to:` their name), with `copy_given: true` and
    `given_on`. If someone declined a copy, record `declined: true` with
    `declined_reason`.

    Example:
        # wrong
        distribution:
          - {to: Elena, role: member, copy_given: false}
        # right
        distribution:
          - {to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: large_print, language: es}
    """
    legal = _legal_representatives(case)
    for plan in lifecycle(case, ctx.today).plans_to_check():
        entries = plan.items("distribution")
        where, at = _section(plan, "distribution")
        member_entries = [(i, e) for i, e in entries if e.get("role") == "member"]
        if not any(_copy_recorded(e) for _, e in member_entries):
            yield (_incomplete_copy(plan, member_entries, "the member")
                   or Hit(plan, where, "no copy of the plan is recorded as given to the member; add a "
                          "`distribution` entry with `role: member`, `copy_given: true` and `given_on`", at=at))
        for rep_index, rep in legal:
            name = normalized_name(rep.get("name"))
            mine = [(i, e) for i, e in entries
                    if e.get("role") == "representative" and name is not None and normalized_name(e.get("to")) == name]
            if any(_copy_recorded(e) for _, e in mine):
                continue
            who = f"the legal representative ({LEGAL_AUTHORITIES[rep['authority']]}, representatives[{rep_index}] " \
                  "in member.yaml)"
            yield (_incomplete_copy(plan, mine, who)
                   or Hit(plan, where, f"no copy of the plan is recorded as given to {who}; add a `distribution` "
                          "entry with `role: representative`, `to:` their name, `copy_given: true` and "
                          "`given_on`", at=at))


def _primary(code) -> str | None:
    if not isinstance(code, str) or not code.strip():
        return None
    return code.strip().replace("_", "-").split("-")[0].casefold()


@rule("C304", "copy-language", "warning", source="Love Focus ECM toolkit")
def copy_language(case, ctx) -> Iterator[Hit]:
    """The member's copy is in the member's preferred language and document format.

    Why it matters: a plan the member cannot read is not a plan they can
    understand, agree with or hold anyone to. Person-centered practice learns
    the person's linguistic preferences and writes the plan in their preferred
    language; the federal rule asks that it be understandable to the person.
    The same holds for format: large print, braille or electronic as the
    member asked.

    How to fix: give the member a copy in the language of `language.preferred`
    and in the `document_format` recorded in member.yaml (print if none is
    recorded), and record its `language` and `format` in the distribution
    entry.

    Example:
        # member.yaml: language: {preferred: es}, document_format: large_print
        distribution:
          # wrong
          - {to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: print, language: en}
          # right
          - {to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: large_print, language: es}
    """
    member = case.member
    if member is None:
        return
    language = member.get("language")
    preferred = language.get("preferred") if isinstance(language, dict) else None
    wanted_language = _primary(preferred)
    wanted_format = member.get("document_format", "print")
    if not isinstance(wanted_format, str):
        wanted_format = None
    for plan in lifecycle(case, ctx.today).plans_to_check():
        for index, entry in plan.items("distribution"):
            if entry.get("role") != "member" or entry.get("copy_given") is not True:
                continue
            base = ("distribution", index)
            if wanted_language is not None:
                given = entry.get("language")
                if "language" not in entry or _primary(given) is None:
                    yield Hit(plan, base + (("language",) if "language" in entry else ()),
                              f"the member's copy does not say its language; the member prefers {shown_id(preferred)}: "
                              f"give a copy in it and record {_field_value('language', preferred)}")
                elif _primary(given) != wanted_language:
                    yield Hit(plan, base + ("language",),
                              f"the member's copy is in {shown_id(given)} but the member prefers {shown_id(preferred)}; "
                              "give a copy in the member's language")
            if wanted_format is not None:
                given = entry.get("format")
                if "format" not in entry or not isinstance(given, str):
                    yield Hit(plan, base + (("format",) if "format" in entry else ()),
                              f"the member's copy does not say its format; the member asked for {shown_id(wanted_format)}: "
                              f"record {_field_value('format', wanted_format)}")
                elif given != wanted_format:
                    yield Hit(plan, base + ("format",),
                              f"the member's copy is in {shown_id(given)} format but the member asked for {shown_id(wanted_format)} "
                              "(`document_format` in member.yaml); give a copy in that format")


@rule("C305", "changed-after-signature", "error", source="Love Focus ECM toolkit (living document)")
def changed_after_signature(case, ctx) -> Iterator[Hit]:
    """The plan's content still matches the fingerprint recorded with each signature.

    Why it matters: the plan is a living document, revised as the person's
    situation changes, but a signature is consent to what the plan said when it
    was signed. When a goal, support or date changes afterwards, the signed
    consent no longer covers what the file says, and the member (and the
    providers) should see and sign the revised plan.

    How to fix: review the changes with the member and have the plan signed
    again, recording the new `fingerprint` (from `pcplan fingerprint PLAN`) and
    the new `signed_on`. If the change was only a typo fix outside the plan's
    meaning, the fingerprint does not change (formatting and key order do not
    count). Recording a fingerprint is optional; signatures without one are not
    checked.

    Example:
        # `pcplan fingerprint plan-2026-09-03.yaml` prints sha256:3f2a9c0d1e4b5a67
        signatures:
          - {role: member, name: Elena, signed_on: 2026-09-03, fingerprint: "sha256:3f2a9c0d1e4b5a67"}
    """
    for plan in lifecycle(case, ctx.today).plans_to_check():
        current = None
        for index, signature in plan.items("signatures"):
            recorded = signature.get("fingerprint")
            if not isinstance(recorded, str) or matches(recorded, plan.data):
                continue
            current = current or fingerprint(plan.data)
            yield Hit(plan, ("signatures", index, "fingerprint"),
                      f"the plan changed after this signature (recorded {recorded}, now {current}); "
                      "have it signed again")


def _recorded_date(case, key: str, what: str) -> Iterator[Hit]:
    member = case.member
    if member is None or not member.data:
        return
    if key not in member.data:
        yield Hit(member, (), f"member.yaml does not record when {what} (`{key}`); add the date")
    elif parse_iso(member.data[key]) is None:
        problem = "is empty" if member.data[key] in (None, "") else "is not a valid date"
        yield Hit(member, (key,), f"`{key}` {problem}; record when {what} (YYYY-MM-DD)")


@rule("C306", "rights-not-explained", "error", source="Weld CMA; Love Focus ECM toolkit")
def rights_not_explained(case, ctx) -> Iterator[Hit]:
    """member.yaml records the date the member's rights and responsibilities, including
    conflict-free case management, were explained.

    Why it matters: members are to be fully informed of their rights and
    responsibilities throughout service planning (Weld CMA), and person-centered
    practice includes basic education about one's rights in services,
    including the right to conflict-free case management under Medicaid home-
    and community-based services (Love Focus). A person who does not know
    their rights cannot use them.

    How to fix: explain the member's rights and responsibilities (in their
    language and format), then record the date in member.yaml as
    `rights_explained_on`.

    Example:
        rights_explained_on: 2026-08-03   # rights and responsibilities, incl. conflict-free case management
    """
    yield from _recorded_date(case, "rights_explained_on",
                              "the member's rights and responsibilities were explained")


@rule("C307", "choice-not-offered", "error", source="CMHPSM 13.003")
def choice_not_offered(case, ctx) -> Iterator[Hit]:
    """member.yaml records the date the member was offered a choice of case manager.

    Why it matters: consumers have the right to select their own case manager
    or supports coordinator, and staff are to give them the opportunity to say
    what they prefer (gender, age, culture, skills, experience) and explain
    clearly when a choice cannot be honored (CMHPSM consumer-choice
    guidelines). Recording when the choice was offered shows the assignment was
    the member's to make.

    How to fix: offer the member a choice of case manager, note any
    preferences in the assignment, and record the date in member.yaml as
    `choice_of_case_manager_offered_on`.

    Example:
        choice_of_case_manager_offered_on: 2026-08-03
    """
    yield from _recorded_date(case, "choice_of_case_manager_offered_on",
                              "the member was offered a choice of case manager")
