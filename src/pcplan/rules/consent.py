"""C-rules: informed consent and copies: who signed the plan, who got a copy, and what the member was told.

C301–C305, C308 and C310 check the plan in effect (and any newer draft); C306, C307 and C309
check member.yaml, for every member, closed or not, because the record should show it.
Signatures and copies wait for consent (DESIGN.md, "Draft"): on a draft, C302–C304 and C310 say
nothing and C301 only tells a record meant as consent that cannot be one; T213 alone says a draft
has waited too long.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..dates import parse_iso, plus_days
from ..facts.lifecycle import LEGAL_AUTHORITIES, authorities, legal_representatives
from ..findings import Hit
from ..fingerprint import fingerprint, matches
from ..model import Case, Document, normalized_name, shown_id, text
from .context import CaseContext
from .interpreters import interpreter_language, speaks_language
from .registry import rule
from .signatures import (
    copy_recorded,
    field_value,
    fits,
    incomplete_copy,
    not_a_representative,
    not_consent,
    paid_providers,
    primary_code,
    signature_dated,
    staff_names,
)
from .staff import ASSIGNMENTS, assignment_label  # C309 speaks of assignments as A601–A606 do
from .support_changes import continued_supports, judge_notice, notices_by_support, support_change


def _section(doc: Document, key: str) -> tuple[tuple, str]:
    """Where to report that a list is missing what it should hold: its key, else the document root."""
    return ((key,), "key") if key in doc.data else ((), "value")


def _consented_plans(case: Case, ctx: CaseContext) -> Iterator:
    """The plans checked that are consented by today: signature and copy rules wait for consent (a draft is
    T213's business until then)."""
    life = ctx.lifecycle
    return (plan for plan in life.plans_to_check() if life.consented(life.record(plan)))


def _due_from_consent(case: Case, ctx: CaseContext, days: int) -> Iterator:
    """The consented plans whose consent is more than ``days`` old today: what is owed within that many days
    of consent (a provider's signature, a provider's copy) is pending until then, not missing."""
    life = ctx.lifecycle
    for plan in _consented_plans(case, ctx):
        consent_on = life.record(plan).consent_on
        assert consent_on is not None  # a consented plan has its consent's day
        due = plus_days(consent_on, days)
        if due is not None and ctx.today > due:  # None: due past the calendar's end, never
            yield plan


@rule("C301", "member-signature-missing", "error", source="42 CFR 441.301(c)(2); Weld CMA")
def member_signature_missing(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The member, or a legal representative holding authority that day, signed the plan (or agreed
    and declined to sign, documented); when a legal guardian holds authority, the guardian signed.

    Why it matters: the plan is the member's plan, and the federal rule asks
    that it be finalized and agreed to with the person's informed consent, in
    writing, signed by the person (Weld CMA: the member or their legally
    authorized representative takes part in and approves the plan). Only the
    member and the legal representatives member.yaml names (legal guardian,
    power of attorney, authorized representative, matched by name, case and
    spacing aside) can consent, and a representative only while they hold that
    authority (`authority_from` / `authority_until` in member.yaml; none given
    means always). On a day a legal guardian holds authority, the guardian's
    signature is required: the member's own signature, or another
    representative's, is then not consent. A provider's, a case manager's or a
    supporter's signature is never consent, whatever `role` it claims. A
    person who agrees but will not put a signature on paper is recorded with
    `declined_to_sign: true`, the reason and the staff member who witnessed the
    agreement: that is consent. A refusal (`refused: true`) is recorded, with
    its reason, but is not consent: the plan stays a draft, the previous plan
    stays in effect, and a rights modification in it has no informed consent
    (H501). This is the consent `pcplan due`, the date rules and `render` use.

    How to fix: record the date each signature was made (`signed_on`); sign
    as `role: representative` only for a legal representative named in
    member.yaml, with `name:` as written there and on a day within their
    authority (correct `authority_from` / `authority_until` if they are
    wrong); record a signer who agreed but will not sign with
    `declined_to_sign: true`, `declined_reason`, `witnessed_by` (a staff id)
    and `declined_on`; record a refusal with `refused: true`,
    `refusal_reason` and `refused_on`. A provider or case manager signs with
    `role: provider` or `role: case_manager`.

    When it is reported: a plan without consent is a draft, and a draft waits
    for signatures: T213 alone says when it has waited longer than
    `signature_due_days`, and C301 never reports a signature still to come, a
    documented refusal, or the member's (or another representative's)
    signature beside a guardian's still to come. C301 reports, at once, a
    record on a draft that is meant as consent and cannot be one as written,
    so it is fixed while the plan is still unsigned: a signature of the member or a representative with no valid
    `signed_on`; a `role: representative` signature by someone member.yaml does
    not name as a legal representative (a supporter, a provider, agency
    staff); a representative who signed, or declined to sign, on a day outside
    their authority; a decline without its `declined_reason` or `witnessed_by`;
    a refusal without its `refusal_reason`. A consented plan has nothing to
    report: a guardian appointed after the consent day does not undo it (the
    next review or revision is held with the guardian, and its consent is the
    guardian's).

    Example:
        # wrong: the aide is not a legal representative
        signatures:
          - {role: representative, name: Sunrise Home Care, signed_on: 2026-09-03}
        # wrong: no date, so it is no consent
        signatures:
          - {role: member, name: Elena, method: wet}
        # right
        signatures:
          - {role: member, name: Elena, signed_on: 2026-09-03, method: wet}
          - {role: case_manager, name: Jordan Lee, staff: cm-jlee, signed_on: 2026-09-03}
        # right, with a guardian in member.yaml
        # (representatives: [{name: Grace Kim, authority: legal_guardian, authority_from: 2024-03-01}])
        signatures:
          - {role: representative, name: Grace Kim, signed_on: 2026-05-20, method: wet}
        # right: she agrees and will not sign; consent on 2026-09-03
        signatures:
          - {role: member, name: Elena, declined_to_sign: true, declined_on: 2026-09-03,
             declined_reason: Signs nothing since a scam; agreed to every part aloud., witnessed_by: cm-jlee}
        # a refusal: recorded, not consent (the plan stays a draft)
        signatures:
          - {role: member, name: Elena, refused: true, refused_on: 2026-09-03,
             refusal_reason: Wants fewer aide hours than the plan says.}
    """
    legal = authorities(case.member)
    life = ctx.lifecycle
    staff: set[str] | None = None
    for plan in life.plans_to_check():
        if life.record(plan).consent_on is not None:
            continue  # consented (a consent dated after today is T206's finding, not a missing signature)
        for index, signature in plan.items("signatures"):
            if signature.get("role") not in ("member", "representative"):
                continue
            name = normalized_name(signature.get("name"))
            if signature["role"] == "representative" and not any(a.name == name for a in legal):
                staff = staff_names(ctx) if staff is None else staff
                yield not_a_representative(plan, index, signature, name, staff)
                continue
            hit = not_consent(plan, index, signature, name, legal)
            if hit is not None:
                yield hit


@rule("C302", "provider-signature-missing", "warning", source="42 CFR 441.301(c)(2)", settings=("signature_due_days",))
def provider_signature_missing(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every provider of a paid support signed the plan.

    Why it matters: the federal rule asks that the plan be signed by all
    individuals and providers responsible for its implementation. A provider's
    signature shows they have read the plan and agreed to deliver what it says,
    in the amount and at the frequency it says; without it the member has no
    assurance the service will match the plan.

    How to fix: add a `role: provider` signature whose `name` is the support's
    `provider` (spelled the same, case aside) with the date it was signed. Unpaid
    (natural) supports need no provider signature. Provider signatures are
    judged once the plan is consented (the member's or legal representative's
    signature, C301): on a draft they are still to come, and T213 alone says
    when a draft has waited too long. After consent a provider has
    `signature_due_days` (30 by default) to sign, as a draft has (T213): until
    then the signature is pending, not missing. A provider who signs after the
    member does not move the consent date or the copies' deadline (T207).

    Example:
        supports:
          - id: SP2
            paid: true
            provider: Sunrise Home Care
        signatures:
          - {role: provider, name: Sunrise Home Care, signed_on: 2026-09-08, method: electronic}
    """
    for plan in _due_from_consent(case, ctx, ctx.settings.signature_due_days):
        signed: set[str] = set()
        unsigned: set[str] = set()
        for _, signature in plan.items("signatures"):
            name = normalized_name(signature.get("name"))
            if signature.get("role") == "provider" and name:
                (signed if signature_dated(signature) else unsigned).add(name)
        for index, provider, label in paid_providers(plan):
            if provider in signed:
                continue
            if provider in unsigned:
                problem = "has a signature without a valid `signed_on` date (or declined to sign)"
            else:
                problem = "has not signed the plan"
            yield Hit(plan, ("supports", index, "provider"),
                      f"the provider of {label} (a paid support) {problem}; add a `role: provider` signature "
                      "with its name and `signed_on`")


@rule("C303", "copy-not-given", "error", source="Weld CMA; Love Focus ECM toolkit", settings=("copy_deadline_days",))
def copy_not_given(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The distribution records a copy of the plan given to the member and to each legal
    representative (or a documented decline).

    Why it matters: members and their legally authorized representatives take
    part in and approve the plan and are to be given a copy (Weld CMA); the
    person is always offered a copy to review, edit and suggest changes if it
    does not reflect their input (Love Focus). A plan the member never
    received is a plan they cannot hold anyone to.

    How to fix: add a `distribution` entry for the member (`role: member`), and
    one for each legal representative named in member.yaml who held authority
    on the consent day (`role: representative`, `to:` their name), with
    `copy_given: true` and `given_on`. If someone declined a copy, record
    `declined: true` with `declined_reason`.

    When it is reported: copies are judged from consent. A draft's copies
    wait for consent (T213 judges a draft's wait), and after consent the
    copies are due within `copy_deadline_days` (15 by default) of the consent
    date: until then a copy not yet given is pending (`pcplan due` lists it),
    not missing. Once that day has passed with no copy recorded, C303
    reports it; a copy given after that day is T207's (late), one dated
    before consent T206's. A representative appointed after the consent day
    needs no copy of this plan from C303 (give them one all the same: the
    next review or revision is held with them).

    Example:
        # consent 2026-09-03; today 2026-11-22
        # wrong
        distribution:
          - {to: Elena, role: member, copy_given: false}
        # right
        distribution:
          - {to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: large_print, language: es}
    """
    life = ctx.lifecycle
    for plan in _consented_plans(case, ctx):
        record = life.record(plan)
        assert record.consent_on is not None  # a consented plan has its consent's day
        due = plus_days(record.consent_on, ctx.settings.copy_deadline_days)
        if due is None or ctx.today <= due:
            continue  # the copies are not due yet (None: due past the calendar's end, never)
        legal = legal_representatives(case.member, on=record.consent_on)
        entries = plan.items("distribution")
        where, at = _section(plan, "distribution")
        member_entries = [(i, e) for i, e in entries if e.get("role") == "member"]
        if not any(copy_recorded(e) for _, e in member_entries):
            yield (incomplete_copy(plan, member_entries, "the member")
                   or Hit(plan, where, "no copy of the plan is recorded as given to the member; add a "
                          "`distribution` entry with `role: member`, `copy_given: true` and `given_on`", at=at))
        for rep_index, rep in legal:
            name = normalized_name(rep.get("name"))
            mine = [(i, e) for i, e in entries
                    if e.get("role") == "representative" and name is not None and normalized_name(e.get("to")) == name]
            if any(copy_recorded(e) for _, e in mine):
                continue
            who = f"the legal representative ({LEGAL_AUTHORITIES[rep['authority']]}, representatives[{rep_index}] " \
                  "in member.yaml)"
            yield (incomplete_copy(plan, mine, who)
                   or Hit(plan, where, f"no copy of the plan is recorded as given to {who}; add a `distribution` "
                          "entry with `role: representative`, `to:` their name, `copy_given: true` and "
                          "`given_on`", at=at))


@rule("C304", "copy-language", "warning", source="Love Focus ECM toolkit")
def copy_language(case: Case, ctx: CaseContext) -> Iterator[Hit]:
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
    in the right language first) and says what it lacks. Copies are judged
    once the plan is consented: `distribution` records copies of the plan the
    member agreed to, so a draft's is still to be made.

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
    wanted_language = primary_code(preferred)
    wanted_format = member.get("document_format", "print")
    if not isinstance(wanted_format, str):
        wanted_format = None
    for plan in _consented_plans(case, ctx):
        copies = [(index, entry) for index, entry in plan.items("distribution")
                  if entry.get("role") == "member" and entry.get("copy_given") is True]
        judged = [(fits(entry, "language", wanted_language, primary_code),
                   fits(entry, "format", wanted_format, lambda v: v if isinstance(v, str) else None), index, entry)
                  for index, entry in copies]
        if not judged or any(language_ok and format_ok for language_ok, format_ok, _, _ in judged):
            continue  # one copy the member can read is enough; extra copies in other forms are fine
        # the copy nearest to right (language first), told what it still lacks
        language_ok, format_ok, index, entry = max(judged, key=lambda j: (j[0], j[1], -j[2]))
        base = ("distribution", index)
        if not language_ok:
            given = entry.get("language")
            if "language" not in entry or primary_code(given) is None:
                yield Hit(plan, base + (("language",) if "language" in entry else ()),
                          f"the member's copy does not say its language; the member prefers {shown_id(preferred)}: "
                          f"give a copy in it and record {field_value('language', preferred)}")
            else:
                yield Hit(plan, base + ("language",),
                          f"the member's copy is in {shown_id(given)} but the member prefers {shown_id(preferred)}; "
                          "give a copy in the member's language")
        if not format_ok:
            given = entry.get("format")
            if "format" not in entry or not isinstance(given, str):
                yield Hit(plan, base + (("format",) if "format" in entry else ()),
                          f"the member's copy does not say its format; the member asked for {shown_id(wanted_format)}: "
                          f"record {field_value('format', wanted_format)}")
            else:
                yield Hit(plan, base + ("format",),
                          f"the member's copy is in {shown_id(given)} format but the member asked for "
                          f"{shown_id(wanted_format)} "
                          "(`document_format` in member.yaml); give a copy in that format")


@rule("C305", "changed-after-signature", "error", source="Love Focus ECM toolkit (living document)")
def changed_after_signature(case: Case, ctx: CaseContext) -> Iterator[Hit]:
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
    for plan in ctx.lifecycle.plans_to_check():
        current = None
        for index, signature in plan.items("signatures"):
            recorded = signature.get("fingerprint")
            if not isinstance(recorded, str) or matches(recorded, plan.data):
                continue
            current = current or fingerprint(plan.data)
            yield Hit(plan, ("signatures", index, "fingerprint"),
                      f"the plan changed after this signature (recorded {recorded}, now {current}); "
                      "have it signed again")


def _recorded_date(case: Case, key: str, what: str) -> Iterator[Hit]:
    member = case.member
    if member is None or not member.data:
        return
    if key not in member.data:
        yield Hit(member, (), f"member.yaml does not record when {what} (`{key}`); add the date")
    elif parse_iso(member.data[key]) is None:
        problem = "is empty" if member.data[key] in (None, "") else "is not a valid date"
        yield Hit(member, (key,), f"`{key}` {problem}; record when {what} (YYYY-MM-DD)")


@rule("C306", "rights-not-explained", "error", source="Weld CMA; Love Focus ECM toolkit")
def rights_not_explained(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """member.yaml records the date the member's rights and responsibilities, including
    conflict-free case management, were explained in the current episode: on or after its enrollment
    and on or before the consent of its first plan.

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
    `rights_explained_on`. Each episode starts afresh: the date must be on or
    after the enrollment that opened the current episode (the latest
    `programs[].enrolled_on` after any closure), so a member enrolled again
    after a closure has them explained again and the field then holds the new
    date; and on or before the consent date of the episode's first consented
    plan. A recorded date is judged once the episode's first plan is
    consented (its deadline); a missing one at once. If they were explained in time
    but recorded with the wrong date, correct the date; if they were
    explained late, document an exception (rule C306) in the plan in effect
    saying so. A member who is only referred (`status: referred`, no
    enrollment yet) is not checked.

    Example:
        # enrolled on 2026-08-03; the first plan was signed by the member on 2026-09-03
        rights_explained_on: 2026-09-10   # wrong: after the member agreed to the plan
        rights_explained_on: 2026-07-28   # wrong: before the enrollment
        rights_explained_on: 2026-08-03   # right: rights and responsibilities, incl. conflict-free case management
    """
    yield from _explained_in_episode(case, ctx, "rights_explained_on",
                                     "the member's rights and responsibilities were explained",
                                     "explain the rights again",
                                     "rights and responsibilities must be explained on or before that consent: "
                                     "correct the date if they were explained earlier, or document an exception")


@rule("C307", "choice-not-offered", "error", source="CMHPSM 13.003")
def choice_not_offered(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """member.yaml records the date the member was offered a choice of case manager in the current
    episode: on or after its enrollment and on or before the consent of its first plan.

    Why it matters: consumers have the right to select their own case manager
    or supports coordinator, and staff are to give them the opportunity to say
    what they prefer (gender, age, culture, skills, experience) and explain
    clearly when a choice cannot be honored (CMHPSM consumer-choice
    guidelines). Recording when the choice was offered shows the assignment was
    the member's to make. A member who comes back after a closure may want
    someone else this time: the choice offered in a closed episode does not
    carry over.

    How to fix: offer the member a choice of case manager, note any
    preferences in the assignment, and record the date in member.yaml as
    `choice_of_case_manager_offered_on`. The date must be on or after the
    enrollment that opened the current episode (a re-enrolled member is
    offered the choice again, and the field holds the new date) and on or
    before the consent date of the episode's first consented plan (a recorded
    date is judged once a plan is consented; a missing one at once). A
    member who is only referred (`status:
    referred`, no enrollment yet) is not checked.

    Example:
        # enrolled again on 2026-07-13 after a closure on 2026-03-30
        choice_of_case_manager_offered_on: 2025-10-06   # wrong: offered in the closed episode
        choice_of_case_manager_offered_on: 2026-07-13   # right
    """
    yield from _explained_in_episode(case, ctx, "choice_of_case_manager_offered_on",
                                     "the member was offered a choice of case manager", "offer the choice again",
                                     "the choice of case manager must be offered on or before that consent: "
                                     "correct the date if it was offered earlier, or document an exception")


def _explained_in_episode(case: Case, ctx: CaseContext, key: str, what: str, again: str, late: str) -> Iterator[Hit]:
    """C306 and C307: ``key`` records a date in the current episode, on or after its enrollment and on or
    before its first plan's consent (DESIGN.md, "Episodes": each episode starts afresh). A missing or
    unreadable date is reported at once; a recorded date is judged once the episode's first plan is
    consented (the deadline): until then an old date is not late, only not yet replaced."""
    member = case.member
    if member is None or not isinstance(member.data, dict) or not member.data:
        return
    life = ctx.lifecycle
    if life.only_referred:
        return  # judged by nothing but the schema and A607 until enrolled
    recorded = parse_iso(member.data.get(key))
    if recorded is None:
        yield from _recorded_date(case, key, what)
        return
    episode = life.current_episode
    consented = [r for r in life.plans if r.episode is episode and life.consented(r)]
    if not consented:
        return  # no plan agreed to yet in this episode: not late yet
    first = min(consented, key=lambda r: (r.consent_on, r.order))
    agreed = first.consent_on
    assert agreed is not None  # a consented plan has its consent's day
    if episode.begins_after is not None and recorded <= episode.begins_after:
        yield Hit(member, (key,), f"`{key}` is {recorded.isoformat()}, in an earlier episode (the case closed on "
                  f"{episode.begins_after.isoformat()}); the member was enrolled again and agreed to "
                  f"{first.label} on {agreed.isoformat()}: {again} and record the new date")
    elif episode.enrolled_on is not None and recorded < episode.enrolled_on:
        yield Hit(member, (key,), f"`{key}` is {recorded.isoformat()}, before the enrollment that opened this "
                  f"episode ({episode.enrolled_on.isoformat()}); record when {what} on or after the enrollment")
    elif recorded > agreed:
        yield Hit(member, (key,), f"`{key}` is {recorded.isoformat()}, after the member agreed to the first plan "
                  f"({first.label}, consented on {agreed.isoformat()}); {late}")


@rule("C308", "change-without-notice", "error", source="Weld County CMA policy; 42 CFR 431.211",
      settings=("notice_days",))
def change_without_notice(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """A plan (a revision or an annual renewal) that ends or reduces a paid support of the plan it follows
    records notice to the member at least `notice_days` (default 10) before the change, unless the member
    asked for it.

    Why it matters: the member is to be informed in advance of any change to
    their services (Weld CMA), and a Medicaid agency must mail notice at
    least 10 days before the date of an action that terminates, suspends or
    reduces services (42 CFR 431.211), so the member can ask questions,
    appeal, and keep services while an appeal is heard. A support that quietly
    shrinks in a revised plan, or in next year's plan, is a reduction the
    member was never told about.

    How to fix: give the member (or legal representative) notice of the
    change, then record it in the new plan under `notices`: the `support` id
    (the old plan's, or the one continuing it), `given_on` and `method`
    (mail, in_person, phone or electronic). When the member asked for the
    change, record `requested_by_member: true` instead. Every plan that
    follows a consented plan of the same episode (a revision, an annual
    renewal, whatever its `type`) is compared with it (the latest consented
    plan before it). A support is followed from one plan to the next by its
    id, else by its service code (`service.code`, with its `system`;
    modifiers aside): the later plan's supports of that code that continue
    no id of the earlier plan continue it, together (a support split in two,
    or two merged into one, are compared in total). A paid support with no
    such continuation, or continued but no longer paid, is ended; one
    continued with less of the same unit over the same time, frequencies
    read as people say them (6 hours weekly → 4 hours weekly, or → 6 hours
    every 2 weeks; 10 hours every 2 weeks is more; 2 hours 3 times a week →
    2 hours twice a week is less), given less often when the amounts cannot
    be compared (another unit), made `once` or `as_needed`, or ending
    earlier is reduced. A support that ran to the old plan's end (no `end`,
    an end on or after the old plan's `effective.end`, or on or after the
    day before the new plan starts) and is continued with less is a
    reduction, and one that is not continued is ended: the end of a plan
    year is a date on paper, not a decision that the member needs the
    service no more, so an annual renewal that drops it needs notice like a
    revision does. A support that had ended as planned before the old
    plan's end (a time-limited support), or that was given `once`, is not
    taken away by not being carried forward. The change date is the new
    plan's `effective.start`, or the support's new `end` when that is
    earlier; notice is due `settings.notice_days` days before it; a missing
    notice is reported once that day has passed. Drafts are judged too: a
    plan awaiting signature still changes the member's services on the date
    it gives. A plan that lists no `supports` at all is not compared
    (L-rules report it), and a new episode's first plan follows nothing.

    Example:
        # plan P1 had SP2: 6 hours weekly of personal care; the annual plan P2 starts 2027-02-01
        supports:
          - id: SP2
            paid: true
            amount: 4
            unit: hours
            frequency: weekly
            service: {code: T1019}
        notices:
          - {support: SP2, given_on: 2027-01-15, method: mail}           # right: 17 days before
          - {support: SP3, requested_by_member: true}                     # SP3 ended at the member's request
    """
    life = ctx.lifecycle
    days = ctx.settings.notice_days
    for plan in life.plans_to_check():
        if "supports" not in plan.data:
            continue
        record = life.record(plan)
        earlier = [r for r in life.plans if r.episode is record.episode and r.order < record.order
                   and r is not record and life.consented(r)]
        if not earlier or record.start is None:
            continue
        replaced = max(earlier, key=lambda r: r.order)
        notices = notices_by_support(plan)
        for olds, news in continued_supports(replaced.plan, plan):
            found = support_change(olds, news, record, replaced)
            if found is None:
                continue
            where, at, change, on = found
            ids = [support_id for _, s in olds + news if isinstance(support_id := s.get("id"), str)]
            given = [entry for support_id in dict.fromkeys(ids) for entry in notices.get(support_id, [])]
            yield from judge_notice(plan, where, at, given, olds[0][1].get("id"), change, on,
                                     days, replaced.label, record.label, ctx.today)


@rule("C309", "choice-at-transfer", "warning", source="CMHPSM 13.003")
def choice_at_transfer(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every change of case manager records whether the member chose the new one, and why a standing
    preference (any earlier assignment's, or the preferred language when an interpreter is needed)
    could not be met.

    Why it matters: consumers have the right to select their own case
    manager, also when one is replaced; staff are to give them the chance to
    say what they prefer (gender, age, culture, skills, experience) and to
    explain clearly when a choice cannot be fully honored (CMHPSM
    consumer-choice guidelines). What a member asked for once still stands
    when the case manager changes: a Spanish speaker who asked for a case
    manager who speaks Spanish should not have to ask again at every
    transfer, nor be moved to an English-only case manager without a word. A
    transfer whose record is silent on choice cannot show it was fair,
    respectful and explained.

    How to fix: on the new assignment in member.yaml, record
    `chosen_by_member: true` when the member chose the new case manager, or
    `false` when they did not (not offered a choice, or left it to the
    agency; `reason` says why). Standing preferences are the `preferences`
    of this and of every earlier assignment (in any episode), and, when the
    member needs an interpreter (`language.interpreter_needed: true`), their
    preferred language. When the member did not choose the new case manager
    and voiced preferences, record whether the new one meets them
    (`preferences_met: true`) or why it could not be done
    (`preference_unmet_reason`); `preferences_met: false` always needs the
    reason. When the member needs an interpreter and the new case manager
    does not speak their language (staff.yaml `languages`, compared by the
    primary language: `es-MX` is `es`), `preference_unmet_reason` says why,
    whoever chose. A change is every assignment after the first of an
    episode, in order of `from`: the first assignment after an enrollment,
    including a re-enrollment after a closure, is an initial assignment, not
    a change (C307 records the choice offered at enrollment). A member who is
    only referred is not checked.

    Example:
        # member.yaml: language: {preferred: so, interpreter_needed: true}; cm-obello speaks en
        case_managers:
          - staff: cm-jlee
            from: 2025-12-15
            to: 2026-03-31
            preferences: Asked for a man who speaks Somali.
            reason: Initial assignment.
          - staff: cm-obello
            from: 2026-04-01
            chosen_by_member: false
            # wrong: nothing says why the member's language and earlier request are not met
            preferences_met: false
            preference_unmet_reason: No Somali-speaking case manager has an opening; an interpreter joins every visit.
            reason: Jordan Lee left the agency.
    """
    member = case.member
    if member is None:
        return
    life = ctx.lifecycle
    if life.only_referred:
        return
    language = interpreter_language(member)
    staff_by_id = ctx.repository.staff_by_id
    dated = sorted((start, index, entry) for index, entry in member.items(ASSIGNMENTS)
                   if (start := parse_iso(entry.get("from"))) is not None)
    seen: set[int] = set()
    voiced: list[int] = []  # indices of earlier assignments that record the member's preferences
    for start, index, entry in dated:
        episode = life.episode_of(start)
        number = episode.number if episode is not None else 0
        earlier, own = list(voiced), text(entry, "preferences") is not None
        if own:
            voiced.append(index)
        if number not in seen:
            seen.add(number)
            continue  # the first assignment of an episode is an initial assignment
        who = assignment_label(index, entry)
        chosen = entry.get("chosen_by_member")
        if not isinstance(chosen, bool) and "chosen_by_member" not in entry:
            yield Hit(member, (ASSIGNMENTS, index),
                      f"{who} changes the case manager but does not record whether the member chose the new "
                      "one; add `chosen_by_member: true`, or `false` with the `reason`")
        if text(entry, "preference_unmet_reason") is not None:
            continue
        staff = entry.get("staff")
        person = staff_by_id.get(staff) if isinstance(staff, str) else None
        if language is not None and isinstance(person, dict) and not speaks_language(person, language):
            yield Hit(member, (ASSIGNMENTS, index, "staff"),
                      f"the member needs an interpreter and prefers {shown_id(language)}, but the new case manager "
                      f"of {who} does not speak it (staff.yaml `languages`); add `preference_unmet_reason` saying "
                      "why, or assign a case manager who speaks the member's language")
            continue
        if not isinstance(chosen, bool) or not (own or earlier):
            continue  # a value of the wrong type is the schema's finding
        where = "the member voiced" if own else "the member voiced at " + ", ".join(
            f"case-manager assignment {i + 1}" for i in sorted(earlier))
        met = entry.get("preferences_met")
        if met is False:
            yield Hit(member, (ASSIGNMENTS, index),
                      f"{who} does not meet the preferences {where} (`preferences_met: false`) and does not say "
                      "why; add `preference_unmet_reason`")
        elif met is not True and chosen is False:
            yield Hit(member, (ASSIGNMENTS, index),
                      f"{who} was not the member's choice and does not say whether it meets the preferences "
                      f"{where}; add `preferences_met: true`, or `preference_unmet_reason` saying why they could "
                      "not be met")


@rule("C310", "copy-to-providers", "warning", source="42 CFR 441.301(c)(2)", settings=("copy_deadline_days",))
def copy_to_providers(case: Case, ctx: CaseContext) -> Iterator[Hit]:
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
    with several supports needs one. The distribution is judged once the plan
    is consented: a draft's is still to be made (T213 judges a draft's wait),
    and a provider's copy is pending, not missing, for `copy_deadline_days`
    (15 by default) after consent, as the member's is (C303): a provider who
    signs a week after the member gets the copy then.

    Example:
        supports:
          - id: SP2
            paid: true
            provider: Sunrise Home Care
        distribution:
          - {to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: large_print, language: es}
          - {to: Sunrise Home Care, role: provider, copy_given: true, given_on: 2026-09-10, format: electronic}
    """
    for plan in _due_from_consent(case, ctx, ctx.settings.copy_deadline_days):
        listed = {normalized_name(entry.get("to")) for _, entry in plan.items("distribution")} - {None}
        for index, provider, label in paid_providers(plan):
            if provider in listed:
                continue
            yield Hit(plan, ("supports", index, "provider"),
                      f"the provider of {label} (a paid support) is not on the plan's distribution; add a "
                      "`distribution` entry with `to:` its name, `role: provider`, `copy_given: true` and "
                      "`given_on`")
