"""P-rules: the plan is the person's: their words, their name, their strengths, their choices.

Plan rules check the plan in effect (and any newer draft); superseded plans are
history. The text staff write for the member (restatements, objectives and
measures, supports, strategies, mitigations and backup plans, rights
modifications) is graded (P406, in the plan's language: text/readability.py) and
scanned (P402, P407: text/wording.py); the member's own words (`own_words`,
`what_matters`, `important_to_me`, `satisfaction`, `member_view`) are never
graded or scanned for deficit language. P410 and P411 ask whether the member
could take part (an interpreter) and was heard (their view at each review).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..dates import parse_iso
from ..facts.lifecycle import contact_parties, member_names, records_contact
from ..findings import Hit
from ..model import Case, Document, doc_name, items, label, str_list, text
from .context import CaseContext
from .interpreters import case_manager_on, interpreter_gap, named_or_this
from .registry import rule
from .text import readability
from .text.names import name_matches, unaccented
from .text.wording import Field, assessment_text, closure_text, field, note_text, terms


@rule("P401", "goal-not-own-words", "error", source="Love Focus ECM toolkit")
def goal_not_own_words(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every goal states what the person wants in their own words (`own_words`).

    Why it matters: a person-centered plan captures what is important to the
    person in their own words wherever possible. A goal written only in
    professional language ("increase medication adherence") is the agency's
    goal; the member's words ("I want to take my medicines right so I don't
    go back to the hospital") keep the plan theirs and tell everyone what
    success looks like to them.

    How to fix: ask the member what they want and write it down as they said
    it, in the first person, under `own_words`. A professional restatement may
    follow under `restatement`, but never replaces it.

    Example:
        # wrong
        - id: G1
          restatement: Improve medication adherence.
        # right
        - id: G1
          own_words: I want to take my medicines right so I don't go back to the hospital.
    """
    for plan in ctx.lifecycle.plans_to_check():
        for index, goal in plan.items("goals"):
            if text(goal, "own_words") is None:
                where = ("goals", index, "own_words") if "own_words" in goal else ("goals", index)
                yield Hit(plan, where, f"{label(goal, 'goal')} is not stated in the member's own words; "
                          "add `own_words:` with what the member said they want")


def _plan_text_about_the_member(plan: Document, ctx: CaseContext) -> Iterator[Field]:
    """P402's fields: what staff write for the member and for the record, and `what_matters`."""
    yield from field(plan.data, "what_matters", (), "the plan's `what_matters`")
    found = ctx.plan_text(plan)
    yield from found.for_member()
    yield from found.record


@rule("P402", "preferred-name-unused", "warning", source="Love Focus ECM toolkit")
def preferred_name_unused(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The plan's text does not call the person by a legal first name that differs from the name they
    go by.

    Why it matters: plans are written using the person's preferred name and
    identity preferences throughout. Calling someone by a name they do not use
    tells them the plan was written about them, not with them, and can hurt
    (a dead name, a name from papers, a name they have left behind).

    How to fix: use the member's preferred name (`name.preferred` in
    member.yaml) wherever the plan names them. The check looks for the first
    word of `name.legal` used as a name: the whole word, with or without its
    accents ("María", "Maria"), capitalised ("Maria", "MARIA"; "Elena may
    choose" is no finding for a member legally named May), and for a name
    that is also a month not where it is a date ("in May", "May 3"). It
    reads `what_matters` (written in the first person, it never names the
    member; a third-person summary is where a legal name creeps in), goal
    restatements, objectives and measures, supports,
    strategies, mitigations, backup plans, rights modifications, review
    summaries and the reasons needs are deferred. It is skipped when that
    word is part of the preferred name. The goals' `own_words` are never
    checked.

    Example:
        # member.yaml: name: {legal: Maria Elena Ruiz, preferred: Elena}
        # wrong
        description: Rosa drives Maria to Mass and Sunday dinner.
        # right
        description: Rosa drives Elena to Mass and Sunday dinner.
    """
    name = case.member.get("name") if case.member is not None else None
    legal, preferred = text(name, "legal"), text(name, "preferred")
    if legal is None or preferred is None:
        return
    first = legal.split()[0]
    if re.search(rf"(?<!\w){re.escape(unaccented(first))}(?!\w)", unaccented(preferred), re.IGNORECASE):
        return  # the legal first name is (part of) the name they go by
    calls = name_matches(first)
    for plan in ctx.lifecycle.plans_to_check():
        for where, what, value in _plan_text_about_the_member(plan, ctx):
            if calls(value):
                yield Hit(plan, where, f"{what} calls the member by their legal first name; use the name they "
                          "go by (`name.preferred` in member.yaml)")


def _assessments_to_check(case: Case, ctx: CaseContext) -> list:
    """The assessments the plans to check are based on; the latest assessment when there is no plan yet."""
    plans = ctx.lifecycle.plans_to_check()
    if not plans:
        return case.assessments[-1:]
    found: list[Document] = []
    for plan in plans:
        assessment = case.assessment_for(plan)
        if assessment is not None and all(assessment is not a for a in found):
            found.append(assessment)
    return found


@rule("P403", "no-strengths", "error", source="ISED; Love Focus ECM toolkit")
def no_strengths(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The assessment records at least one of the person's strengths.

    Why it matters: a holistic assessment lists strengths as well as needs and
    barriers, and the plan builds on them. An assessment that records only
    problems describes a diagnosis, not a person, and leaves the plan nothing
    to build on.

    How to fix: ask the member, and the people they chose to involve, what
    they do well, enjoy and are proud of, and who is on their side; record
    each under `strengths` with an id (S1, S2…). The assessment each plan to
    check is based on is checked, or the latest assessment when there is no
    plan yet.

    Example:
        # wrong
        strengths: []
        # right
        strengths:
          - id: S1
            text: A skilled cook who enjoys planning meals.
    """
    for assessment in _assessments_to_check(case, ctx):
        if not assessment.items("strengths"):
            where, at = (("strengths",), "key") if "strengths" in assessment.data else ((), "value")
            yield Hit(assessment, where, f"{doc_name(assessment)} records no "
                      "strengths; add what the member does well and who supports them (`strengths:`)", at=at)


@rule("P404", "meeting-not-member-chosen", "warning", source="Weld CMA")
def meeting_not_member_chosen(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The planning meeting's time and place are recorded as the member's choice
    (`meeting.chosen_by_member: true`).

    Why it matters: members have the right to hold planning meetings at times
    and places convenient for them. A meeting set for the agency's convenience
    (the office, during the member's work hours) tells the member whose plan
    it is, and keeps away the people they would have brought.

    How to fix: ask the member when and where they want to meet, hold the
    meeting there, and record `chosen_by_member: true` under `meeting`. If the
    member chose, but the plan does not say so, add it.

    Example:
        meeting:
          date: 2026-09-03
          place: Elena's apartment
          chosen_by_member: true    # Elena chose the time and the place
    """
    for plan in ctx.lifecycle.plans_to_check():
        meeting = plan.get("meeting")
        if isinstance(meeting, dict) and meeting.get("chosen_by_member") is True:
            continue
        if isinstance(meeting, dict) and "chosen_by_member" in meeting:
            yield Hit(plan, ("meeting", "chosen_by_member"), "the meeting's time and place are not recorded as "
                      "the member's choice (`chosen_by_member`); meet when and where the member wants, and "
                      "record it")
        elif "meeting" in plan.data:
            yield Hit(plan, ("meeting",), "the plan does not say whether the member chose the meeting's time "
                      "and place; add `chosen_by_member:` under `meeting`", at="key")
        else:
            yield Hit(plan, (), "the plan does not record the planning meeting; add `meeting:` with its date, "
                      "place, participants and `chosen_by_member`")


@rule("P405", "setting-choice-undocumented", "error", source="42 CFR 441.301(c)(2)")
def setting_choice_undocumented(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The plan records that the member chose where they live (`setting.chosen_by_member: true`) and the
    options they considered (at least two).

    Why it matters: the federal rule asks the plan to reflect that the setting
    in which the person lives is chosen by them, from among setting options
    that are identified and documented in the plan. A choice among one option
    is no choice: when the plan lists a single option, nobody can tell whether
    other options were ever offered.

    How to fix: record `chosen_by_member: true` under `setting` once the member
    has chosen, and list under `options_considered` every setting option the
    member looked at, in plain words, including the one chosen (at least two).
    Each missing part is its own finding.

    Example:
        # wrong
        setting:
          type: host_home
          options_considered: [Host home with Lydia Park]
        # right
        setting:
          type: host_home
          chosen_by_member: true
          options_considered:
            - Host home with Lydia Park
            - His own apartment with drop-in support
    """
    for plan in ctx.lifecycle.plans_to_check():
        setting = plan.get("setting")
        setting = setting if isinstance(setting, dict) else None
        if setting is None or setting.get("chosen_by_member") is not True:
            if setting is not None and "chosen_by_member" in setting:
                yield Hit(plan, ("setting", "chosen_by_member"), "the setting is not recorded as the member's "
                          "choice; record `chosen_by_member: true` once the member has chosen where to live")
            else:
                yield _at_setting(plan, "the plan does not say whether the member chose the setting; add "
                                  "`chosen_by_member:` under `setting`")
        options = [o for o in str_list(setting, "options_considered") if o.strip()]
        if len(options) >= 2:
            continue
        if options:
            message = ("the plan lists only one setting option (`options_considered`); a choice among one is "
                       "no choice: list every option the member considered, at least two")
        else:
            message = ("the plan does not list the setting options the member considered "
                       "(`options_considered`); list at least two, including the one chosen")
        if setting is not None and "options_considered" in setting:
            yield Hit(plan, ("setting", "options_considered"), message)
        else:
            yield _at_setting(plan, message)


def _at_setting(plan: Document, message: str) -> Hit:
    if "setting" in plan.data:
        return Hit(plan, ("setting",), message, at="key")
    return Hit(plan, (), message)


# P406: how a field is graded (see the rule's docstring and text/readability.py). Plain per-field Flesch–Kincaid
# at grade 8 is too noisy: on the reference plans ordinary one-sentence fields score up to 12.2 (and, in the
# closed case, 18.6), and every other English formula (ARI, Coleman–Liau, SMOG, Fog, Dale–Chall, Linsear
# Write) scores them higher still, so a consensus does not help. Allowing for the sampling error of a short
# field keeps ordinary sentences (lower bound at most 7.2 on the open reference cases) apart from jargon
# (lower bound 9 to 26).
def plan_language(plan: Document, ctx: CaseContext) -> str | None:
    """The language a plan's text is written in: its `language`, else the agency's `locale` (pcplan.toml)."""
    value = plan.get("language")
    if value is None:
        return ctx.config.locale
    return value if isinstance(value, str) else None


@rule("P406", "plain-language", "warning", source="42 CFR 441.301(c)(2)", settings=("plain_language_grade",))
def plain_language(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The text staff write for the member reads at or below the agency's grade level (default 8), graded
    in the language it is written in; the member's own words are never graded.

    Why it matters: the federal rule asks that the plan be understandable to
    the person and the people who support them, which at a minimum means
    plain language. A plan the member cannot read is a plan they cannot
    direct, question or agree to; plain words also translate better for a
    member who reads their copy in another language.

    How to fix: rewrite the field with short, everyday words and short
    sentences, as you would say it to the member: "The nurse checks your
    pills each week" rather than "medication reconciliation". How pcplan
    grades: each field staff write (goal restatements, objectives and
    measures, support descriptions, strategies, mitigations and backup plans,
    rights modifications) of five words or more is graded in the plan's
    language: its `language` (an ISO 639-1 code such as `en` or `es`), else
    the agency's `locale` in pcplan.toml. English text gets its
    Flesch–Kincaid grade (syllables from the CMU pronouncing dictionary, else
    Pyphen's hyphenation; offline). Spanish text gets its Fernández-Huerta
    reading ease (syllables by Spanish spelling rules), read as a school grade
    by that formula's table (90–100 4th grade, 80–90 5th, 70–80 6th, 60–70
    7th–8th, 50–60 pre-university, 30–50 early university, below 30
    university; straight lines between), so the target grade 8 asks for a
    score of 60 or more, grade 10 for 55, grade 12 for 50. Text in any other
    language is not graded: pcplan has no formula for it. One sentence is a
    tiny sample, and one long word swings its grade by several levels (a
    15-word sentence the reference plans use reads at 8.4), so a field is
    reported only when it is over the target even allowing for that: its
    grade with its syllables-per-word average taken 1.645 standard errors
    lower (the spread of its words' syllable counts ÷ √words) is still above
    `plain_language_grade`. Typical jargon ("Member will demonstrate
    increased independence in activities of daily living through utilization
    of adaptive equipment", grade 17.8) is reported; ordinary plan sentences
    are not. The message gives the field's grade (and, for Spanish, its
    score). The plan of a closed case is not graded: it can no longer be
    rewritten with the member and signed again.

    Example:
        # wrong (grade 35.4)
        description: The participant's comprehensive medication reconciliation necessitates
          coordinated pharmacological interventions to mitigate polypharmacy-associated adverse outcomes.
        # right (grade 8.4)
        description: A home health nurse sets up the weekly pill organizer and teaches the insulin routine.
        # a plan written in Spanish: `language: es` (or `locale = "es"` in pcplan.toml)
        language: es
    """
    if ctx.lifecycle.closed:
        return
    target = ctx.settings.plain_language_grade
    for plan in ctx.lifecycle.plans_to_check():
        language = plan_language(plan, ctx)
        if readability.primary(language) not in readability.FORMULAS:
            continue  # no formula for this language: not graded
        for where, what, value in ctx.plan_text(plan).for_member():
            graded = readability.grade(value, language)
            if graded is None or not graded.above(target):
                continue
            if graded.score is None:
                how = graded.formula
            else:
                how = (f"{graded.formula} reading ease {graded.score:.1f}; grade {target:g} is "
                       f"{readability.fh_minimum_score(target):.0f} or more")
            yield Hit(plan, where, f"{what} reads at grade {graded.grade:.1f} ({how}); aim for grade {target:g} "
                      "or below with shorter, everyday words and sentences")


# Load the pronouncing and hyphenation dictionaries once in the parent before workers fork.
# (a function attribute, which no Callable type declares; the workers read it with getattr)
plain_language.warm_up = readability.warm_up  # type: ignore[attr-defined]


@rule("P407", "deficit-language", "warning", source="Love Focus ECM toolkit", settings=("deficit_terms",))
def deficit_language(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Staff-written text uses no words from the agency's deficit-language list ("non-compliant",
    "refuses", "low-functioning", …).

    Why it matters: person-centered practice is strengths-based and sees the
    whole person, not a diagnosis or a behavior. Words like "non-compliant",
    "manipulative" or "wheelchair-bound" judge and label; they follow the
    member from record to record and shape how every new reader sees them.
    Members read their records too.

    How to fix: describe what happened and what the person wants, in
    person-first, respectful words: "Terry chose to stop the medicine because
    of side effects" rather than "Terry is non-compliant"; "uses a
    wheelchair" rather than "wheelchair-bound". The list is
    `deficit_terms` in pcplan.toml. A term is found whole (never inside
    another word), in any case, with its parts joined by a hyphen, a space or
    nothing ("non-compliant", "non compliant", "noncompliant"), and in its
    other forms: a verb listed inflected finds its other inflections and its
    noun ("refuses": refused, refusing, refusal), an adjective in -ant/-ent
    its noun ("non-compliance"), an adjective in -ive its adverb, any other
    word its plural and inflections. The plain form of a verb listed
    inflected is not found, because rights are written with it ("the right to
    refuse"): list it too to find it. Checked: the staff-written text of the
    plans to check (including rights modifications), their review summaries
    and the reasons needs are deferred; the text of the strengths, needs,
    barriers and risks of the assessments they are based on (or of the latest
    assessment when there is no plan yet); every note's `text` and progress
    `text`; and every closure's exit interview summary or reason for
    declining, next-stage plan, referrals and `agency_can_still_help`. The
    member's own words (`own_words`, `what_matters`, `important_to_me`,
    `satisfaction`, a review's `member_view`) are never checked.

    Example:
        # wrong
        text: Terry refuses to take his medicine.
        # right
        text: Terry stopped his medicine because it made him dizzy; he wants to talk to the nurse about it.
    """
    listed = terms(tuple(ctx.settings.deficit_terms))
    if not listed:
        return
    plans = ctx.lifecycle.plans_to_check()
    sources: list[tuple[Document, Iterable[Field]]] = [(plan, ctx.plan_text(plan).for_member()) for plan in plans]
    sources += [(plan, ctx.plan_text(plan).record) for plan in plans]
    sources += [(assessment, assessment_text(assessment)) for assessment in _assessments_to_check(case, ctx)]
    sources += [(note, note_text(note)) for note in case.notes]
    sources += [(closure, closure_text(closure)) for closure in case.of_kind("closure")]
    for doc, fields in sources:
        for where, what, value in fields:
            found = listed.found(value)
            if found:
                names = ", ".join(f"`{term}`" for term in found)
                yield Hit(doc, where, f"{what} uses deficit language ({names}); describe the person and what "
                          "happened in respectful, person-first words")


@rule("P408", "no-natural-supports", "info", source="Love Focus ECM toolkit; 42 CFR 441.301(c)(2)")
def no_natural_supports(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The plan has at least one unpaid (natural) support (`paid: false`).

    Why it matters: a good life is not made of services alone. The plan
    reflects paid and unpaid supports, and planning connects the person with
    family, friends, neighbors, faith communities and others who help because
    they care. A plan of paid services only may mean nobody asked who else is
    in the member's life, or that the member is alone, which is itself worth
    knowing and working on.

    How to fix: ask the member who already helps them, or who they would like
    to be part of their life, and record that help as a support with
    `paid: false` and the person as `provider`. If the member truly has no
    one, say so in the plan; an agency may lower this rule's severity or
    record an exception.

    Example:
        supports:
          - id: SP4
            description: Rosa drives Elena to Mass and Sunday dinner.
            paid: false
            provider: Rosa Ruiz (sister)
    """
    for plan in ctx.lifecycle.plans_to_check():
        if any(support.get("paid") is False for _, support in plan.items("supports")):
            continue
        where, at = (("supports",), "key") if "supports" in plan.data else ((), "value")
        yield Hit(plan, where, "no support in this plan is unpaid; record the family, friends and community "
                  "who help the member as supports with `paid: false`", at=at)


@rule("P409", "member-absent", "error", source="Weld CMA; Love Focus ECM toolkit")
def member_absent(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """The member took part in the planning meeting (a participant with `role: member`).

    Why it matters: members (and their legal representatives) actively take
    part in developing and approving their plan; the person is never talked
    about as if they were not in the room. A plan made without the member is
    a plan made for them.

    How to fix: hold the meeting where and when the member can take part (by
    phone or video, with an interpreter or support, as they prefer) and list
    them among the `participants` with `role: member`. If the member took
    part but the list leaves them out, add them.

    Example:
        meeting:
          participants:
            - {name: Elena, role: member}
            - {name: Rosa Ruiz, role: sister, invited_by_member: true}
    """
    for plan in ctx.lifecycle.plans_to_check():
        meeting = plan.get("meeting")
        participants = items(meeting, "participants")
        if any(isinstance(p.get("role"), str) and p["role"].strip().casefold() == "member"
               for _, p in participants):
            continue
        message = "the member is not among the planning meeting's participants; list them with `role: member`"
        if isinstance(meeting, dict) and "participants" in meeting:
            yield Hit(plan, ("meeting", "participants"), message, at="key")
        elif "meeting" in plan.data:
            yield Hit(plan, ("meeting",), message, at="key")
        else:
            yield Hit(plan, (), message)


def _assessments_with_the_member(case: Case, ctx: CaseContext) -> list:
    """The assessments P410 judges: those the plans to check are based on, and every assessment of the
    current episode since the earliest of them, whatever its type and whether a plan uses it yet (a
    reassessment or a change-in-condition assessment no plan is based on yet); with no plan to check,
    every assessment of the current episode. Older ones are history superseded by a later assessment."""
    life = ctx.lifecycle
    used = _assessments_to_check(case, ctx) if life.plans_to_check() else []
    since = min((a.date for a in used if a.date is not None), default=None)
    found = list(used)
    for assessment in case.assessments:
        if any(assessment is a for a in found) or not life.in_current_episode(assessment):
            continue
        if since is None or assessment.date >= since:
            found.append(assessment)
    return found


@rule("P410", "interpreter-missing", "error",
      source="42 CFR 441.301(c)(1); 42 CFR 435.905(b); Love Focus ECM toolkit")
def interpreter_missing(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """When the member needs an interpreter, every assessment (whatever its type, used by a plan yet or not)
    and every planning meeting had one, were led by staff who speak the member's language, or record the
    member's choice to go without.

    Why it matters: person-centered planning is conducted in plain language
    and in a manner accessible to people with limited English proficiency,
    and the Medicaid agency provides language services at no cost to the
    member. An assessment or a planning meeting the member could not follow
    asked for their words and got someone else's; the plan it produced is not
    theirs, and their consent to it is not informed.

    How to fix: when member.yaml says `language.interpreter_needed: true`,
    record on the assessment and under the plan's `meeting` who interpreted:
    `interpreter:` with `name` or `agency` and `language` (the member's
    preferred language), or list the interpreter among the `participants`
    with `role: interpreter`. No interpreter is needed when the assessment was
    led by an assessor, or the meeting by a facilitator, whose `languages` in
    staff.yaml include the member's language (matched on the language, so
    `es-MX` staff speak to an `es` member; a meeting the member led counts
    their case manager of that day). When the member chose to go without one,
    record it: `interpreter:` with `declined: true` and the member's
    `declined_reason`. Checked: the planning meeting of each plan to check;
    every assessment, whatever its type and whether a plan is based on it
    yet (a reassessment no plan uses yet included): the assessments the
    plans to check are based on and every assessment of the current episode
    since the earliest of them (with no plan yet, every assessment of the
    current episode). Reported at the assessment and at the plan's
    `meeting`.

    Example:
        # member.yaml: language: {preferred: so, interpreter_needed: true}
        meeting:
          date: 2026-02-02
          facilitator: cm-jlee
          interpreter: {name: Hodan Ali, agency: Somali Community Interpreters, language: so}
        # or, when the member chose to go without:
          interpreter:
            declined: true
            declined_reason: Abdi asked his cousin to help him follow the meeting instead.
    """
    language_pref = case.member.get("language") if case.member is not None else None
    if not isinstance(language_pref, dict) or language_pref.get("interpreter_needed") is not True:
        return
    language = readability.primary(language_pref.get("preferred"))
    for assessment in _assessments_with_the_member(case, ctx):
        name = named_or_this("assessment", assessment.id)
        gap = interpreter_gap(ctx, assessment.data, (), assessment.get("assessor"), language, name)
        if gap is not None:
            yield Hit(assessment, *gap)
    for plan in ctx.lifecycle.plans_to_check():
        meeting = plan.get("meeting")
        what = f"the planning meeting of {named_or_this('plan', plan.id)}"
        if not isinstance(meeting, dict):
            yield Hit(plan, (), "the member needs an interpreter, but the plan does not record its planning "
                      "meeting; add `meeting:` with who took part and who interpreted (`interpreter:`)")
            continue
        lead = meeting.get("facilitator")
        if not isinstance(lead, str) or lead.strip().casefold() == "member":
            lead = case_manager_on(case, parse_iso(meeting.get("date")) or plan.date)
        gap = interpreter_gap(ctx, meeting, ("meeting",), lead, language, what)
        if gap is not None:
            where, message = gap
            yield Hit(plan, where, message, at="key" if where == ("meeting",) else "value")


def _member_view_in(note: Document, names: frozenset[str]) -> bool:
    """Whether a note records the member's view: its `satisfaction`, or a goal's, in a note that records
    what happened (lifecycle.records_contact) of a contact the member took part in (`with` names them:
    lifecycle.contact_parties). A call with the guardian alone holds the guardian's view, not the member's."""
    if not records_contact(note) or not contact_parties(note, names)[0]:
        return False
    return text(note.data, "satisfaction") is not None or any(
        text(entry, "satisfaction") is not None for _, entry in note.items("progress"))


@rule("P411", "satisfaction-unrecorded", "warning", source="CMHPSM 13.003")
def satisfaction_unrecorded(case: Case, ctx: CaseContext) -> Iterator[Hit]:
    """Every periodic review records the member's own view of how the plan is working: in the review
    (`member_view`), or in a note of the same day of a contact the member took part in (`satisfaction`).

    Why it matters: case management documents the member's progress and
    satisfaction, and a periodic review asks whether the member is getting the
    services they need. A review recorded only in the case manager's words
    judges the plan by the agency's measures; asking the member how it is
    going, and writing down what they said, is how a plan stays theirs and how
    a service that is not working for them comes to light.

    How to fix: at each review, ask the member how the plan and their
    supports are working for them and record what they said under the
    review's `member_view`, or in the note of that day's contact with them
    (`satisfaction`, for the plan or for a goal under `progress`). The note
    counts only when the member took part (its `with` names them by their
    legal or preferred name, or says `member`) and it records what happened
    (a narrative `text`, not a template's placeholder: N802): a call with
    the guardian, family or a provider alone holds someone else's view,
    however it is filed. A review's own `member_view` is always enough. Each
    review of the plans to check is checked; the finding is at the review.

    Example:
        reviews:
          - date: 2026-11-05
            by: cm-obello
            outcome: continue
            summary: Weight down 6 pounds; supports unchanged.
            member_view: Danny says the plan is working and he likes his job coach.
    """
    names = member_names(case.member)
    for plan in ctx.lifecycle.plans_to_check():
        for index, review in plan.items("reviews"):
            if text(review, "member_view") is not None:
                continue
            day = parse_iso(review.get("date"))
            if day is not None and any(note.date == day and _member_view_in(note, names) for note in case.notes):
                continue
            when = f"the review of {day.isoformat()}" if day is not None else "this review"
            yield Hit(plan, ("reviews", index), f"{when} does not record the member's own view of how the plan "
                      "is working; add `member_view:` with what they said, or record `satisfaction` in the note "
                      "of that day's contact with them")
