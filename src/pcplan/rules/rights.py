"""H-rules: modifications of a member's setting rights, under 42 CFR 441.301(c)(4)(vi)(F).

A rights modification (a locked pantry, a restricted visiting time) is only
lawful when the plan documents eight elements and reviews it on time. These
rules check the plan in effect (and any newer draft) for the elements, and the
plan in effect for the review date; H503 looks for restrictions the plan's text
describes that no modification documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..dates import add_period, frequency_text, parse_frequency, parse_iso
from ..facts.lifecycle import refusal_text
from ..findings import Hit
from ..model import Case, Document, label, shown_id, text
from .context import CaseContext
from .registry import rule
from .text.wording import terms

MODIFICATIONS = "rights_modifications"


# The text elements of (F), in the order of the regulation: (field, what, in plain words).
TEXT_ELEMENTS = (
    ("assessed_need", "the specific assessed need"),
    ("prior_interventions", "the positive interventions and supports used before"),
    ("less_intrusive_methods", "the less intrusive methods tried"),
    ("condition", "the condition, described in proportion to the need"),
    ("data_collection", "how data are collected and reviewed"),
)


def _present(item: dict, key: str) -> bool:
    return key in item and item.get(key) is not None


@rule("H501", "modification-incomplete", "error", source="42 CFR 441.301(c)(4)(vi)(F)")
def modification_incomplete(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """A rights modification documents each of the eight elements the federal rule requires.

    Why it matters: the HCBS settings rule guarantees the member privacy,
    freedom to come and go, to have visitors and to have access to food at any
    time. A plan may limit one of these rights only for a specific assessed
    need, after less intrusive ways were tried, in proportion to the need,
    with data showing whether it works, for a limited time, with the person's
    informed consent and an assurance that it does no harm. A modification
    missing any of these is a restriction the member never lawfully agreed to.

    How to fix: add each missing element (each is its own finding): the
    specific assessed need (`assessed_need`); the positive interventions and
    supports used before (`prior_interventions`); the less intrusive methods
    tried that did not work (`less_intrusive_methods`); the condition,
    described in proportion to the need (`condition`); how data are collected
    and reviewed (`data_collection`); a time limit with periodic review
    (`review_every`, such as "3 months", or a `review_by` date; one is
    enough); the person's informed consent (`consent.given_by` and
    `consent.on`); and an assurance that it causes no harm
    (`no_harm_assurance`). If the member has not given informed consent, the
    modification cannot stand: talk with the member (and guardian) before
    restricting anything. A plan the member or their legal representative
    refused (`refused: true` on their signature, C301) is not consented, so
    its modifications have no informed consent, whatever their `consent`
    says: the element is reported at each of them until the plan is revised
    with the member (and guardian) and consented. A plan still awaiting
    signature is judged on what its `consent` records.

    Example:
        rights_modifications:
          - id: RM1
            right: Access to food at any time
            assessed_need: Prader-Willi syndrome causes constant hunger; risk of choking.
            prior_interventions: Scheduled meals and snacks and a visual menu since January.
            less_intrusive_methods: A kitchen timer and reminders were tried for three months.
            condition: The pantry is locked between meals; Danny keeps a key to his own snack box.
            data_collection: The host home logs food seeking daily; reviewed monthly.
            review_every: 3 months          # the time limit: review_every and/or review_by
            review_by: 2027-02-20
            consent: {given_by: Danny and his guardian, on: 2026-05-20}
            no_harm_assurance: His doctor confirmed the meal plan meets his nutrition needs.
    """
    life = ctx.lifecycle
    for plan in life.plans_to_check():
        record = life.record(plan)
        refused = refusal_text(record, case.member) if record.refused else None
        for index, item in plan.items(MODIFICATIONS):
            yield from _incomplete(plan, index, item, refused)


def _incomplete(plan: Document, index: int, item: dict, refused: str | None = None) -> Iterator[Hit]:
    base = (MODIFICATIONS, index)
    where: tuple
    name = label(item, "rights modification")
    for key, what in TEXT_ELEMENTS:
        if text(item, key) is None:
            where = base + (key,) if _present(item, key) else base
            yield Hit(plan, where, f"{name} does not document {what} (`{key}`)")

    # (6) a time limit with periodic review: a readable review_every or a valid review_by.
    if parse_frequency(item.get("review_every")) is None and parse_iso(item.get("review_by")) is None:
        if _present(item, "review_by"):
            where = base + ("review_by",)
        elif _present(item, "review_every"):
            where = base + ("review_every",)
        else:
            where = base
        yield Hit(plan, where, f"{name} does not document a time limit with periodic review "
                  "(`review_every` such as \"3 months\", or a `review_by` date)")

    # (7) informed consent: who gave it and when; a refused plan has none, whatever `consent` says.
    consent = item.get("consent")
    if refused is not None:
        where = base + ("consent",) if _present(item, "consent") else base
        yield Hit(plan, where, f"{name} has no informed consent: the plan was {refused}, and a refusal is not "
                  "consent, whatever `consent` records; do not apply the restriction: revise the plan with the "
                  "member (and guardian) and record their consent")
    elif not isinstance(consent, dict):
        where = base + ("consent",) if _present(item, "consent") else base
        yield Hit(plan, where, f"{name} does not document the person's informed consent "
                  "(`consent` with `given_by` and `on`)")
    else:
        who, when = text(consent, "given_by") is not None, parse_iso(consent.get("on")) is not None
        if not who and not when:
            yield Hit(plan, base + ("consent",), f"{name} does not document who gave informed consent or "
                      "when (`consent.given_by` and `consent.on`)")
        elif not who:
            where = base + ("consent", "given_by") if _present(consent, "given_by") else base + ("consent",)
            yield Hit(plan, where, f"{name} does not document who gave informed consent (`consent.given_by`)")
        elif not when:
            where = base + ("consent", "on") if _present(consent, "on") else base + ("consent",)
            yield Hit(plan, where, f"{name} does not document the date informed consent was given "
                      "(`consent.on`, YYYY-MM-DD)")

    # (8) an assurance that it causes no harm.
    if text(item, "no_harm_assurance") is None:
        where = base + ("no_harm_assurance",) if _present(item, "no_harm_assurance") else base
        yield Hit(plan, where, f"{name} does not document an assurance that it causes no harm "
                  "(`no_harm_assurance`)")


@rule("H502", "modification-review-overdue", "error", source="42 CFR 441.301(c)(4)(vi)(F)")
def modification_review_overdue(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Today is not past a rights modification's review date.

    Why it matters: a modification of a right is allowed only for a limited
    time, with periodic review of the data collected, so that a restriction
    that no longer serves the member ends. A review date that has passed means
    the member lives under a restriction nobody has looked at again.

    How to fix: review the modification with the member (and guardian): look
    at the data, decide whether it is still needed, and record the new consent
    and the next review date, or end the modification. The review date is
    `review_by` when the modification has one, else the date of consent
    (`consent.on`, else the plan's date) plus `review_every`; the plan in
    effect of an open case is checked.

    Example:
        # wrong (today is 2027-03-01)
        review_by: 2027-02-20
        # right: reviewed with Danny and his guardian on 2027-02-18
        review_by: 2027-05-20
        consent: {given_by: Danny and his guardian, on: 2027-02-18}
    """
    if ctx.lifecycle.closed:
        return
    plan = ctx.lifecycle.plan_in_effect
    if plan is None:
        return
    for index, item in plan.items(MODIFICATIONS):
        name = label(item, "rights modification")
        review_by = parse_iso(item.get("review_by"))
        if review_by is not None:
            if ctx.today > review_by:
                yield Hit(plan, (MODIFICATIONS, index, "review_by"),
                          f"{name} was due for review by {review_by.isoformat()}; review it with the member "
                          "and record the new consent and the next `review_by`", due=review_by)
            continue
        frequency = parse_frequency(item.get("review_every"))
        consent = item.get("consent")
        start = parse_iso(consent.get("on")) if isinstance(consent, dict) else None
        start = start or plan.date
        if frequency is None or start is None:
            continue
        due = add_period(start, frequency)  # None: past the calendar's end, never due
        if due is not None and ctx.today > due:
            yield Hit(plan, (MODIFICATIONS, index, "review_every"),
                      f"{name} was due for review on {due.isoformat()} (every {frequency_text(frequency)} "
                      f"from {start.isoformat()}); review it with the member and record the new consent "
                      "and a `review_by` date", due=due)


def _cites(value: str, ident: object) -> bool:
    return isinstance(ident, str) and bool(ident.strip()) and \
        re.search(rf"(?<!\w){re.escape(ident.strip())}(?!\w)", value) is not None


# The fields of a rights modification that describe the restriction itself: the right limited and the
# condition put on it. Its other fields say why (the assessed need), what was tried before and did not work
# (a door alarm tried and given up is no door alarm in place), and how it is watched.
DESCRIBES_RESTRICTION = ("right", "condition")


@rule("H503", "restriction-undocumented", "warning", source="42 CFR 441.301(c)(4)(vi)(F)",
      settings=("restriction_terms",))
def restriction_undocumented(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Plan text that describes a restriction is covered by a rights modification of the same plan whose own
    description names the same restriction.

    Why it matters: a plan may limit a right the HCBS settings rule protects
    (privacy, coming and going, visitors, food at any time, freedom from
    restraint and seclusion) only through a documented modification with its
    eight elements and the member's informed consent (H501). A restriction
    that shows up only in a support, a mitigation or a review ("the pantry is
    locked at night", "curfew at 9 pm") limits the member's rights with none
    of those protections, and nobody will review it. Citing a modification
    does not stretch it: "a door alarm (see RM1)", where RM1 locks the
    pantry, is a second restriction that nobody consented to.

    How to fix: if a right is limited, document the limit under
    `rights_modifications` (H501 lists what it needs), describing it in the
    modification's `right` or `condition`, and name it where the plan
    mentions it ("see RM2"); if nothing is restricted, say what happens in
    other words. The terms are `restriction_terms` in pcplan.toml (by default
    locked, restricted, restriction, curfew, restraint, restrained,
    seclusion, secluded, supervised visit, door alarm), found as P407 finds
    its terms: whole, in any case and in their other forms ("locked" finds
    "locking", not "lock": a lock on one's own door is a right). Read: the
    staff-written text of the plans to check (restatements, objectives and
    measures, supports, strategies, mitigations and backup plans), review
    summaries and the reasons needs are deferred; the member's own words
    (`own_words`, `what_matters`, a review's `member_view`) are never read.
    A term is covered when one of the plan's rights modifications names it
    (in any form) in its own description of the restriction: its `right` or
    its `condition`. A modification's other fields (the assessed need, what
    was tried before, the less intrusive methods that did not work, how data
    are collected) do not describe what is in place, so they cover nothing;
    citing a modification's id covers only what that modification
    describes, and the message says when the cited one does not describe
    the term. The modifications' own text is never reported: it is the
    documentation.

    Example:
        risk_mitigations:
          - risk: R1
            mitigation: Food is stored in a locked pantry (see RM1); meals follow the dietitian's plan.
        rights_modifications:
          - id: RM1
            right: Access to food at any time
            condition: The pantry is locked between scheduled meals and snacks.
    """
    listed = terms(tuple(ctx.settings.restriction_terms))
    if not listed:
        return
    for plan in ctx.lifecycle.plans_to_check():
        modifications = plan.items(MODIFICATIONS)
        described = [(item.get("id"), {term for key in DESCRIBES_RESTRICTION
                                       if (value := text(item, key)) is not None for term in listed.found(value)})
                     for _, item in modifications]
        documented = set().union(*(found for _, found in described))
        written = ctx.plan_text(plan)
        for where, what, value in (*written.for_member(modifications=False), *written.record):
            undocumented = [term for term in listed.found(value) if term not in documented]
            if not undocumented:
                continue
            names = ", ".join(f"`{term}`" for term in undocumented)
            cited = [shown_id(ident.strip()) for ident, _ in described
                     if isinstance(ident, str) and _cites(value, ident)]
            also = (f" (it cites {', '.join(cited)}, whose `right` and `condition` do not name it: citing a "
                    "modification covers only what it describes)" if cited else "")
            yield Hit(plan, where, f"{what} describes a restriction ({names}) that no rights modification "
                      f"of this plan documents{also}; document the limit under `rights_modifications` and name "
                      "its id here, or say it in other words if no right is limited")
