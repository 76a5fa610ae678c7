"""The files `pcplan init` writes, as Python text: configuration, staff, a sample member, tooling.

Kept in Python (not in ``templates/``) so they ship inside the package and an
agency's `templates` folder, which overrides the printed plan, never changes
them. Dates in the staff list and the sample member are computed from the day
`init` runs, so the sample checks clean on that day.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from datetime import date, timedelta
from typing import Any

from ..config import Config, Settings
from .yamltext import comment_safe, scalar

SAMPLE_MEMBER = "M-000001"
SUPERVISOR = "sup-kwalker"
CASE_MANAGER = "cm-mreyes"
# The trainings pcplan.toml suggests requiring; the sample staff have completed them.
SUGGESTED_TRAININGS = ("person-centered-support-planning", "disability-and-cultural-competency",
                       "hcbs-settings-and-rights-modifications", "member-rights")

# ------------------------------------------------------------------ pcplan.toml

# One comment per key: what it does. Keys come from pcplan.config, so a new key
# without a comment here is caught by the tests.
_TOP_COMMENTS = {
    "agency": "The agency's name, printed on every plan and report.",
    "logo": "A logo (PNG, JPEG, SVG, GIF or WebP) for printed plans, as a path from this folder.",
    "locale": "The language of printed plans for members whose preferred language is not recorded "
              "(a code: en, es…).",
    "templates": "A folder (from this one) whose files replace pcplan's own of the same name: plan.html.j2,\n"
                 "plan.md.j2, vocabulary.j2, plan.css, large-print.css, locale/<lang>/LC_MESSAGES/pcplan.po.",
    "paper": 'Paper size of printed plans: "letter" or "a4".',
    "exclude": 'Paths (globs from this folder) that are not checked, for example "archive/**".',
}
_RULES_COMMENTS = {
    "select": 'Rule codes or prefixes to run ("ALL", "L1", "T"); `pcplan rules` lists them.',
    "ignore": "Rule codes or prefixes never to run.",
    "severity": "Severity per rule for this agency: error, warning or info.",
    "per_path_ignores": "Rules not run on some paths (globs from this folder).",
}
_SETTINGS_COMMENTS = {
    "review_interval_months": "Longest time between plan reviews and longest plan period (T201, T202); "
                              "the federal rule says 12.",
    "reassessment_interval_months": "Longest time between assessments of an open case (T208).",
    "assessment_max_age_days": "How much older than the plan its assessment may be (T203).",
    "copy_deadline_days": "Days after the last signature by which the member has their copy (T207).",
    "training_deadline_days": "Days after hire by which staff complete every required training (A604).",
    "training_modules": "The training modules staff.yaml may name; replace them if your curriculum differs.",
    "required_trainings": "Modules every case manager must complete before an assignment (A603) and within\n"
                          "training_deadline_days of hire (A604). None by default; for example:\n"
                          "required_trainings = [" + ", ".join(f'"{m}"' for m in SUGGESTED_TRAININGS) + "]",
    "plain_language_grade": "Highest reading grade level of the text staff write for the member (P406).",
    "deficit_terms": "Words and phrases that label rather than describe the person (P407).",
    "restriction_terms": "Words and phrases that describe limiting a right; plan text using one is covered by a\n"
                         "rights modification (H503).",
    "assessment_due_days": "Days after an enrollment by which the episode has an assessment (T210). A placeholder:\n"
                           "set it to your state's intake deadline.",
    "plan_due_days": "Days after an enrollment by which a consented plan is in effect (T211). A placeholder:\n"
                     "set it to your state's deadline.",
    "change_review_days": "Days after a change-in-condition or member-request assessment by which the plan is\n"
                          "reviewed or a consented revision is in place (T212).",
    "signature_due_days": "Days after a plan's date by which the member (or legal representative) has signed it\n"
                          "(T213).",
    "notice_days": "Days of advance notice before a paid support is reduced or ended (C308).",
    "history_months": "How far back a contact missed under an older plan is still reported (T205).",
    "hold_contact_days": "While a hold is open, some contact (collateral counts) is due at least this often (T214).",
    "max_hold_days": "Days a hold may stay open, since its start or the plan's last review, before it is\n"
                     "ended, reviewed or the case closed (T214).",
}


_TOML_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff]")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):  # JSON escapes U+0000-U+001F; TOML also forbids DEL raw, and line separators
        return _TOML_ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04X}", json.dumps(value, ensure_ascii=False))
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }" if value else "{}"
    items = [_toml(v) for v in value]
    one_line = "[" + ", ".join(items) + "]"
    if len(one_line) <= 80:
        return one_line
    return "[\n" + "".join(f"  {item},\n" for item in items) + "]"


def _comment(text: str) -> str:
    return "".join(f"# {line}\n" for line in text.splitlines())


def pcplan_toml(agency: str | None) -> str:
    """Every key pcplan.toml knows, with pcplan's default (or a commented example when it has none)."""
    config, settings = Config(), Settings()
    out = [_comment("pcplan's configuration for this case repository. Every key is optional: the values below\n"
                    "are pcplan's defaults, written out so you can see and change them. An unknown key stops\n"
                    "pcplan with an error naming it, so a typo never silently turns a rule off."), "\n"]
    for key, comment in _TOP_COMMENTS.items():
        value = agency if key == "agency" and agency else getattr(config, key)
        out.append(_comment(comment))
        if value is None:
            example = {"logo": '"logo.png"', "templates": '"agency-templates"'}[key]
            out.append(f"# {key} = {example}\n")
        else:
            out.append(f"{key} = {_toml(list(value) if isinstance(value, tuple) else value)}\n")
    out.append("\n[rules]\n")
    out.append(_comment(_RULES_COMMENTS["select"]) + f"select = {_toml(list(config.select))}\n")
    out.append(_comment(_RULES_COMMENTS["ignore"]) + f"ignore = {_toml(list(config.ignore))}\n")
    out.append(_comment(_RULES_COMMENTS["severity"]) + '# severity = { P408 = "warning" }\n'
               + f"severity = {_toml(config.severity)}\n")
    out.append("\n[rules.per-path-ignores]\n")
    out.append(_comment(_RULES_COMMENTS["per_path_ignores"]) + '# "archive/**" = ["T201", "T208"]\n')
    out.append("\n[settings]\n")
    for item in fields(Settings):
        value = getattr(settings, item.name)
        out.append(_comment(_SETTINGS_COMMENTS[item.name]))
        out.append(f"{item.name} = {_toml(list(value) if isinstance(value, tuple) else value)}\n")
    out.append("\n[report]\n")
    out.append(_comment("Which CMS LTSS quality measures `pcplan report` computes: \"ffs\" (fee-for-service\n"
                        "waivers) or \"mltss\" (managed care). See docs/measures.md.")
               + f"measures = {_toml(config.measures)}\n")
    rec = config.reconcile
    out.append("\n[reconcile]\n")
    out.append(_comment("How `pcplan reconcile` judges delivery files (docs/reconcile.md): the service codes of case\n"
                        "management (U908).")
               + f"case_management_codes = {_toml(list(rec.case_management_codes))}\n"
               + _comment("Of those, the codes billed only for a contact with the member present.")
               + f"face_to_face_codes = {_toml(list(rec.face_to_face_codes))}\n"
               + _comment("Under-delivery (U905): the share of authorized units delivered in a period, at least.")
               + f"underdelivery_percent = {_toml(rec.underdelivery_percent)}\n"
               + _comment("…or a note naming the support within this many days after the period.")
               + f"underdelivery_followup_days = {_toml(rec.underdelivery_followup_days)}\n")
    out.append("\n[reconcile.columns]\n")
    out.append(_comment("Your delivery files' column names for pcplan's (docs/reconcile.md), when they differ.")
               + '# member_id = "Recipient ID"\n')
    return "".join(out)


# ------------------------------------------------------------------ staff.yaml


def _days(today: date, offset: int) -> str:
    return (today + timedelta(days=offset)).isoformat()


def staff_yaml(today: date, agency: str | None) -> str:
    def trainings(hired: int) -> str:
        return "".join(f"      - module: {module}\n        completed_on: {_days(today, hired + 21 + 14 * n)}\n"
                       for n, module in enumerate(SUGGESTED_TRAININGS))

    supervisor_hired, manager_hired = -6 * 365 - 40, -2 * 365 - 75
    organization = f"organization: {scalar(agency)}\n" if agency else "# organization: Your Agency Name\n"
    return (
        "# The agency's staff: case managers and supervisors, with hire dates and completed trainings.\n"
        "# Case files name staff by id (cm-mreyes). These two are examples: replace them with your own.\n"
        "kind: staff\n"
        "version: 1\n"
        f"{organization}"
        "staff:\n"
        f"  - id: {SUPERVISOR}\n"
        "    name: Kim Walker\n"
        "    role: supervisor                 # case_manager | supervisor | intake | administrator\n"
        f"    hire_date: {_days(today, supervisor_hired)}\n"
        "    trainings:\n"
        f"{trainings(supervisor_hired)}"
        "    languages:\n"
        "      - en\n"
        f"  - id: {CASE_MANAGER}\n"
        "    name: Marisol Reyes\n"
        "    role: case_manager\n"
        f"    hire_date: {_days(today, manager_hired)}\n"
        "    trainings:\n"
        f"{trainings(manager_hired)}"
        "    languages:\n"
        "      - en\n"
        "      - es\n"
        "    specialties:\n"
        "      - older adults\n"
        "      - heart failure\n"
    )


# ------------------------------------------------------------------ the sample member


def sample_member(today: date) -> dict[str, str]:
    """A small, complete, fictional case (file name → text) that checks clean on ``today``."""
    from ..dates import add_months
    from ..fingerprint import fingerprint
    from ..load import load_text

    d = {f"t{n}": _days(today, n) for n in (-45, -40, -30, -20, -18, -15, -6)}
    end = add_months(today + timedelta(days=-20), 12) - timedelta(days=1)
    d.update(end=end.isoformat(), g1=add_months(today, 6).isoformat(), g11=add_months(today, 3).isoformat(),
             g2=(end - timedelta(days=30)).isoformat(), g21=add_months(today, 5).isoformat(),
             m=SAMPLE_MEMBER, cm=CASE_MANAGER, sup=SUPERVISOR)
    fold = f"members/{SAMPLE_MEMBER}"
    files = {
        f"{fold}/member.yaml": _SAMPLE_MEMBER_YAML.format(**d),
        f"{fold}/assessment-{d['t-30']}.yaml": _SAMPLE_ASSESSMENT_YAML.format(**d),
        f"{fold}/notes/{d['t-6']}.yaml": _SAMPLE_NOTE_YAML.format(**d),
    }
    plan = _SAMPLE_PLAN_YAML.format(fingerprint="{fingerprint}", **d)
    signed = fingerprint(load_text(plan.replace("{fingerprint}", "sha256:0000000000000000")).data)
    files[f"{fold}/plan-{d['t-20']}.yaml"] = plan.replace("{fingerprint}", signed)
    return dict(sorted(files.items()))


_SAMPLE_MEMBER_YAML = """\
# A fictional member, to show what a complete case looks like. Delete this folder
# (git rm -r members/{m}) before you add real members.
kind: member
version: 1
id: {m}
name:
  legal: Samuel Ortiz
  preferred: Sam
pronouns: he/him
birth_date: 1958-06-14
language:
  preferred: en
  interpreter_needed: false
document_format: print
contact:
  phone: "555-0100"
  address: 100 Sample Street, Springfield
representatives:
  - name: Lucia Ortiz
    relationship: daughter
    authority: supporter
    phone: "555-0101"
programs:
  - program: HCBS-EBD
    eligibility:
      determined_on: {t-45}
      determined_by: {cm}
      basis: The functional screen met the nursing-facility level of care; the county confirmed financial eligibility.
    enrolled_on: {t-40}
    referral_source: Primary care clinic social worker
rights_explained_on: {t-40}              # rights and responsibilities, incl. conflict-free case management
choice_of_case_manager_offered_on: {t-40}
case_managers:
  - staff: {cm}
    from: {t-40}
    assigned_by: {sup}
    chosen_by_member: true
    preferences: Asked for a case manager who knows about heart failure.
    reason: Initial assignment.
status: active
"""

_SAMPLE_ASSESSMENT_YAML = """\
kind: assessment
version: 1
id: A1
member: {m}
date: {t-30}
type: initial
assessor: {cm}
sources:
  - interview
  - records
  - family
participants:
  - name: Sam
    role: member
  - name: Lucia Ortiz
    role: daughter
important_to_me: Living in my own house with my dog, and working in my garden.
strengths:
  - id: S1
    text: His daughter Lucia lives nearby and checks on him every few days.
  - id: S2
    text: Plans his week carefully and keeps a daily log of his weight.
needs:
  - id: N1
    domain: daily_living
    text: Help with cleaning and laundry since his heart condition left him short of breath.
    priority: 1
  - id: N2
    domain: transportation
    text: A way to get to his heart clinic visits.
    priority: 2
barriers:
  - id: B1
    text: The nearest bus stop is too far for him to walk to.
    needs:
      - N2
risks:
  - id: R1
    text: Signs that his heart failure is getting worse could be missed.
    level: medium
"""

_SAMPLE_PLAN_YAML = """\
kind: plan
version: 1
id: P1
member: {m}
date: {t-20}
type: initial
assessment: A1
meeting:
  date: {t-20}
  place: Sam's kitchen table
  chosen_by_member: true               # Sam chose the time and the place
  facilitator: {cm}
  participants:
    - name: Sam
      role: member
    - name: Lucia Ortiz
      role: daughter
      invited_by_member: true
setting:
  type: own_home
  chosen_by_member: true
  options_considered:
    - His own house with help at home
    - An assisted living home near his daughter
effective:
  start: {t-20}
  end: {end}
what_matters: I want to stay in my house with my dog and keep my garden going.
goals:
  - id: G1
    own_words: I want my house kept clean without wearing myself out.
    needs:
      - N1
    strengths:
      - S2
    target_date: {g1}
    status: active
    objectives:
      - id: G1.1
        text: A helper cleans and does the laundry with Sam each week.
        measure: The helper's visit log.
        target_date: {g11}
  - id: G2
    own_words: I want to get to my heart doctor every time.
    needs:
      - N2
    strengths:
      - S1
    target_date: {g2}
    status: active
    objectives:
      - id: G2.1
        text: Sam gets to every visit at the heart clinic.
        measure: The ride log and what Sam tells us.
        target_date: {g21}
deferred_needs: []
supports:
  - id: SP1
    description: A home helper cleans and does the laundry.
    paid: true
    provider: Example Home Care
    goals:
      - G1
    amount: 3
    unit: hours
    frequency: weekly
    start: {t-15}
    end: {end}
  - id: SP2
    description: Rides to the heart clinic.
    paid: true
    provider: County Ride Service
    goals:
      - G2
    amount: 2
    unit: trips
    frequency: monthly
    start: {t-15}
    end: {end}
  - id: SP3
    description: Lucia drives Sam to the clinic when a ride falls through.
    paid: false
    provider: Lucia Ortiz (daughter)
    goals:
      - G2
    amount: 1
    unit: trip
    frequency: as_needed
    start: {t-20}
    end: {end}
strategies:
  - barrier: B1
    text: The ride service picks Sam up at his door.
risk_mitigations:
  - risk: R1
    mitigation: Sam weighs himself each morning. He calls the clinic nurse if his weight goes up.
    backup_plan: If he cannot reach the nurse, Lucia takes him to urgent care.
rights_modifications: []
monitoring:
  responsible: case_manager          # whoever is the member's case manager that day
  contacts:
    - type: face_to_face
      every: 3 months
    - type: phone
      every: 1 month
  review_every: 6 months
reviews: []
signatures:
  - role: member
    name: Sam
    signed_on: {t-20}
    method: wet
    fingerprint: "{fingerprint}"
  - role: case_manager
    name: Marisol Reyes
    staff: {cm}
    signed_on: {t-20}
    method: wet
    fingerprint: "{fingerprint}"
  - role: provider
    name: Example Home Care
    signed_on: {t-18}
    method: electronic
    fingerprint: "{fingerprint}"
  - role: provider
    name: County Ride Service
    signed_on: {t-18}
    method: electronic
    fingerprint: "{fingerprint}"
distribution:
  - to: Sam
    role: member
    copy_given: true
    given_on: {t-18}
    format: print
    language: en
  - to: Example Home Care
    role: provider
    copy_given: true
    given_on: {t-18}
    format: electronic
    language: en
  - to: County Ride Service
    role: provider
    copy_given: true
    given_on: {t-18}
    format: electronic
    language: en
exceptions: []
"""

_SAMPLE_NOTE_YAML = """\
kind: note
version: 1
member: {m}
date: {t-6}
staff: {cm}
contact: face_to_face
with:
  - Sam
  - Lucia Ortiz
minutes: 45
progress:
  - goal: G1
    text: The helper came every week. Sam says the house has never looked better.
  - goal: G2
    text: Sam got to his clinic visit on time with the ride service.
satisfaction: Happy with the helper. Would like the rides to come a little earlier.
unmet_needs: []
text: Asked the ride service for an earlier pickup; they will call Sam this week.
"""

# ------------------------------------------------------------------ tooling

PRE_COMMIT = """\
# pre-commit (https://pre-commit.com) runs pcplan on the case files you commit, with their whole
# member folders, and stops the commit only for a problem in the files you commit (what else the
# folder owes is shown, not blocking). A change to staff.yaml or pcplan.toml is checked against
# every member and stops the commit only for the problems it brings.
# Install once per computer: pip install pre-commit && pre-commit install
repos:
  - repo: local
    hooks:
      - id: pcplan-check
        name: pcplan check
        entry: pcplan check --member-folders
        language: system
        files: '(\\.(yaml|yml)|(^|/)pcplan\\.toml)$'
        # Hidden files (this one, .github/) are tooling, not case files; pcplan skips them when it
        # walks a folder, but a file named on the command line without `kind:` would be an E003.
        exclude: (^|/)\\.
"""


def ci_workflow() -> str:
    from .wheel import WHEEL_PATH

    return f"""\
# GitHub Actions: check every case file on each push and pull request, and every weekday morning,
# so a review or reassessment that falls due is reported even on a day nobody commits.
name: pcplan
on:
  push:
  pull_request:
  schedule:
    - cron: "0 12 * * 1-5"
  workflow_dispatch:
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install pcplan
        # pcplan is not on the Python package index: it is installed from the wheel this repository keeps
        # (pcplan init wrote it), so every run checks with the same pcplan; upgrade on purpose, not by surprise:
        # put the new wheel in .pcplan/ and change the name here. pcplan's dependencies (PyYAML, Jinja2,
        # WeasyPrint…) come from the package index, so the runner needs to reach it.
        run: python -m pip install "{WHEEL_PATH}"
      - name: Check the case files
        # PCPLAN_TODAY is deliberately not set: the check runs as of today's date, so whatever is
        # overdue today fails the run. Set it only to repeat an old run as of its date.
        # CI is set on GitHub, so the report never quotes a line of a case file into the log.
        run: pcplan check
"""


GITATTRIBUTES = """\
# Case files are text with Unix line endings on every computer, so diffs stay small and
# plans are never changed by a checkout on another system.
* text=auto eol=lf
*.yaml text eol=lf
*.yml text eol=lf
*.toml text eol=lf
*.md text eol=lf
*.json text eol=lf
# Printed plans, scans and images are binary: never converted, never merged as text.
*.pdf binary
*.png binary
*.jpg binary
*.jpeg binary
*.gif binary
*.webp binary
*.whl binary
"""

# Printed plans (`pcplan render` writes them to printed/) hold a member's plan: kept on the computer that
# printed them, never committed, not even by `git add -A`.
PRINTED_FOLDER = "printed/"
GITIGNORE = f"""\
# Printed plans hold members' information: `pcplan render` writes them here, and git never commits them.
{PRINTED_FOLDER}
"""

SCHEMA_FOLDER = ".pcplan/schemas"
# Which case files each schema describes: the names `pcplan new` gives them and the docs use (closure.yaml, then
# closure-DATE.yaml for each later episode; notes/DATE-2.yaml for a second note that day), with pcplan's other
# YAML suffix too. Red Hat's YAML extension matches a glob against the whole path (`**/` before it), `*` within one
# folder; plain globs without braces, which older releases of the extension read differently.
SCHEMA_GLOBS = {
    kind: [f"{glob}.{suffix}" for glob in globs for suffix in ("yaml", "yml")]
    for kind, globs in {
        "member": ["members/**/member"],
        "assessment": ["members/**/assessment-*"],
        "plan": ["members/**/plan-*"],
        "note": ["members/**/notes/*"],
        "closure": ["members/**/closure*"],
        "staff": ["staff"],
        "providers": ["providers"],
    }.items()
}


def vscode_settings() -> str:
    settings = {
        "yaml.schemas": {f"./{SCHEMA_FOLDER}/{kind}.schema.json": globs for kind, globs in SCHEMA_GLOBS.items()},
        "yaml.yamlVersion": "1.2",
        "yaml.validate": True,
        "yaml.format.enable": False,
        "files.eol": "\n",
        "files.insertFinalNewline": True,
        "[yaml]": {"editor.insertSpaces": True, "editor.tabSize": 2},
    }
    return json.dumps(settings, indent=2) + "\n"


# Red Hat's YAML extension reads the schemas (field names, completion); pcplan's own (editors/vscode in pcplan's
# repository) starts `pcplan lsp`: every rule while typing, hover, go to definition, quick fixes.
PCPLAN_EXTENSION = "pcplan.pcplan"
VSCODE_EXTENSIONS = json.dumps({"recommendations": ["redhat.vscode-yaml", PCPLAN_EXTENSION]}, indent=2) + "\n"


def readme(agency: str | None) -> str:
    from .wheel import WHEEL_NAME, WHEEL_PATH

    title = comment_safe(agency) if agency else "Our agency"  # one line, with no control characters
    wheel_name, wheel_path = WHEEL_NAME, WHEEL_PATH
    return f"""\
# {title}: case files

This repository holds our members' case files as plain-text YAML, one folder per
member, checked by pcplan against the rules of
person-centered planning. These files are protected health information: keep
the repository private, and never copy a case file into an email or a ticket.

## What is here

| path | what it is |
|---|---|
| `pcplan.toml` | the agency's pcplan settings: rules, review interval, required trainings, deadlines (every key is there with its default and a comment) |
| `staff.yaml` | our case managers and supervisors: ids, hire dates, trainings completed |
| `members/M-000001/` | one folder per member, named by member id |
| `members/…/member.yaml` | who the person is: names, language, representatives, programs, case manager, status |
| `members/…/assessment-YYYY-MM-DD.yaml` | an assessment: what is important to the person, strengths, needs, barriers, risks |
| `members/…/plan-YYYY-MM-DD.yaml` | a person-centered plan: goals in the person's words, supports, signatures, copies |
| `members/…/notes/YYYY-MM-DD.yaml` | a note of one contact and the progress on each goal |
| `members/…/closure.yaml` | how the case ended: exit interview, next-stage plan, referrals (`closure-YYYY-MM-DD.yaml` for each later episode) |
| `printed/` | printed plans (`pcplan render`): never committed, `.gitignore` keeps them out of git |
| `.pcplan/{wheel_name}` | the pcplan this repository is checked with, installed from here on every computer and in CI (pcplan is not on the Python package index) |
| `.pcplan/schemas/` | the JSON Schemas of the case files, for the editor |
| `.vscode/` | editor settings and recommended extensions: the schemas give hover help and completion, pcplan's checks run while you type |
| `.pre-commit-config.yaml` | runs `pcplan check` on the member folders you change, before each commit |
| `.github/workflows/pcplan.yml` | runs `pcplan check` on every push and every weekday morning |
| `.gitattributes` | keeps line endings the same on every computer |
| `.gitignore` | keeps `printed/` out of git, even with `git add -A` |

`members/{SAMPLE_MEMBER}` is a **fictional** member that shows a complete case. Read it,
then delete it before adding real members: `git rm -r members/{SAMPLE_MEMBER}`.

## Every day

```sh
pcplan check                                   # every case file; exit 1 when something needs fixing
pcplan check members/M-000001                  # one member
pcplan rule C301                               # why a rule exists and how to fix what it found
pcplan due --within 30d                        # what is due in the next 30 days, overdue first
pcplan render members/M-000001                 # the member's plan, to print or send, in their language
```

Starting a record (pcplan fills in the ids, dates and references, and never
writes over a file):

```sh
pcplan new member --legal-name "Samuel Ortiz" --preferred-name Sam --case-manager {CASE_MANAGER}
pcplan new assessment members/M-000002
pcplan new plan members/M-000002                   # based on the latest assessment
pcplan new plan members/M-000002 --from-previous   # a revision: goals and supports carried forward
pcplan new note members/M-000002 --contact phone
pcplan new closure members/M-000002 --reason goals_met
```

In a terminal, pcplan asks for what it needs; the comments in each new file say
what to fill in. Then run `pcplan check` until it is quiet, and commit.

## Setting up a computer

pcplan is not on the Python package index: install the one this repository
keeps (its dependencies come from the index), from the top of the repository:

```sh
python3 -m pip install "{wheel_path}" pre-commit
pre-commit install          # check the case files before every commit
```

CI installs the same file. To upgrade pcplan, replace that wheel with the new
one (`pcplan init --force` run by the new pcplan writes it, keeping every other
file) and change its name in `.github/workflows/pcplan.yml`.

In Visual Studio Code, install the two recommended extensions: YAML (Red Hat),
which the settings in `.vscode/` connect to each kind of case file's schema, and
pcplan, which shows every pcplan finding while you type (it runs `pcplan lsp`,
so pcplan must be installed). Other editors: see pcplan's docs/editors.md.
"""  # noqa: E501 - a Markdown table row is one line, however long
