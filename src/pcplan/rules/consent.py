"""C-rules: informed consent and copies: who signed the plan, who got a copy, and what the member was told.

C301–C305 and C310 check the plan in effect (and any newer draft); C306 and C307 check
member.yaml, for every member, closed or not, because the record should show it.
"""

from __future__ import annotations

from typing import Iterator

from ..dates import parse_iso
from ..findings import Hit
from ..fingerprint import fingerprint, matches
from ..lifecycle import LEGAL_AUTHORITIES, legal_names, legal_representatives, lifecycle
from ..model import normalized_name, shown_id, text
from .registry import rule

def _paid_providers(plan) -> Iterator[tuple[int, str, str]]:
    """(index in `supports`, provider name as matched, "support SP2") for the first paid support of each
    provider (C302 and C310 ask once per provider)."""
    seen: set[str] = set()
    for index, support in plan.items("supports"):
        provider = normalized_name(support.get("provider"))
        if support.get("paid") is not True or provider is None or provider in seen:
            continue
        seen.add(provider)
        yield index, provider, f"support {support['id']}" if isinstance(support.get("id"), str) else "this support"


def _field_value(key: str, value) -> str:
    """``key: value`` to write, as a message may show it (text typed where a code belongs is not repeated)."""
    return f"`{key}: {value}`" if shown_id(value) != "(not an id)" else f"`{key}:`"


def _section(doc, key: str) -> tuple[tuple, str]:
    """Where to report that a list is missing what it should hold: its key, else the document root."""
    return ((key,), "key") if key in doc.data else ((), "value")


def _signed(signature: dict) -> bool:
    return signature.get("refused") is not True and parse_iso(signature.get("signed_on")) is not None


@rule("C301", "member-signature-missing", "error", source="42 CFR 441.301(c)(2); Weld CMA")
def member_signature_missing(case, ctx) -> Iterator[Hit]:
    """The member, or a legal representative named in member.yaml, signed the plan (or a refusal
    to sign is documented with its reason); when member.yaml names a legal guardian, the guardian did.

    Why it matters: the plan is the member's plan, and the federal rule asks
    that it be finalized and agreed to with the person's informed consent, in
    writing, signed by the person (Weld CMA: the member or their legally
    authorized representative takes part in and approves the plan). Without a
    signature nobody can show the member agreed to it; a person may decline to
    sign, but then the record must say so and why. Only the member and the
    legal representatives member.yaml names (legal guardian, power of attorney,
    authorized representative, matched by name, case and spacing aside) can
    consent: a provider's, a case manager's or a supporter's signature is
    never consent, whatever `role` it claims. When a legal guardian is named,
    the guardian's signature (or documented refusal) is required, and the
    member's own signature alone does not make the plan consented. This is the
    consent that `pcplan due`, the date rules and `render` use: a plan without
    it is a draft.

    How to fix: add the member's signature (`role: member`) with the date it
    was signed, or the signature of a legal representative recorded in
    member.yaml (`role: representative`, `name:` as written there); with a
    guardian, the guardian's. If the member (or guardian) declined to sign,
    record `refused: true` with a `refusal_reason`. A provider or case manager
    signs with `role: provider` or `role: case_manager`.

    Example:
        # wrong: no signature of the member
        signatures:
          - {role: case_manager, name: Jordan Lee, staff: cm-jlee, signed_on: 2026-09-03}
        # wrong: the aide is not a legal representative
        signatures:
          - {role: representative, name: Sunrise Home Care, signed_on: 2026-09-03}
        # right
        signatures:
          - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}
          - {role: case_manager, name: Jordan Lee, staff: cm-jlee, signed_on: 2026-09-03}
        # right, with a guardian named in member.yaml (representatives: [{name: Grace Kim, authority: legal_guardian}])
        signatures:
          - {role: representative, name: Grace Kim, signed_on: 2026-05-20, method: wet}
        # also right: a documented refusal
        signatures:
          - {role: member, name: Elena, refused: true, refusal_reason: Wants to read it with her sister first.}
    """
    guardians, legal = legal_names(case.member)
    life = lifecycle(case, ctx.today)
    for plan in life.plans_to_check():
        if life.record(plan).consent_on is None:  # the lifecycle decides consent; this rule says why not
            yield _why_no_consent(plan, guardians, legal, _staff_names(ctx))


def _may_consent(signature: dict, guardians: dict, legal: dict) -> bool:
    """Whether this signer is one whose signature the consent definition asks for (to explain its absence)."""
    role, name = signature.get("role"), normalized_name(signature.get("name"))
    if guardians:
        return role == "representative" and name in guardians
    return role == "member" or (role == "representative" and name in legal)


def _staff_names(ctx) -> set[str]:
    """The agency's staff as signatures name them (staff.yaml `name`)."""
    staff = ctx.repo.staff
    if staff is None:
        return set()
    return {name for _, person in staff.items("staff") if (name := normalized_name(person.get("name")))}


def _why_no_consent(plan, guardians: dict, legal: dict, staff: set[str]) -> Hit:
    """The most specific reason an unconsented plan has no consent."""
    signatures = plan.items("signatures")
    signers = [(index, s) for index, s in signatures if _may_consent(s, guardians, legal)]
    for index, signature in signers:
        if signature.get("refused") is True and text(signature, "refusal_reason") is None:
            who = "the member" if signature["role"] == "member" else \
                ("the legal guardian" if guardians else "the representative")
            return Hit(plan, ("signatures", index), f"refusal recorded without a reason: {who} declined to sign; "
                       "add `refusal_reason:` saying why")
    for index, signature in signers:
        if signature.get("refused") is not True:
            who = "the member's" if signature["role"] == "member" else \
                ("the legal guardian's" if guardians else "the legal representative's")
            where = ("signatures", index, "signed_on") if "signed_on" in signature else ("signatures", index)
            return Hit(plan, where, f"{who} signature has no valid `signed_on` date; "
                       "record the date it was signed (YYYY-MM-DD)")
    for index, signature in signatures:
        name = normalized_name(signature.get("name"))
        if signature.get("role") == "representative" and not (name in legal and guardians):
            return _not_a_representative(plan, index, signature, name, staff)
    where, at = _section(plan, "signatures")
    if guardians:
        rep = min(guardians.values())
        member_signed = any(s.get("role") == "member" for _, s in signatures)
        note = " (the member's own signature is not consent while a guardian is named)" if member_signed else ""
        return Hit(plan, where, f"member.yaml names a legal guardian (representatives[{rep}]), whose signature is "
                   f"required, and the plan is not signed by the guardian nor is a refusal documented{note}; add the "
                   "guardian's signature (`role: representative`, `name:` as in member.yaml) with `signed_on`, or "
                   "`refused: true` with `refusal_reason`", at=at)
    return Hit(plan, where, "the plan is not signed by the member or a legal representative, nor is a refusal "
               "documented; add their signature with `signed_on`, or `refused: true` with `refusal_reason`", at=at)


def _is_provider(plan, name: str) -> bool:
    """Whether ``name`` is one of this plan's providers (a support's, a provider signature's or copy's)."""
    names = {normalized_name(s.get("provider")) for _, s in plan.items("supports")}
    names |= {normalized_name(s.get("name")) for _, s in plan.items("signatures") if s.get("role") == "provider"}
    names |= {normalized_name(e.get("to")) for _, e in plan.items("distribution") if e.get("role") == "provider"}
    return name in names


def _not_a_representative(plan, index: int, signature: dict, name: str | None, staff: set[str]) -> Hit:
    """A `role: representative` signature by someone who may not consent for the member, and why."""
    case_managers = {normalized_name(s.get("name")) for _, s in plan.items("signatures")
                     if s.get("role") == "case_manager"}
    if "staff" in signature or (name is not None and name in staff | case_managers):
        who = "agency staff (a case manager); a case manager's signature"
    elif name is not None and _is_provider(plan, name):
        who = "a provider of this plan; a provider's signature"
    else:
        who = ("someone member.yaml does not name as a legal representative (legal guardian, power of attorney or "
               "authorized representative); their signature")
    return Hit(plan, ("signatures", index), f"this `role: representative` signature is by {who} is never consent "
               "for the member; have the member or a legal representative named in member.yaml sign (with "
               "`role: representative` and `name:` as in member.yaml)")


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
        for index, provider, label in _paid_providers(plan):
            if provider in signed:
                continue
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
    legal = legal_representatives(case.member)
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
    """At least one copy given to the member is in the member's preferred language and document format.

    Why it matters: a plan the member cannot read is not a plan they can
    understand, agree with or hold anyone to. Person-centered practice learns
    the person's linguistic preferences and writes the plan in their preferred
    language; the federal rule asks that it be understandable to the person.
    The same holds for format: large print, braille or electronic as the
    member asked.

    How to fix: give the member a copy in the language of `language.preferred`
    and in the `document_format` recorded in member.yaml (print if none is
    recorded), and record its `language` and `format` in the distribution
    entry. One such copy is enough: an extra copy in another language or
    format (an English copy for a family member, an electronic one) is fine.
    When no copy fits, the finding points at the copy nearest to right (one
    in the right language first) and says what it lacks.

    Example:
        # member.yaml: language: {preferred: es}, document_format: large_print
        distribution:
          # wrong
          - {to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: print, language: en}
          # right
          - {to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: large_print, language: es}
          # also right, next to the one above: an extra copy in another format
          - {to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: electronic, language: es}
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
        copies = [(index, entry) for index, entry in plan.items("distribution")
                  if entry.get("role") == "member" and entry.get("copy_given") is True]
        judged = [(_fits(entry, "language", wanted_language, _primary),
                   _fits(entry, "format", wanted_format, lambda v: v if isinstance(v, str) else None), index, entry)
                  for index, entry in copies]
        if not judged or any(language_ok and format_ok for language_ok, format_ok, _, _ in judged):
            continue  # one copy the member can read is enough; extra copies in other forms are fine
        # the copy nearest to right (language first), told what it still lacks
        language_ok, format_ok, index, entry = max(judged, key=lambda j: (j[0], j[1], -j[2]))
        base = ("distribution", index)
        if not language_ok:
            given = entry.get("language")
            if "language" not in entry or _primary(given) is None:
                yield Hit(plan, base + (("language",) if "language" in entry else ()),
                          f"the member's copy does not say its language; the member prefers {shown_id(preferred)}: "
                          f"give a copy in it and record {_field_value('language', preferred)}")
            else:
                yield Hit(plan, base + ("language",),
                          f"the member's copy is in {shown_id(given)} but the member prefers {shown_id(preferred)}; "
                          "give a copy in the member's language")
        if not format_ok:
            given = entry.get("format")
            if "format" not in entry or not isinstance(given, str):
                yield Hit(plan, base + (("format",) if "format" in entry else ()),
                          f"the member's copy does not say its format; the member asked for {shown_id(wanted_format)}: "
                          f"record {_field_value('format', wanted_format)}")
            else:
                yield Hit(plan, base + ("format",),
                          f"the member's copy is in {shown_id(given)} format but the member asked for {shown_id(wanted_format)} "
                          "(`document_format` in member.yaml); give a copy in that format")


def _fits(entry: dict, key: str, wanted: str | None, read) -> bool:
    """Whether a copy's ``key`` is what the member wants (nothing wanted or known: any will do)."""
    return wanted is None or read(entry.get(key)) == wanted


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


@rule("C310", "copy-to-providers", "warning", source="42 CFR 441.301(c)(2)")
def copy_to_providers(case, ctx) -> Iterator[Hit]:
    """Every provider of a paid support is on the plan's distribution.

    Why it matters: the federal rule asks that the plan be distributed to the
    person and to the others involved in it, and signed by the providers
    responsible for carrying it out. A provider who never received the plan
    delivers the service from a referral form, not from what the member
    agreed to: the goals it serves, the amount and frequency, the backup plan
    and any rights modification.

    How to fix: add a `distribution` entry for each provider of a paid support,
    with `to:` the support's `provider` (spelled the same, case and spacing
    aside, as C302 matches signatures), `role: provider`, and `copy_given:
    true` with `given_on`. Unpaid (natural) supports need no entry; a provider
    with several supports needs one.

    Example:
        supports:
          - id: SP2
            paid: true
            provider: Sunrise Home Care
        distribution:
          - {to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: large_print, language: es}
          - {to: Sunrise Home Care, role: provider, copy_given: true, given_on: 2026-09-10, format: electronic}
    """
    for plan in lifecycle(case, ctx.today).plans_to_check():
        listed = {normalized_name(entry.get("to")) for _, entry in plan.items("distribution")} - {None}
        for index, provider, label in _paid_providers(plan):
            if provider in listed:
                continue
            yield Hit(plan, ("supports", index, "provider"),
                      f"the provider of {label} (a paid support) is not on the plan's distribution; add a "
                      "`distribution` entry with `to:` its name, `role: provider`, `copy_given: true` and "
                      "`given_on`")
