#!/usr/bin/env python3
"""Write a realistic, deterministic case repository of N members for benchmarking pcplan.

    python benchmarks/generate.py OUT_DIR --members 10000 [--seed 1] [--jobs J] [--manifest FILE] [--coded]

OUT_DIR receives `pcplan.toml`, `staff.yaml` and `members/M-XXXXXX/` folders
shaped like the reference repository (sample_cases/): member.yaml, one or two
assessments, one or two plans (3-12 goals with objectives, 2-15 paid and
unpaid supports, risks and mitigations, strategies, signatures, distribution),
and 6-14 contact notes across the last year. About 8% of the cases are closed
(closure.yaml), about 15% carry a rights modification, and about 10% carry one
seeded defect (see DEFECTS); the rest check clean with `--today 2026-11-22`.

With --coded (opt-in; without it the output is byte-identical to before the
option existed), every paid support also carries a HCPCS `service`, a
`provider_id` into a generated providers.yaml and an `authorization`, every
member a medicaid identifier, about one active member in seven a short
hospital hold in October 2026; the facts the delivery generator needs
(benchmarks/deliveries.py) go to OUT_DIR.facts.jsonl, outside the repository.
These draws come from a second generator per member, so the rest of each file
is the same as without --coded.

`benchmarks/verify.py` checks a generated repository against its --manifest:
clean members have no finding, every seeded defect has its code.

Everything comes from `random.Random` seeded with --seed (one generator per
member, seeded with the seed and the member's position), so the same seed and
N give byte-identical files whatever --jobs is. No network, no dependencies
beyond the standard library. The files are YAML text written by hand-built
emitters with a stable key order; strings that YAML could read as something
else (phone numbers, `no`, `012`) are quoted, dates are plain ISO 8601.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import time
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pools as P  # noqa: E402

TODAY = date(2026, 11, 22)  # the --today the generated repository is consistent with
DAY = timedelta(days=1)

# The seeded defects and the rule code each must produce.
DEFECTS = {
    "goal-without-need": "L101",
    "unknown-need-reference": "L102",
    "support-without-frequency": "L109",
    "typo-field-name": "E004",
    "impossible-date": "E004",
    "duplicate-key": "E002",
    "note-wrong-member": "E006",
}
DEFECT_RATE = 0.10
CLOSED_RATE = 0.08
MEMBERS_PER_CM = 40
CMS_PER_SUPERVISOR = 8


# --coded: a HCPCS code (and display) for each kind of provider, a modifier for some; every provider's id, NPI
# (ten digits passing the check digit, made up) and Medicaid provider id; the agency itself bills case management.
SERVICE_CODES = {
    "home_care": ("T1019", "Personal care services"), "home_health": ("S9123", "Nursing care in the home"),
    "transport": ("T2003", "Non-emergency transportation"), "meals": ("S5170", "Home delivered meals"),
    "employment": ("H2023", "Supported employment"), "behavioral": ("H0004", "Behavioral health counseling"),
    "peer": ("H0038", "Self-help/peer services"), "day": ("S5100", "Adult day care"),
    "housing": ("H0044", "Supported housing"), "benefits": ("T2041", "Supports brokerage"),
    "legal": ("T2025", "Waiver services; not otherwise specified"), "education": ("H2014", "Skills training"),
    "medical": ("T1001", "Nursing assessment"), "equipment": ("T2029", "Specialized medical equipment"),
    "skills": ("H2015", "Comprehensive community support services"), "food": ("S5170", "Home delivered meals"),
    "respite": ("S5150", "Unskilled respite care"), "dietitian": ("S9470", "Nutritional counseling"),
    "pharmacy": ("T1502", "Administration of medication"),
}
CODE_MODIFIERS = {"skills": ["HI"], "respite": ["U1"], "behavioral": ["HE"]}
CASE_MANAGEMENT_CODE = "T1016"  # targeted case management, 15 minutes
AGENCY_PROVIDER_ID = "pv-agency"


def provider_id(name: str) -> str:
    return "pv-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def npi_of(n: int) -> str:
    """A made-up ten-digit NPI whose check digit is right (Luhn over 80840 and the first nine digits)."""
    base = f"1{n:08d}"
    digits = [int(c) for c in "80840" + base]
    total = 0
    for i, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if i % 2 == 0 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return base + str((10 - total % 10) % 10)


def providers_doc() -> dict:
    rows = [(AGENCY_PROVIDER_ID, P.AGENCY)] + [(provider_id(n), n) for kind in P.PROVIDERS for n in P.PROVIDERS[kind]]
    seen: dict = {}
    for pid, name in rows:
        seen.setdefault(pid, name)
    return {"kind": "providers", "version": 1, "providers": [
        {"id": pid, "name": name, "type": "organization", "npi": npi_of(1000 + 37 * i), "medicaid_id": f"CO-{4000 + i:06d}"}
        for i, (pid, name) in enumerate(seen.items())]}


PROVIDER_KIND = {name: kind for kind, names in P.PROVIDERS.items() for name in names}


# ---------------------------------------------------------------- YAML text

class Flow(dict):
    """A mapping written in flow style: {a: 1, b: 2}."""


class Raw(str):
    """Text written as is (an impossible date that must look like a date)."""


DUP = "\x00dup"  # a key ending in this is written without it: a duplicate key on purpose

_SPECIAL = {"", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n"}
_NUMLIKE = re.compile(r"^[-+]?[0-9.][0-9_.:eE+-]*$|^[-+]?\.(inf|nan)$", re.I)
_BAD_START = set("-?:,[]{}#&*!|>'\"%@` ")


def q(text: str, flow: bool = False) -> str:
    """A string as a YAML scalar: plain when that is safe and means the same, else double-quoted."""
    if (not text or text[0] in _BAD_START or text[-1] in " :" or text.lower() in _SPECIAL
            or ": " in text or " #" in text or "\n" in text or "\t" in text or _NUMLIKE.match(text)
            or (flow and any(c in text for c in ",[]{}"))):
        return json.dumps(text, ensure_ascii=False)
    return text


def scalar(value, flow: bool = False) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        return q(value, flow)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v, True) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k.split(DUP)[0]}: {scalar(v, True)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def emit(mapping: dict, out: list, indent: str = "") -> None:
    """Block-style YAML lines of ``mapping`` appended to ``out``.

    Nested mappings are blocks (unless Flow); a list of mappings is a block
    list; a list of scalars or of Flow mappings is written as the reference
    files write it.
    """
    for key, value in mapping.items():
        key = key.split(DUP)[0]
        if isinstance(value, dict) and not isinstance(value, Flow):
            out.append(f"{indent}{key}:")
            emit(value, out, indent + "  ")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out.append(f"{indent}{key}:")
            for item in value:
                if isinstance(item, Flow):
                    out.append(f"{indent}  - {scalar(item)}")
                else:
                    sub: list = []
                    emit(item, sub, indent + "    ")
                    out.append(f"{indent}  - {sub[0].lstrip()}")
                    out.extend(sub[1:])
        else:
            out.append(f"{indent}{key}: {scalar(value)}")


def text_of(mapping: dict) -> str:
    out: list = []
    emit(mapping, out)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- dates

def add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    y += day.year
    m += 1
    last = (date(y + (m == 12), m % 12 + 1, 1) - DAY).day
    return date(y, m, min(day.day, last))


def between(rng: random.Random, lo: date, hi: date) -> date:
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def min_days(months: int) -> int:
    """The fewest days `months` calendar months can span."""
    return {1: 28, 2: 59, 3: 89, 6: 181, 12: 365}[months]


# ---------------------------------------------------------------- staff

def make_staff(seed: int, members: int) -> dict:
    rng = random.Random(f"staff:{seed}")
    n_cm = max(2, math.ceil(members / MEMBERS_PER_CM))
    n_sup = max(1, math.ceil(n_cm / CMS_PER_SUPERVISOR))
    n_new = n_cm // 20            # new hires still in training, no caseload yet
    n_left = n_cm // 25           # former case managers
    n_intake = max(1, members // 1000)
    used: set = set()

    def person(prefix: str):
        first = rng.choice(P.STAFF_FIRST)
        last = rng.choice(P.LAST)
        base = f"{prefix}-{first[0]}{last}".lower()
        sid, n = base, 1
        while sid in used:
            n += 1
            sid = f"{base}{n}"
        used.add(sid)
        return sid, f"{first} {last}"

    def trainings(hired: date, complete: bool = True) -> list:
        out, day = [], hired
        modules = P.REQUIRED_TRAININGS if complete else P.REQUIRED_TRAININGS[:rng.randint(0, 3)]
        for module in modules:
            day = day + timedelta(days=rng.randint(7, 25))
            out.append(Flow(module=module, completed_on=day))
        for module in rng.sample(P.OTHER_TRAININGS, rng.randint(0, 3)) if complete else []:
            day = day + timedelta(days=rng.randint(20, 400))
            if day < TODAY:
                out.append(Flow(module=module, completed_on=day))
        return out

    def entry(sid, name, role, hired, complete=True, left=None, specialties=True):
        e = {"id": sid, "name": name, "role": role, "hire_date": hired}
        if left is not None:
            e["left_on"] = left
        e["trainings"] = trainings(hired, complete)
        e["languages"] = ["en"] + (rng.sample(["es", "so", "vi", "ar", "ru", "ne"], 1) if rng.random() < 0.3 else [])
        if specialties:
            e["specialties"] = rng.sample(P.SPECIALTIES, rng.randint(1, 3))
        return e

    staff, supervisors, cms = [], [], []
    for _ in range(n_sup):
        sid, name = person("sup")
        supervisors.append(sid)
        staff.append(entry(sid, name, "supervisor", between(rng, date(2010, 1, 1), date(2020, 12, 31))))
    for _ in range(n_cm):
        sid, name = person("cm")
        cms.append((sid, name))
        staff.append(entry(sid, name, "case_manager", between(rng, date(2012, 1, 1), date(2023, 6, 30))))
    for _ in range(n_new):
        sid, name = person("cm")
        staff.append(entry(sid, name, "case_manager", TODAY - timedelta(days=rng.randint(10, 110)), complete=False,
                           specialties=False))
    for _ in range(n_left):
        sid, name = person("cm")
        hired = between(rng, date(2015, 1, 1), date(2022, 12, 31))
        staff.append(entry(sid, name, "case_manager", hired, left=between(rng, date(2024, 1, 1), date(2025, 6, 30))))
    for _ in range(n_intake):
        sid, name = person("intake")
        staff.append(entry(sid, name, "intake", between(rng, date(2016, 1, 1), date(2023, 12, 31)), specialties=False))
    doc = {"kind": "staff", "version": 1, "organization": P.AGENCY, "staff": staff}
    return {"text": text_of(doc), "cms": cms, "supervisors": supervisors}


def member_ids(seed: int, members: int) -> list:
    rng = random.Random(f"ids:{seed}")
    ids, n = [], 100
    for _ in range(members):
        n += rng.randint(1, 9)
        ids.append(f"M-{n:06d}")
    return ids


PCPLAN_TOML = f'''# Agency configuration for pcplan (a generated benchmark repository).
agency = "{P.AGENCY}"
locale = "en"

[rules]
select = ["ALL"]
ignore = []

[settings]
review_interval_months = 12
assessment_max_age_days = 90
copy_deadline_days = 15
training_deadline_days = 120
required_trainings = [
{"".join(f'  "{m}",{chr(10)}' for m in P.REQUIRED_TRAININGS)}]
plain_language_grade = 8
deficit_terms = ["non-compliant", "noncompliant", "refuses", "low-functioning", "manipulative", "attention-seeking", "suffers from", "wheelchair-bound"]
'''


# ---------------------------------------------------------------- one member

class Member:
    """Builds the files of one member folder from its own random generator."""

    def __init__(self, seed: int, index: int, ids: list, staff: dict):
        self.rng = rng = random.Random(seed * 1_000_003 + index)
        self.coded = bool(staff.get("coded"))  # --coded: its draws come from self.crng only
        self.crng = random.Random(f"coded:{seed}:{index}")
        self.index = index
        self.id = ids[index]
        self.neighbor = ids[index - 1] if index > 0 else (ids[1] if len(ids) > 1 else "M-000001")
        self.cms, self.sups = staff["cms"], staff["supervisors"]
        names = list(P.PROGRAMS)
        self.program = rng.choices(names, weights=[P.PROGRAMS[n]["weight"] for n in names])[0]
        self.prog = P.PROGRAMS[self.program]
        self.closed = rng.random() < CLOSED_RATE
        self.rights = rng.random() < (0.24 if self.program in ("SLS-DD", "CMH-TCM") else 0.065)
        self.defect = rng.choice(list(DEFECTS)) if rng.random() < DEFECT_RATE else None
        self.files: list = []  # (relative path, text)

    # ---- people
    def person(self):
        rng = self.rng
        sex = rng.choices("FMX", weights=[48, 48, 4])[0]
        pool = {"F": P.FIRST_F, "M": P.FIRST_M, "X": P.FIRST_X}[sex]
        first, last = rng.choice(pool), rng.choice(P.LAST)
        middle = rng.choice(pool) if rng.random() < 0.35 else None
        while middle == first:
            middle = rng.choice(pool)
        self.legal = " ".join(x for x in (first, middle, last) if x)
        r = rng.random()
        if first in P.NICK and r < 0.5:
            self.pref = P.NICK[first]
        elif middle and r < 0.15:
            self.pref = middle
        else:
            self.pref = first
        self.first, self.last = first, last
        self.pronouns = {"F": "she/her", "M": "he/him", "X": "they/them"}[sex]
        self.their = {"F": "her", "M": "his", "X": "their"}[sex]
        lo, hi = self.prog["ages"]
        self.birth = between(rng, date(TODAY.year - hi, 1, 1), date(TODAY.year - lo, 12, 31))
        if self.program == "RSS-CM":
            self.lang = rng.choice(["so", "ar", "ne", "sw", "ps", "uk", "fa", "my", "ti", "es"])
        else:
            self.lang = rng.choices(["en", "es", "vi", "ru", "zh"], weights=[74, 20, 2, 2, 2])[0]
        self.interpreter = self.lang != "en" and rng.random() < 0.8
        fmt_w = [70, 22, 1, 7] if self.program == "HCBS-EBD" else [88, 2, 1, 9]
        self.format = rng.choices(["print", "large_print", "braille", "electronic"], weights=fmt_w)[0]
        # representatives and natural supporters
        taken = {first, self.pref}
        self.reps, self.helpers = [], []

        def someone(relations):
            rel, rsex = rng.choice(relations)
            rpool = {"F": P.FIRST_F, "M": P.FIRST_M, "X": P.FIRST_F + P.FIRST_M}[rsex]
            fn = rng.choice(rpool)
            while fn in taken:
                fn = rng.choice(rpool)
            taken.add(fn)
            ln = last if rel not in ("friend", "neighbor", "partner") else rng.choice(P.LAST)
            return fn, f"{fn} {ln}", rel

        r = rng.random()
        if self.program == "SLS-DD" and r < 0.5:
            auth = "legal_guardian"
        elif self.program == "HCBS-EBD" and r < 0.2:
            auth = "power_of_attorney"
        elif self.program == "CMH-TCM" and r < 0.08:
            auth = "authorized_representative"
        elif r < 0.55:
            auth = "supporter"
        else:
            auth = None
        if auth:
            rels = [x for x in P.RELATIVES if x[0] in ("mother", "father", "sister", "brother")] \
                if self.program == "SLS-DD" else P.RELATIVES
            fn, full, rel = someone(rels)
            self.reps.append(dict(first=fn, name=full, relationship=rel, authority=auth,
                                  phone=f"970-555-{rng.randint(100, 9999):04d}"))
            self.helpers.append((fn, f"{full} ({rel})"))
        while len(self.helpers) < 2:
            fn, full, rel = someone(P.RELATIVES)
            self.helpers.append((fn, f"{full} ({rel})"))

    def fmt(self, template: str, helper: tuple | None = None) -> str:
        helper = helper or self.helpers[0]
        return template.format(name=self.pref, their=self.their, helper=helper[0])

    # ---- timeline
    def timeline(self):
        rng = self.rng
        if self.closed:
            self.end = TODAY - timedelta(days=rng.randint(7, 270))
        else:
            self.end = TODAY
        self.two = rng.random() < 0.45
        floor = date(2026, 1, 2)
        if self.two:
            lo = self.end - timedelta(days=300)
            if not self.closed:
                lo = max(lo, floor)
            pl = between(rng, lo, self.end - timedelta(days=20))
            self.annual = rng.random() < 0.6
            p1 = pl - timedelta(days=rng.randint(335, 364) if self.annual else rng.randint(90, 240))
            self.plan_dates = [p1, pl]
        else:
            if self.closed:
                pl = between(rng, self.end - timedelta(days=330), self.end - timedelta(days=60))
            else:
                pl = between(rng, floor, date(2026, 6, 10))
            self.plan_dates = [pl]
        self.assess_dates = [p - timedelta(days=rng.randint(5, 40)) for p in self.plan_dates]
        self.enrolled = self.assess_dates[0] - timedelta(days=rng.randint(3, 25))
        self.determined = self.enrolled - timedelta(days=rng.randint(2, 20))
        # case managers: one, or a transfer
        n = len(self.cms)
        first = rng.randrange(n)
        self.assign = [(first, self.enrolled, None, None)]
        span = (self.end - self.enrolled).days
        if n > 1 and span > 150 and rng.random() < 0.2:
            t = self.enrolled + timedelta(days=rng.randint(60, span - 30))
            second = (first + rng.randint(1, n - 1)) % n
            reason = rng.choice([
                f"{self.pref} asked for a case manager who speaks {self.lang_name()}.",
                f"{self.pref} asked for a change at a quarterly review.",
                "The case manager moved to another team; the member chose the new case manager.",
                f"{self.pref} asked for a case manager with more experience in {self.program} services.",
            ])
            self.assign = [(first, self.enrolled, t - DAY, None), (second, t, None, reason)]
        if self.closed:
            cm, start, _, reason = self.assign[-1]
            self.assign[-1] = (cm, start, self.end, reason)

    def lang_name(self) -> str:
        return {"en": "English", "es": "Spanish", "so": "Somali", "ar": "Arabic", "ne": "Nepali", "sw": "Swahili",
                "ps": "Pashto", "uk": "Ukrainian", "fa": "Dari", "my": "Burmese", "ti": "Tigrinya",
                "vi": "Vietnamese", "ru": "Russian", "zh": "Chinese"}[self.lang]

    def cm_at(self, day: date) -> str:
        current = self.assign[0][0]
        for cm, start, _, _ in self.assign:
            if start <= day:
                current = cm
        return self.cms[current][0]

    def cm_name(self, sid: str) -> str:
        return dict(self.cms)[sid]

    def sup_of(self, cm_index: int) -> str:
        return self.sups[min(cm_index // CMS_PER_SUPERVISOR, len(self.sups) - 1)]

    # ---- member.yaml
    def member_doc(self) -> dict:
        rng = self.rng
        town, zipc = rng.choice(P.TOWNS)
        doc = {
            "kind": "member", "version": 1, "id": self.id,
            "name": {"legal": self.legal, "preferred": self.pref},
            "pronouns": self.pronouns,
            "birth_date": self.birth,
            "language": {"preferred": self.lang, "interpreter_needed": self.interpreter},
            "document_format": self.format,
        }
        if self.program == "SLS-DD" and rng.random() < 0.6:
            doc["identity_language"] = rng.choice(["person_first", "identity_first"])
        doc["contact"] = {"phone": f"970-555-{rng.randint(100, 9999):04d}",
                          "address": f"{rng.randint(10, 4999)} {rng.choice(P.STREETS)}, {town}, CO {zipc}"}
        doc["representatives"] = [
            {"name": r["name"], "relationship": r["relationship"], "authority": r["authority"], "phone": r["phone"]}
            for r in self.reps]
        determined_by = self.cm_at(self.enrolled) if rng.random() < 0.6 else "County eligibility unit"
        doc["programs"] = [{
            "program": self.program,
            "eligibility": {"determined_on": self.determined, "determined_by": determined_by,
                            "basis": self.prog["basis"]},
            "enrolled_on": self.enrolled,
            "referral_source": rng.choice(self.prog["referral"]),
        }]
        doc["rights_explained_on"] = self.enrolled
        doc["choice_of_case_manager_offered_on"] = self.enrolled
        assignments = []
        for position, (cm, start, stop, reason) in enumerate(self.assign):
            a = {"staff": self.cms[cm][0], "from": start}
            if stop is not None:
                a["to"] = stop
            a["assigned_by"] = self.sup_of(cm)
            a["chosen_by_member"] = position > 0 or rng.random() < 0.4
            if position == 0 and self.lang != "en" and rng.random() < 0.5:
                a["preferences"] = f"Asked for a case manager who speaks {self.lang_name()}."
            a["reason"] = reason or rng.choice(["Initial assignment.", "Initial assignment; no preference voiced."])
            assignments.append(a)
        doc["case_managers"] = assignments
        doc["status"] = "closed" if self.closed else "active"
        return doc

    # ---- assessment
    def assessment(self, number: int, day: date, kind: str) -> dict:
        rng = self.rng
        n_goals = rng.choices(range(3, 13), weights=[10, 14, 16, 14, 12, 10, 8, 6, 5, 5])[0]
        extra = rng.choices([0, 1, 2], weights=[60, 28, 12])[0]
        keys = rng.sample(self.prog["keys"], min(len(self.prog["keys"]), n_goals + extra))
        items = [next(x for x in P.NEEDS if x["key"] == k) for k in keys]
        strengths = rng.sample(P.STRENGTHS, rng.randint(2, 6))
        risks = rng.sample(P.RISKS, rng.choices([0, 1, 2, 3, 4], weights=[15, 35, 28, 15, 7])[0])
        barriers = [(i, it) for i, it in enumerate(items) if it["barrier"] and rng.random() < 0.45][:3]
        assessor = self.cm_at(day)
        participants = [Flow(name=self.pref, role="member")]
        participants += [Flow(name=r["name"], role=r["relationship"]) for r in self.reps]
        if self.interpreter:
            participants.append(Flow(name=f"{rng.choice(P.FIRST_F + P.FIRST_M)} {rng.choice(P.LAST)}",
                                     role="interpreter"))
        doc = {
            "kind": "assessment", "version": 1, "id": f"A{number}", "member": self.id, "date": day, "type": kind,
            "assessor": assessor,
            "sources": sorted(rng.sample(["interview", "records", "family", "observation", "testing", "provider"],
                                         rng.randint(2, 4)),
                              key=["interview", "records", "family", "observation", "testing", "provider"].index),
            "participants": participants,
            "important_to_me": rng.choice(P.IMPORTANT),
            "strengths": [{"id": f"S{i + 1}", "text": s} for i, s in enumerate(strengths)],
            "needs": [{"id": f"N{i + 1}", "domain": it["domain"], "text": self.fmt(it["text"]), "priority": i + 1}
                      for i, it in enumerate(items)],
            "barriers": [{"id": f"B{j + 1}", "text": self.fmt(it["barrier"][0]), "needs": [f"N{i + 1}"]}
                         for j, (i, it) in enumerate(barriers)],
            "risks": [{"id": f"R{i + 1}", "text": r[0], "level": r[1]} for i, r in enumerate(risks)],
        }
        return dict(doc=doc, n_goals=n_goals, items=items, strengths=len(strengths), risks=risks,
                    barriers=barriers, id=f"A{number}", date=day)

    # ---- plan
    def plan(self, number: int, day: date, kind: str, a: dict, in_effect: bool, until: date) -> dict:
        rng = self.rng
        eff_end = add_months(day, 12) - DAY
        n_goals, items = a["n_goals"], a["items"]
        goals, deferred = [], []
        for i in range(n_goals):
            it = items[i]
            if in_effect and not self.closed:
                if rng.random() < 0.85 or day + timedelta(days=60) >= TODAY:
                    target = between(rng, max(day + timedelta(days=120), TODAY + timedelta(days=10)), eff_end)
                else:
                    target = between(rng, day + timedelta(days=60), TODAY - DAY)
            else:
                target = between(rng, day + timedelta(days=90), eff_end)
            if in_effect and self.closed:
                status = "achieved" if self.closure_reason == "goals_met" or rng.random() < 0.5 else "discontinued"
            else:
                status = "achieved" if target < until else "active"
            g = {"id": f"G{i + 1}", "own_words": rng.choice(it["own"]), "needs": [f"N{i + 1}"],
                 "strengths": sorted(rng.sample(range(1, a["strengths"] + 1), min(a["strengths"], rng.randint(1, 2))))}
            g["strengths"] = [f"S{s}" for s in g["strengths"]]
            g["target_date"] = target
            g["status"] = status
            objectives = []
            for j, (otext, measure) in enumerate(rng.sample(it["obj"], rng.randint(1, len(it["obj"])))):
                ot = between(rng, day + timedelta(days=45), target)
                o = {"id": f"G{i + 1}.{j + 1}", "text": self.fmt(otext), "measure": self.fmt(measure), "target_date": ot}
                if status != "active" or ot < until:
                    o["status"] = "achieved" if status != "discontinued" else "discontinued"
                objectives.append(o)
            if objectives:
                g["objectives"] = objectives
            goals.append(g)
        for k in range(n_goals, len(items)):
            if rng.random() < 0.5:
                goals[rng.randrange(n_goals)]["needs"].append(f"N{k + 1}")
            else:
                deferred.append({"need": f"N{k + 1}", "reason": self.fmt(rng.choice(P.DEFER_REASONS))})
        # supports: one per goal, merged or added to reach the target count
        target_n = max(2, min(15, rng.randint(n_goals - 2, n_goals + 4)))
        chosen = []  # [option, goal indexes, paid]
        for i in range(n_goals):
            opts = [(o, True) for o in items[i]["paid"]] + [(o, False) for o in items[i]["unpaid"]]
            o, paid = rng.choice(opts) if rng.random() < 0.5 else opts[0]
            chosen.append([o, [i], paid, i])
        while len(chosen) > target_n:
            drop = chosen.pop(rng.randrange(1, len(chosen)))
            rng.choice(chosen)[1].extend(drop[1])
        spare = [((o, True), i) for i in range(n_goals) for o in items[i]["paid"]] + \
                [((o, False), i) for i in range(n_goals) for o in items[i]["unpaid"]]
        spare = [s for s in spare if not any(c[0] is s[0][0] for c in chosen)]
        rng.shuffle(spare)
        while len(chosen) < target_n and spare:
            (o, paid), i = spare.pop()
            chosen.append([o, [i], paid, i])
        if not any(not c[2] for c in chosen):
            i = chosen[0][3]
            chosen[-1] = [items[i]["unpaid"][0], sorted(set(chosen[-1][1] + [i])), False, i]
        supports, providers = [], []
        helper_of = {}
        for j, (o, gl, paid, i) in enumerate(chosen):
            helper = self.helpers[rng.randrange(len(self.helpers))]
            if paid:
                desc, kind_, amount, unit, freq = o
                provider = rng.choice(P.PROVIDERS[kind_])
                if provider not in providers:
                    providers.append(provider)
            else:
                desc, amount, unit, freq = o
                provider = helper[1]
            helper_of[i] = helper
            start = day + timedelta(days=rng.randint(0, 14))
            end = max(max(goals[g]["target_date"] for g in gl), start + timedelta(days=30))
            end = min(end, eff_end) if freq != "once" else start + timedelta(days=rng.randint(0, 60))
            support = {"id": f"SP{j + 1}", "description": self.fmt(desc, helper), "paid": paid, "provider": provider}
            if paid and rng.random() < 0.5:
                support["responsible"] = self.cm_at(day)
            supports.append(support)
            support.update({"goals": [f"G{g + 1}" for g in sorted(gl)],
                             "amount": amount, "unit": unit, "frequency": freq, "start": start, "end": end})
        strategies = [{"barrier": f"B{j + 1}", "text": self.fmt(it["barrier"][1], helper_of.get(i))}
                      for j, (i, it) in enumerate(a["barriers"])]
        mitigations = [{"risk": f"R{k + 1}", "mitigation": self.fmt(r[2]), "backup_plan": self.fmt(r[3])}
                       for k, r in enumerate(a["risks"])]
        cm = self.cm_at(day)
        # the meeting
        participants = [Flow(name=self.pref, role="member")]
        participants += [Flow(name=r["name"], role=r["relationship"], invited_by_member=True) for r in self.reps]
        for provider in providers[:rng.randint(0, 2)]:
            participants.append(Flow(name=provider, role="provider", invited_by_member=rng.random() < 0.7))
        participants.append(Flow(name=self.cm_name(cm), role="case manager", staff=cm, invited_by_member=True))
        setting = self.setting
        meeting = {"date": day, "place": self.fmt(rng.choice(P.PLACES)), "chosen_by_member": True,
                   "facilitator": "member" if rng.random() < 0.2 else cm, "participants": participants}
        if self.interpreter:  # P410 (no draw: later ones unchanged)
            meeting["interpreter"] = {"agency": "Telephone interpreting line", "language": self.lang}
        doc = {
            "kind": "plan", "version": 1, "id": f"P{number}", "member": self.id, "date": day, "type": kind,
            "assessment": a["id"],
            "meeting": meeting,
            "setting": {"type": setting, "chosen_by_member": True, "options_considered": self.options},
            "effective": {"start": day, "end": eff_end},
            "what_matters": rng.choice(P.WHAT_MATTERS),
            "goals": goals,
            "deferred_needs": deferred,
            "supports": supports,
            "strategies": strategies,
            "risk_mitigations": mitigations,
            "rights_modifications": [],
        }
        if self.rights:
            m = self.modification
            rm = {"id": "RM1", "right": m["right"]}
            for key in ("assessed_need", "prior_interventions", "less_intrusive_methods", "condition",
                        "data_collection"):
                rm[key] = self.fmt(m[key])
            if in_effect:
                review_by = TODAY + timedelta(days=rng.randint(7, 80)) if not self.closed else self.end + timedelta(days=30)
                consent_on = max(day, add_months(review_by, -3))
                consent_on = min(consent_on, until)
            else:
                review_by = add_months(day, 3)
                consent_on = day
            rm["review_every"] = "3 months"
            rm["review_by"] = review_by
            legal = [r["name"] for r in self.reps if r["authority"] == "legal_guardian"]
            rm["consent"] = {"given_by": f"{self.pref} and {legal[0]} (guardian)" if legal else self.pref,
                             "on": consent_on}
            rm["no_harm_assurance"] = self.fmt(m["no_harm_assurance"])
            doc["rights_modifications"] = [rm]
        months, contacts = self.monitoring
        review_every = rng.choices([3, 6, 12], weights=[35, 50, 15])[0]
        doc["monitoring"] = {"responsible": cm, "contacts": [Flow(type=t, every=f"{e} month{'s' if e > 1 else ''}")
                                                              for t, e in contacts],
                             "review_every": f"{review_every} months"}
        reviews, base = [], day
        while True:
            due = add_months(base, review_every)
            if due >= until:
                break
            r = max(base + DAY, due - timedelta(days=rng.randint(0, 14)))
            reviews.append(Flow(date=r, by=self.cm_at(r), outcome="continue",
                                summary=self.fmt(rng.choice(P.REVIEW_SUMMARY)),
                                member_view="It is working for me."))  # P411 (no draw: later ones unchanged)
            base = r
        doc["reviews"] = reviews
        # signatures and copies
        method = rng.choice(["wet", "wet", "electronic"])
        sigs = []
        refused = rng.random() < 0.02
        if refused and not [r for r in self.reps if r["authority"] != "supporter"]:
            sigs.append(Flow(role="member", name=self.pref, refused=True,
                             refusal_reason=f"{self.pref} agreed to the plan aloud but does not sign papers."))
        else:
            sigs.append(Flow(role="member", name=self.pref, signed_on=day, method=method))
        for r in self.reps:
            if r["authority"] != "supporter":
                sigs.append(Flow(role="representative", name=r["name"], signed_on=day, method=method))
        sigs.append(Flow(role="case_manager", name=self.cm_name(cm), staff=cm, signed_on=day, method=method))
        last = day
        for provider in providers:
            signed = day + timedelta(days=rng.randint(0, 7))
            last = max(last, signed)
            sigs.append(Flow(role="provider", name=provider, signed_on=signed, method="electronic"))
        doc["signatures"] = sigs
        given = last + timedelta(days=rng.randint(0, 10))
        dist = [Flow(to=self.pref, role="member", copy_given=True, given_on=given, format=self.format,
                     language=self.lang)]
        for r in self.reps:
            role = "supporter" if r["authority"] == "supporter" else "representative"
            dist.append(Flow(to=r["name"], role=role, copy_given=True, given_on=given, format="print",
                             language=self.lang))
        for provider in providers:  # C310: every provider of a paid support gets a copy
            dist.append(Flow(to=provider, role="provider", copy_given=True, given_on=given, format="electronic",
                             language="en"))
        doc["distribution"] = dist
        doc["exceptions"] = []
        return doc

    # ---- notes
    def notes(self, plans: list) -> list:
        """(date, document) for each contact note, consistent with the monitoring of the plan in effect."""
        rng = self.rng
        months, contacts = self.monitoring
        f2f_months = dict(contacts)["face_to_face"]
        threshold = min_days(f2f_months) - 29
        pl = self.plan_dates[-1]
        first_plan = self.plan_dates[0]
        d = max(first_plan + timedelta(days=rng.randint(7, 25)), self.end - timedelta(days=330))
        last_f2f, crossed = d, False
        out, used = [], set()
        limit = self.end if not self.closed else self.end - DAY

        def plan_at(day):
            return plans[1] if len(plans) > 1 and day >= pl else plans[0]

        def progress(day, n):
            plan = plan_at(day)
            goals = [g for g in plan["goals"] if g["status"] == "active"] or plan["goals"]
            entries = []
            for g in rng.sample(goals, min(len(goals), n)):
                it = plan["_items"][int(g["id"][1:]) - 1]
                entries.append({"goal": g["id"], "text": self.fmt(rng.choice(it["progress"]))})
            return entries

        while d <= limit:
            if not crossed and d >= pl:
                crossed, last_f2f = True, pl
            if (d - last_f2f).days >= threshold:
                contact = "face_to_face"
            else:
                contact = rng.choices(["face_to_face", "phone", "video"], weights=[30, 50, 20])[0]
            if contact == "face_to_face":
                last_f2f = d
            out.append((d, self.note(d, contact, progress(d, rng.randint(1, 4)))))
            used.add(d)
            gap = rng.randint(24, 28)
            if rng.random() < 0.10:
                extra = d + timedelta(days=rng.randint(3, gap - 3))
                if extra <= limit:
                    kind = rng.choice(["collateral", "written"])
                    out.append((extra, self.note(extra, kind, progress(extra, 1))))
                    used.add(extra)
            d = d + timedelta(days=gap)
        self._used_note_days = used
        return out

    def note(self, day: date, contact: str, progress: list, member: str | None = None) -> dict:
        rng = self.rng
        plan_providers = self._providers
        doc = {"kind": "note", "version": 1, "member": member or self.id, "date": day, "staff": self.cm_at(day),
               "contact": contact}
        if contact == "collateral":
            provider = rng.choice(plan_providers) if plan_providers else self.helpers[0][1]
            doc["with"] = [provider]
            doc["minutes"] = rng.randint(10, 30)
            text = rng.choice(P.COLLATERAL_TEXT).format(provider=provider, name=self.pref)
        elif contact == "written":
            doc["with"] = [self.pref]
            text = rng.choice(P.WRITTEN_TEXT).format(name=self.pref)
        else:
            who = [self.pref] + ([self.reps[0]["name"]] if self.reps and rng.random() < 0.3 else [])
            doc["with"] = who
            doc["minutes"] = rng.randint(30, 90) if contact == "face_to_face" else rng.randint(10, 45)
            text = " ".join(self.fmt(t) for t in rng.sample(P.NOTE_TEXT, rng.randint(1, 3)))
        doc["progress"] = progress
        if contact not in ("collateral", "written"):
            doc["satisfaction"] = rng.choice(P.SATISFACTION)
        # An unmet need raised in a note must be taken up by the next review (L110), which the generated reviews
        # do not model: drawn as before (so later draws are unchanged) but not written.
        _ = [self.fmt(rng.choice(P.UNMET))] if rng.random() < 0.1 else []
        doc["unmet_needs"] = []
        doc["text"] = text
        return doc

    # ---- closure
    def closure(self) -> dict:
        rng = self.rng
        reason = self.closure_reason
        summary, next_stage = P.CLOSURE[reason]
        doc = {"kind": "closure", "version": 1, "member": self.id, "date": self.end, "reason": reason}
        if summary is None:
            doc["exit_interview"] = {"declined": True,
                                     "declined_reason": "Could not reach the member after three calls and two letters."}
        else:
            doc["exit_interview"] = {"held_on": self.end, "with": [self.pref] + [r["name"] for r in self.reps[:1]],
                                     "summary": self.fmt(summary)}
        doc["next_stage_plan"] = self.fmt(next_stage)
        doc["referrals"] = [Flow(to=t, **{"for": f}, on=self.end) for t, f in rng.sample(P.REFERRALS, rng.randint(1, 3))]
        if reason == "transferred":
            doc["transferred_to"] = "Health plan care management team"
        doc["agency_can_still_help"] = f"{self.pref} may call the agency at any time to reopen services."
        return doc

    # ---- everything
    def build(self) -> list:
        rng = self.rng
        self.person()
        self.closure_reason = rng.choices(list(P.CLOSURE), weights=[35, 20, 15, 10, 8, 12])[0] if self.closed else None
        self.timeline()
        self.setting = rng.choice(self.prog["settings"])
        self.options = [rng.choice(P.SETTING_OPTIONS[self.setting])] + rng.sample(P.ALT_OPTIONS, rng.randint(1, 2))
        self.monitoring = rng.choices([(1, [("face_to_face", 3), ("phone", 1)]), (2, [("face_to_face", 1)]),
                                       (3, [("face_to_face", 2), ("phone", 1)]), (4, [("face_to_face", 6), ("phone", 1)])],
                                      weights=[50, 20, 15, 15])[0]
        self.modification = rng.choice(P.RIGHTS_MODS)
        member = self.member_doc()
        assessments, plans = [], []
        for n, (adate, pdate) in enumerate(zip(self.assess_dates, self.plan_dates), start=1):
            if n == 1:
                akind, pkind = "initial", "initial"
            else:
                akind, pkind = ("annual", "annual") if self.annual else (
                    rng.choice(["change_in_condition", "member_request"]), "revision")
            a = self.assessment(n, adate, akind)
            in_effect = n == len(self.plan_dates)
            until = self.end if in_effect else self.plan_dates[-1]
            p = self.plan(n, pdate, pkind, a, in_effect, until)
            p["_items"] = a["items"]
            assessments.append(a)
            plans.append(p)
        self._providers = [s["provider"] for s in plans[-1]["supports"] if s["paid"]]
        notes = self.notes(plans)
        for p in plans:
            del p["_items"]
        closure = self.closure() if self.closed else None
        self.apply_defect(member, assessments, plans, notes)
        self.facts = self.apply_codes(member, plans, notes) if self.coded else None
        base = f"members/{self.id}/"
        files = [(base + "member.yaml", member)]
        files += [(base + f"assessment-{a['date'].isoformat()}.yaml", a["doc"]) for a in assessments]
        files += [(base + f"plan-{p['date'].isoformat()}.yaml", p) for p in plans]
        if closure is not None:
            files.append((base + "closure.yaml", closure))
        files += [(base + f"notes/{d.isoformat()}.yaml", doc) for d, doc in sorted(notes, key=lambda x: x[0])]
        return [(path, text_of(doc)) for path, doc in files]

    # ---- --coded: service codes, providers, authorizations, identifiers, a hold
    def apply_codes(self, member, plans, notes) -> dict:
        """Add the identity and service fields of issue 24 in place; return the facts deliveries.py needs.

        Draws come from self.crng only, so everything else is as without --coded. A support's authorization
        is `daily` units a day plus an eighth (rounded up) of slack, times 1, 7 or 31 for per day, week or
        month: deliveries.py delivers exactly `daily` units each day, which is under the authorization and
        above the under-delivery threshold (75%) in every period wholly inside October 2026."""
        crng = self.crng
        medicaid = f"K{int(self.id[2:]):07d}"
        member["identifiers"] = [Flow(system="medicaid", value=medicaid)]
        plan_facts = []
        for p in plans:
            used_codes: dict = {}
            supports = []
            for s in p["supports"]:
                if not s.get("paid"):
                    continue
                kind = PROVIDER_KIND.get(s["provider"], "home_care")
                code, display = SERVICE_CODES[kind]
                mods = list(CODE_MODIFIERS.get(kind, []))
                n = used_codes.get(code, 0)
                used_codes[code] = n + 1
                if n:  # the same code twice in one plan: told apart by a modifier
                    mods.append(f"U{n + 1}")
                daily = crng.choice([8, 12, 16, 24])
                per = crng.choices(["day", "week", "month"], weights=[40, 30, 30])[0]
                units = (daily + -(-daily // 8)) * {"day": 1, "week": 7, "month": 31}[per]
                service = Flow(code=code, modifiers=mods, display=display) if mods else Flow(code=code, display=display)
                pid = provider_id(s["provider"])
                items = []
                for key, value in s.items():
                    if key == "provider":
                        items.append(("service", service))
                    items.append((key, value))
                    if key == "provider":
                        items.append(("provider_id", pid))
                items.append(("authorization", Flow(units=units, per=per, unit="15_minutes", funding=self.program)))
                s.clear()
                s.update(items)
                supports.append({"id": s["id"], "code": code, "modifiers": mods, "provider_id": pid, "kind": kind,
                                 "per": per, "units": units, "daily": daily,
                                 "start": str(s["start"]), "end": str(s["end"])})
            member_sig = next((x for x in p["signatures"] if x.get("role") == "member"), {})
            plan_facts.append({"path": f"members/{self.id}/plan-{p['date'].isoformat()}.yaml", "date": str(p["date"]),
                               "consent": str(member_sig["signed_on"]) if "signed_on" in member_sig else None,
                               "start": str(p["effective"]["start"]), "end": str(p["effective"]["end"]),
                               "supports": supports})
        hold = None
        if not self.closed and self.defect is None and self.plan_dates[-1] <= date(2026, 9, 1) \
                and (crng.random() < 0.03 or self.index % 7 == 3):
            start = date(2026, 10, 8) + timedelta(days=crng.randint(0, 12))
            end = start + timedelta(days=crng.randint(2, 4))
            hold = (start, end)
            entry = {"start": start, "end": end, "kind": "hospital",
                     "reason": "In the hospital after a fall; home visits paused until discharge.",
                     "recorded_by": self.cm_at(start)}
            items = [(k, v) for k, v in member.items() if k != "status"]
            items += [("holds", [entry]), ("status", member["status"])]
            items += [(k, v) for k, v in member.items() if k not in dict(items)]
            member.clear()
            member.update(items)
        return {"id": self.id, "medicaid": medicaid, "program": self.program, "enrolled": str(self.enrolled),
                "closed": self.closed, "end": str(self.end) if self.closed else None, "defect": self.defect,
                "hold": [str(hold[0]), str(hold[1])] if hold else None, "plans": plan_facts,
                "notes": [[str(d), doc.get("contact"), doc.get("minutes"), doc.get("member")] for d, doc in notes]}

    # ---- one seeded defect
    def apply_defect(self, member, assessments, plans, notes):
        rng, defect = self.rng, self.defect
        if defect is None:
            return
        plan = plans[-1]
        if defect == "goal-without-need":
            n = len(plan["goals"]) + 1
            goal = {"id": f"G{n}", "own_words": rng.choice(["I want to learn to swim.", "I want to visit my cousin in Denver.",
                                                              "I want to get a library card."]),
                    "strengths": ["S1"], "target_date": plan["effective"]["end"], "status": "active"}
            plan["goals"].append(goal)
            plan["supports"][0]["goals"].append(f"G{n}")
        elif defect == "unknown-need-reference":
            g = rng.choice(plan["goals"])
            g["needs"].append(f"N{len(assessments[-1]['items']) + rng.randint(1, 4)}")
        elif defect == "support-without-frequency":
            del rng.choice(plan["supports"])["frequency"]
        elif defect == "typo-field-name":
            choice = rng.choice(["note-minutes", "note-satisfaction", "member-pronouns", "assessment-important",
                                 "plan-what-matters"])
            if choice.startswith("note"):
                candidates = [doc for _, doc in notes if ("minutes" if choice == "note-minutes" else "satisfaction") in doc]
                doc = rng.choice(candidates)
                key, typo = ("minutes", "minuts") if choice == "note-minutes" else ("satisfaction", "satisfation")
            elif choice == "member-pronouns":
                doc, key, typo = member, "pronouns", "pronoun"
            elif choice == "assessment-important":
                doc, key, typo = assessments[-1]["doc"], "important_to_me", "importent_to_me"
            else:
                doc, key, typo = plan, "what_matters", "what_maters"
            renamed = {(typo if k == key else k): v for k, v in doc.items()}
            doc.clear()
            doc.update(renamed)
        elif defect == "impossible-date":
            mon, dd = rng.choice([(2, 30), (2, 31), (4, 31), (6, 31), (9, 31), (11, 31)])
            if rng.random() < 0.5:
                y = member["birth_date"].year
                member["birth_date"] = Raw(f"{y}-{mon:02d}-{dd:02d}")
            else:
                elig = member["programs"][0]["eligibility"]
                elig["determined_on"] = Raw(f"{elig['determined_on'].year}-{mon:02d}-{dd:02d}")
        elif defect == "duplicate-key":
            where = rng.choice(["goal-target", "support-amount", "note-minutes"])
            if where == "goal-target":
                g = rng.choice(plan["goals"])
                items = list(g.items())
                pos = [k for k, _ in items].index("target_date") + 1
                items.insert(pos, ("target_date" + DUP, g["target_date"] + timedelta(days=rng.choice([-31, 30, 61]))))
                g.clear()
                g.update(items)
            elif where == "support-amount":
                s = rng.choice(plan["supports"])
                items = list(s.items())
                pos = [k for k, _ in items].index("unit") + 1
                items.insert(pos, ("amount" + DUP, s["amount"] + 1))
                s.clear()
                s.update(items)
            else:
                doc = rng.choice([doc for _, doc in notes if "minutes" in doc])
                items = list(doc.items())
                pos = [k for k, _ in items].index("minutes") + 1
                items.insert(pos, ("minutes" + DUP, doc["minutes"] + 15))
                doc.clear()
                doc.update(items)
        elif defect == "note-wrong-member":
            # a note about the neighbouring member, filed in this folder
            days = [d for d, _ in notes]
            for _ in range(50):
                d = between(rng, min(days), max(days))
                if d not in self._used_note_days:
                    break
            note = self.note(d, "collateral", [{"goal": "G1", "text": "Checked on the ride schedule with the provider."}],
                             member=self.neighbor)
            notes.append((d, note))


def build_member(args) -> list:
    seed, index, ids, staff = args
    m = Member(seed, index, ids, staff)
    files = m.build()
    meta = {"id": m.id, "program": m.program, "closed": m.closed, "rights": m.rights, "defect": m.defect,
            "plans": len(m.plan_dates)}
    if m.facts is not None:
        meta["_facts"] = m.facts
    return files, meta


# ---------------------------------------------------------------- main

def _worker_init(seed, ids, staff):
    global _CTX
    _CTX = (seed, ids, staff)


def _work(chunk):
    seed, ids, staff = _CTX
    return [build_member((seed, i, ids, staff)) for i in chunk]


def generate(out: str, members: int, seed: int = 1, jobs: int = 1, manifest: str | None = None,
             quiet: bool = False, coded: bool = False) -> dict:
    t0 = time.perf_counter()
    staff = make_staff(seed, members)
    ids = member_ids(seed, members)
    os.makedirs(out, exist_ok=True)
    n_files = n_bytes = 0

    def write(rel: str, text: str):
        nonlocal n_files, n_bytes
        path = os.path.join(out, rel)
        data = text.encode("utf-8")
        with open(path, "wb") as fh:
            fh.write(data)
        n_files += 1
        n_bytes += len(data)

    write("pcplan.toml", PCPLAN_TOML)
    write("staff.yaml", staff["text"])
    os.makedirs(os.path.join(out, "members"), exist_ok=True)
    staff_ctx = {"cms": staff["cms"], "supervisors": staff["supervisors"]}
    facts_fh = None
    if coded:
        staff_ctx["coded"] = True
        write("providers.yaml", text_of(providers_doc()))
        facts_fh = open(facts_path(out), "w", encoding="utf-8")  # noqa: SIM115 (closed after the members)
    info = []
    folder_sizes = []

    def consume(result):
        files, meta = result
        folder = os.path.join(out, "members", meta["id"])
        os.makedirs(os.path.join(folder, "notes"), exist_ok=True)
        before = n_bytes
        for rel, text in files:
            write(rel, text)
        folder_sizes.append(n_bytes - before)
        facts = meta.pop("_facts", None)
        if facts_fh is not None and facts is not None:
            facts_fh.write(json.dumps(facts, separators=(",", ":")) + "\n")
        meta["bytes"] = n_bytes - before
        info.append(meta)

    if jobs > 1 and members >= 200:
        import multiprocessing as mp
        chunks = [list(range(i, min(members, i + 100))) for i in range(0, members, 100)]
        with mp.get_context("fork" if hasattr(os, "fork") else "spawn").Pool(
                jobs, initializer=_worker_init, initargs=(seed, ids, staff_ctx)) as pool:
            for batch in pool.imap(_work, chunks):
                for result in batch:
                    consume(result)
    else:
        for i in range(members):
            consume(build_member((seed, i, ids, staff_ctx)))
    if facts_fh is not None:
        facts_fh.close()
    elapsed = time.perf_counter() - t0
    summary = {
        "members": members, "seed": seed, "files": n_files, "bytes": n_bytes, "seconds": round(elapsed, 2),
        "closed": sum(m["closed"] for m in info), "rights_modifications": sum(m["rights"] for m in info),
        "defects": {d: sum(m["defect"] == d for m in info) for d in DEFECTS},
        "folder_bytes": {"min": min(folder_sizes), "median": sorted(folder_sizes)[len(folder_sizes) // 2],
                         "max": max(folder_sizes)},
    }
    if manifest:
        with open(manifest, "w", encoding="utf-8") as fh:
            json.dump({"summary": summary, "members": info, "expected": DEFECTS}, fh, indent=1)
            fh.write("\n")
    if not quiet:
        print(f"wrote {n_files} files, {n_bytes / 1e6:.1f} MB ({members} members, seed {seed}) to {out} "
              f"in {elapsed:.1f} s")
        print(f"  member folders: min {summary['folder_bytes']['min'] / 1e3:.1f} KB, median "
              f"{summary['folder_bytes']['median'] / 1e3:.1f} KB, max {summary['folder_bytes']['max'] / 1e3:.1f} KB; "
              f"{summary['closed']} closed, {summary['rights_modifications']} with a rights modification, "
              f"{sum(summary['defects'].values())} with a seeded defect")
    return summary


def facts_path(out: str) -> str:
    """Where --coded writes the facts of each member for deliveries.py: beside the repository, not in it."""
    return os.path.normpath(out) + ".facts.jsonl"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="the folder to write the repository into (created if missing)")
    parser.add_argument("--members", "-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="processes used to build member folders (the output does not depend on it)")
    parser.add_argument("--manifest", help="write a JSON list of the members (program, closed, defect) here")
    parser.add_argument("--coded", action="store_true",
                        help="also write service codes, provider ids, authorizations, identifiers, providers.yaml, "
                             "a few hospital holds, and OUT_DIR.facts.jsonl for benchmarks/deliveries.py")
    args = parser.parse_args(argv)
    if args.members < 2:
        parser.error("--members must be at least 2")
    members_dir = os.path.join(args.out, "members")
    if os.path.isdir(members_dir) and os.listdir(members_dir):
        parser.error(f"{members_dir} is not empty; choose a new folder")
    generate(args.out, args.members, args.seed, args.jobs, args.manifest, coded=args.coded)
    return 0


if __name__ == "__main__":
    sys.exit(main())
