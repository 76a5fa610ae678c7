"""U: services delivered, judged by `pcplan reconcile` (pcplan.reconcile), never by `check`.

These entries are the rules' explanations only (`pcplan rule U904`): their scope is ``delivery``, which the
check's engine does not run; pcplan.reconcile.engine judges them with set-based queries over the delivery files.
"""

from __future__ import annotations

from collections.abc import Iterable

from .registry import rule


def _judged_by_reconcile(*_: object) -> Iterable:
    return ()


@rule("U901", "delivered-without-plan", "error", "42 CFR 441.301(c); federal HCBS audits", scope="delivery")
def delivered_without_plan(*_: object) -> Iterable:
    """Every delivery falls on a day with a consented plan in effect (not before consent, not on a draft, not
    after the plan ended).

    Why it matters: A service paid for on a day no consented plan covered is a service the person never agreed
    to; federal audits of HCBS waivers disallow such claims.

    How to fix: Check the date of service against the plan's consent and effective period; if the plan was
    signed late, the claim before consent is not supported; if the plan ended, consent the renewal.

    Example:
        # plan-2026-08-03.yaml is in effect from its consent: a delivery dated 2026-07-20 is before it
        effective: {start: 2026-08-03, end: 2027-08-02}
        signatures:
          - {role: member, name: Rafa, signed_on: 2026-08-03, method: wet}
    """
    return _judged_by_reconcile()


@rule("U902", "service-not-in-plan", "error", "42 CFR 441.301(c)(2)", scope="delivery")
def service_not_in_plan(*_: object) -> Iterable:
    """The service delivered (code and modifiers) is a support of the plan in effect that day.

    Why it matters: The plan is the authority for what may be delivered; a code the plan does not name was not
    chosen by the person nor authorized.

    How to fix: Add the support (with its `service` code and modifiers) in a consented revision, or correct the
    claim's code or modifiers.

    Example:
        supports:
          - id: SP2
            service: {code: T1019, modifiers: [U1]}
            provider_id: pv-sunrise-home-care
    """
    return _judged_by_reconcile()


@rule("U903", "provider-not-in-plan", "error", "42 CFR 441.301(c)(2); Weld CMA (choice of provider)",
      scope="delivery")
def provider_not_in_plan(*_: object) -> Iterable:
    """The provider who delivered it is that support's provider.

    Why it matters: The person chose their providers; a different provider delivering the service bypasses
    that choice and the plan's signatures.

    How to fix: Record the change of provider in a consented revision (`provider_id` from providers.yaml), or
    correct the claim's provider.

    Example:
        supports:
          - id: SP2
            service: {code: T1019}
            provider_id: pv-sunrise-home-care
    """
    return _judged_by_reconcile()


@rule("U904", "over-authorization", "error", "42 CFR 441.301(c)(2); federal HCBS audits", scope="delivery")
def over_authorization(*_: object) -> Iterable:
    """Delivered units in each authorization period do not exceed the authorized units.

    Why it matters: Units beyond the authorization are not covered by the plan and are recovered in audits; a
    pattern of them means the plan no longer fits the person's needs.

    How to fix: Correct the claims, or reassess and revise the plan's `authorization` when the person needs more.

    Example:
        authorization: {units: 24, per: week, unit: 15_minutes}
    """
    return _judged_by_reconcile()


@rule("U905", "under-delivery", "warning", "CMHPSM (monitoring); 42 CFR 441.301(c)(3)", scope="delivery",
      settings=())
def under_delivery(*_: object) -> Iterable:
    """In each completed period at least `underdelivery_percent` (default 75) of authorized units were
    delivered, or a note within `underdelivery_followup_days` (default 14) after the period names the support
    and what was done.

    Why it matters: A support on paper that does not reach the person (an aide who came 4 of 12 hours) leaves
    the need unmet; the case manager monitors that services are delivered as planned.

    How to fix: Follow up with the member and the provider and write a note naming the support (its id in the
    text, or progress on a goal it serves); revise the plan if the support no longer fits.

    Example:
        # notes/2026-09-20.yaml
        text: Called Sunrise about SP5; the homemaker was out sick, a substitute starts Monday.
    """
    return _judged_by_reconcile()


@rule("U906", "delivered-during-stay", "error", "federal HCBS audits", scope="delivery")
def delivered_during_stay(*_: object) -> Iterable:
    """No home- and community-based service is delivered during an institutional hold (hospital, nursing
    facility, incarceration).

    Why it matters: HCBS are not payable while the person is an inpatient or incarcerated; audits find claims
    billed during such stays.

    How to fix: Void the claims for the days of the stay, or correct the hold's dates in member.yaml.

    Example:
        holds:
          - {start: 2026-09-14, end: 2026-09-30, kind: hospital}
    """
    return _judged_by_reconcile()


@rule("U907", "delivered-outside-episode", "error", "ISED", scope="delivery")
def delivered_outside_episode(*_: object) -> Iterable:
    """No delivery falls before enrollment or after a closure.

    Why it matters: Outside an episode of service the agency has no open case and no plan; a delivery then is
    unsupported.

    How to fix: Correct the date of service, or record the enrollment (`pcplan new enrollment`).

    Example:
        programs:
          - {program: HCBS-BI, enrolled_on: 2026-07-13}
    """
    return _judged_by_reconcile()


@rule("U908", "case-management-undocumented", "error", "CMHPSM; federal TCM audits", scope="delivery")
def case_management_undocumented(*_: object) -> Iterable:
    """Every case-management delivery (service codes listed in `pcplan.toml`) has a note by a case manager that
    day, the member taking part when the code is a face-to-face one, whose duration covers the units.

    Why it matters: Targeted case management is paid on the case manager's own record; a unit without a note,
    or a collateral call billed as a face-to-face visit, is disallowed in audits.

    How to fix: Write the note of that day (`minutes`, `with`), or correct the claim's code or units.

    Example:
        # notes/2026-09-08.yaml
        staff: cm-obello
        contact: face_to_face
        with: [member]
        minutes: 30
    """
    return _judged_by_reconcile()
