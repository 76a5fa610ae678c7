"""C-rules: informed consent and copies: who signed the plan, who got a copy, and what the member was told.

C301–C305, C308 and C310 check the plan in effect (and any newer draft); C306, C307 and C309
check member.yaml, for every member, closed or not, because the record should show it.
"""

from __future__ import annotations

from typing import Iterator

from ..dates import clamped_plus_days, parse_iso, readable_amount
from ..findings import Hit
from ..fingerprint import fingerprint, matches
from ..lifecycle import LEGAL_AUTHORITIES, legal_names, legal_representatives, lifecycle
from ..model import label as item_label, normalized_name, shown_id, text
from .registry import rule
from .staff import ASSIGNMENTS, _assignment_label  # C309 speaks of assignments as A601–A606 do


def _paid_providers(plan) -> Iterator[tuple[int, str, str]]:
    """(index in `supports`, provider name as matched, "support SP2") for the first paid support of each
    provider (C302 and C310 ask once per provider)."""
    seen: set[str] = set()
    for index, support in plan.items("supports"):
        provider = normalized_name(support.get("provider"))
        if support.get("paid") is not True or provider is None or provider in seen:
            continue
        seen.add(provider)
        yield index, provider, item_label(support, "support")


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
    conflict-free case management, were explained, on or before the consent of the first plan.

    Why it matters: members are to be fully informed of their rights and
    responsibilities throughout service planning (Weld CMA), and person-centered
    practice includes basic education about one's rights in services,
    including the right to conflict-free case management under Medicaid home-
    and community-based services (Love Focus). A person who does not know
    their rights cannot use them, and cannot give informed consent to a plan:
    so the explanation comes before the member (or legal representative)
    agrees to the first plan, not after.

    How to fix: explain the member's rights and responsibilities (in their
    language and format), then record the date in member.yaml as
    `rights_explained_on`. It must be on or before the consent date of the
    first consented plan of the member's current episode: a member enrolled
    again after a closure has them explained again, and the field then holds
    the new date. If they were explained before consent but recorded with the
    wrong date, correct the date; if they were explained late, document an
    exception (rule C306) in the plan in effect saying so.

    Example:
        # the first plan was signed by the member on 2026-09-03
        rights_explained_on: 2026-09-10   # wrong: after the member agreed to the plan
        rights_explained_on: 2026-08-03   # right: rights and responsibilities, incl. conflict-free case management
    """
    member = case.member
    if member is None or not member.data:
        return
    if "rights_explained_on" not in member.data or parse_iso(member.data["rights_explained_on"]) is None:
        yield from _recorded_date(case, "rights_explained_on",
                                  "the member's rights and responsibilities were explained")
        return
    explained = parse_iso(member.data["rights_explained_on"])
    life = lifecycle(case, ctx.today)
    episode = life.current_episode
    consented = [r for r in life.plans if r.episode is episode and life.consented(r)]
    if not consented:
        return  # no plan agreed to yet in this episode: the explanation is not late
    first = min(consented, key=lambda r: (r.consent_on, r.order))
    if explained > first.consent_on:
        yield Hit(member, ("rights_explained_on",),
                  f"`rights_explained_on` is {explained.isoformat()}, after the member agreed to the first plan "
                  f"({first.label}, consented on {first.consent_on.isoformat()}); rights and responsibilities "
                  "must be explained on or before that consent: correct the date if they were explained earlier, "
                  "or document an exception")
    elif not episode.holds(explained) and episode.begins_after is not None:
        yield Hit(member, ("rights_explained_on",),
                  f"`rights_explained_on` is {explained.isoformat()}, in an earlier episode (the case closed on "
                  f"{episode.begins_after.isoformat()}); the member was enrolled again and agreed to "
                  f"{first.label} on {first.consent_on.isoformat()}: explain the rights again and record the new "
                  "date")


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


# How many days one period of a support's `frequency` lasts (a support given "as needed" or "once" has none).
_PERIOD_DAYS = {"daily": 1.0, "weekly": 7.0, "biweekly": 14.0, "monthly": 365.25 / 12, "quarterly": 365.25 / 4,
                "yearly": 365.25}


def _unit(value) -> str | None:
    """A support's unit for comparison: case and a plural "s" aside (hours = Hour)."""
    name = normalized_name(value)
    return name[:-1] if name is not None and name.endswith("s") and len(name) > 1 else name


def _amount(value) -> float | None:
    """A positive amount as a float; None when not a number, or beyond what pcplan reads (E004 says so)."""
    amount = readable_amount(value)
    return float(amount) if amount is not None and amount > 0 else None


def _reduction(old: dict, new: dict) -> str | None:
    """How a support kept in a revision gives the member less than before, in words for a message (ids,
    codes, numbers and dates only), or None.

    Less means: a lower amount of the same unit per the same time (so 4 hours weekly → 6 hours biweekly is
    less, 4 hours weekly → 10 hours biweekly is not); given less often when the amounts cannot be compared;
    a recurring support made `once` or `as_needed`; or an earlier end.
    """
    old_every, new_every = old.get("frequency"), new.get("frequency")
    old_amount, new_amount = _amount(old.get("amount")), _amount(new.get("amount"))
    same_unit = _unit(old.get("unit")) is not None and _unit(old.get("unit")) == _unit(new.get("unit"))
    recurring = old_every in _PERIOD_DAYS and new_every in _PERIOD_DAYS
    if same_unit and old_amount is not None and new_amount is not None and \
            (old_every == new_every or recurring):
        old_rate = old_amount / _PERIOD_DAYS.get(old_every, 1.0)
        new_rate = new_amount / _PERIOD_DAYS.get(new_every, 1.0)
        if new_rate < old_rate * (1 - 1e-9):
            return (f"a lower amount for the time ({old_amount:g} {shown_id(old_every)} → {new_amount:g} "
                    f"{shown_id(new_every)})" if old_every != new_every else
                    f"a lower amount ({old_amount:g} → {new_amount:g}, {shown_id(new_every)})")
    elif recurring and _PERIOD_DAYS[new_every] > _PERIOD_DAYS[old_every]:
        return f"given less often ({shown_id(old_every)} → {shown_id(new_every)})"
    if old_every in _PERIOD_DAYS and new_every in ("once", "as_needed"):
        return f"no longer on a schedule ({shown_id(old_every)} → {shown_id(new_every)})"
    old_end, new_end = parse_iso(old.get("end")), parse_iso(new.get("end"))
    if new_end is not None and (old_end is None or new_end < old_end):
        was = f"was {old_end.isoformat()}" if old_end is not None else "it had no end date"
        return f"it ends earlier ({new_end.isoformat()}, {was})"
    return None


def _notices(plan) -> dict[str, list[tuple[int, dict]]]:
    """The revision's `notices`, by support id."""
    found: dict[str, list[tuple[int, dict]]] = {}
    for index, entry in plan.items("notices"):
        if isinstance(entry.get("support"), str):
            found.setdefault(entry["support"], []).append((index, entry))
    return found


@rule("C308", "change-without-notice", "error", source="Weld County CMA policy; 42 CFR 431.211")
def change_without_notice(case, ctx) -> Iterator[Hit]:
    """A revision that ends or reduces a paid support of the plan it replaces records notice to the
    member at least `notice_days` (default 10) before the change, unless the member asked for it.

    Why it matters: the member is to be informed in advance of any change to
    their services (Weld CMA), and a Medicaid agency must mail notice at
    least 10 days before the date of an action that terminates, suspends or
    reduces services (42 CFR 431.211), so the member can ask questions,
    appeal, and keep services while an appeal is heard. A support that quietly
    shrinks in a revised plan is a reduction the member was never told about.

    How to fix: give the member (or legal representative) notice of the
    change, then record it in the revision under `notices`: the `support` id,
    `given_on` and `method` (mail, in_person, phone or electronic). When the
    member asked for the change, record `requested_by_member: true` instead.
    A revision (`type: revision`) is compared, support id by support id, with
    the consented plan it replaces (the latest consented plan before it in the
    same episode): a paid support that is missing from the revision, or no
    longer paid, is ended; one kept with less of the same unit over the same
    time (6 hours weekly → 4 hours weekly, or → 6 hours biweekly; 10 hours
    biweekly is more), given less often when the amounts cannot be compared
    (another unit), made `once` or `as_needed`, or ending earlier is reduced. The change date is the revision's `effective.start`,
    or the support's new `end` when that is earlier; notice is due
    `settings.notice_days` days before it; a missing notice is reported once
    that day has passed. Drafts are judged too: a revision awaiting
    signature still changes the member's services on the date it gives. A
    revision that lists no `supports` at all is not compared (L-rules report
    it), and a support that had ended as planned before the change is not
    taken away.

    Example:
        # plan P1 had SP2: 6 hours weekly of personal care; revision P2 starts 2027-02-01
        supports:
          - id: SP2
            paid: true
            amount: 4
            unit: hours
            frequency: weekly
        notices:
          - {support: SP2, given_on: 2027-01-15, method: mail}           # right: 17 days before
          - {support: SP3, requested_by_member: true}                     # SP3 ended at the member's request
    """
    life = lifecycle(case, ctx.today)
    days = ctx.settings.notice_days
    for plan in life.plans_to_check():
        if plan.get("type") != "revision" or "supports" not in plan.data:
            continue
        record = life.record(plan)
        earlier = [r for r in life.plans if r.episode is record.episode and r.order < record.order
                   and r is not record and life.consented(r)]
        if not earlier or record.start is None:
            continue
        replaced = max(earlier, key=lambda r: r.order)
        kept = {s["id"]: (i, s) for i, s in plan.items("supports") if isinstance(s.get("id"), str)}
        notices = _notices(plan)
        for _, old in replaced.plan.items("supports"):
            support_id = old.get("id")
            if old.get("paid") is not True or not isinstance(support_id, str):
                continue
            old_end = parse_iso(old.get("end"))
            index, new = kept.get(support_id, (None, None))
            if new is None or new.get("paid") is False:
                change = "ends", " (no longer paid)" if new is not None else " (not in the revision)"
                on = record.start
            else:
                how = _reduction(old, new)
                if how is None:
                    continue
                change = "reduces", f": {how}"
                new_end = parse_iso(new.get("end"))
                on = min(record.start, new_end) if new_end is not None else record.start
            if old_end is not None and old_end < on:
                continue  # it had ended as planned before the change: nothing is taken away
            where = ("supports", index) if new is not None else ("supports",)
            at = "value" if new is not None else "key"
            yield from _judge_notice(plan, where, at, notices.get(support_id, []), support_id, change, on,
                                     days, replaced.label, record.label, ctx.today)


def _judge_notice(plan, where, at, notices, support_id, change, on, days, replaced, label, today) -> Iterator[Hit]:
    """The finding, if any, for one ended or reduced paid support (C308)."""
    if any(entry.get("requested_by_member") is True for _, entry in notices):
        return
    due = clamped_plus_days(on, -days)  # a change in the calendar's first days: notice was due on its first
    verb, detail = change
    what = f"{label} {verb} paid support {shown_id(support_id)} of {replaced} on {on.isoformat()}{detail}"
    given = sorted((day, index) for index, entry in notices if (day := parse_iso(entry.get("given_on"))) is not None)
    if given:
        day, index = given[0]
        if day > due:
            gap = (on - day).days
            when = (f"{gap} day{'s' if gap != 1 else ''} before the change" if gap > 0 else
                    "on the day of the change" if gap == 0 else "after the change")
            yield Hit(plan, ("notices", index, "given_on"),
                      f"{what}; the member's notice was given on {day.isoformat()}, "
                      f"{when}, but at least {days} days are required "
                      f"(by {due.isoformat()}): give notice again and move the change date, or record "
                      "`requested_by_member: true` if the member asked for it", due=due)
        return
    if today <= due:
        return  # notice can still be given in time
    yield Hit(plan, where, f"{what}; no notice to the member is recorded, and it was due by {due.isoformat()} "
              f"({days} days before the change): record it under `notices` ({_field_value('support', support_id)}, "
              "`given_on`, `method`), or `requested_by_member: true` if the member asked for the change",
              at=at, due=due)


@rule("C309", "choice-at-transfer", "warning", source="CMHPSM 13.003")
def choice_at_transfer(case, ctx) -> Iterator[Hit]:
    """Every change of case manager records whether the member chose the new one, and why a preference
    the member voiced could not be met.

    Why it matters: consumers have the right to select their own case
    manager, also when one is replaced; staff are to give them the chance to
    say what they prefer (gender, age, culture, skills, experience) and to
    explain clearly when a choice cannot be fully honored (CMHPSM
    consumer-choice guidelines). A transfer whose record is silent on choice
    cannot show it was fair, respectful and explained.

    How to fix: on the new assignment in member.yaml, record
    `chosen_by_member: true` when the member chose the new case manager, or
    `false` when they did not (not offered a choice, or left it to the
    agency; `reason` says why). When the member voiced `preferences` and did
    not choose the new case manager, record whether the new one meets them
    (`preferences_met: true`), or why it could not be done
    (`preference_unmet_reason`); `preferences_met: false` always needs the
    reason. A change is every assignment after the first of an episode, in
    order of `from`: the first assignment after an enrollment, including a
    re-enrollment after a closure, is an initial assignment, not a change
    (C307 records the choice offered at enrollment).

    Example:
        case_managers:
          - staff: cm-jlee
            from: 2025-12-15
            to: 2026-03-31
            reason: Initial assignment.
          - staff: cm-obello
            from: 2026-04-01
            chosen_by_member: false
            preferences: Asked for a man who speaks Somali.
            preferences_met: false
            preference_unmet_reason: No Somali-speaking case manager has an opening; an interpreter joins every visit.
            reason: Jordan Lee left the agency.
    """
    member = case.member
    if member is None:
        return
    life = lifecycle(case, ctx.today)
    dated = sorted((start, index, entry) for index, entry in member.items(ASSIGNMENTS)
                   if (start := parse_iso(entry.get("from"))) is not None)
    seen: set[int] = set()
    for start, index, entry in dated:
        episode = life.episode_of(start)
        number = episode.number if episode is not None else 0
        if number not in seen:
            seen.add(number)
            continue  # the first assignment of an episode is an initial assignment
        who = _assignment_label(index, entry)
        chosen = entry.get("chosen_by_member")
        if not isinstance(chosen, bool):
            if "chosen_by_member" not in entry:
                yield Hit(member, (ASSIGNMENTS, index),
                          f"{who} changes the case manager but does not record whether the member chose the new "
                          "one; add `chosen_by_member: true`, or `false` with the `reason`")
            continue  # a value of the wrong type is the schema's finding
        met = entry.get("preferences_met")
        if text(entry, "preferences") is None or text(entry, "preference_unmet_reason") is not None:
            continue
        if met is False:
            yield Hit(member, (ASSIGNMENTS, index),
                      f"{who} does not meet the preferences the member voiced (`preferences_met: false`) and does "
                      "not say why; add `preference_unmet_reason`")
        elif met is not True and chosen is False:
            yield Hit(member, (ASSIGNMENTS, index),
                      f"{who} was not the member's choice and does not say whether it meets the preferences the "
                      "member voiced; add `preferences_met: true`, or `preference_unmet_reason` saying why they "
                      "could not be met")


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
