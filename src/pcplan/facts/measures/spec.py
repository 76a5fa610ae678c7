"""The measures' fixed terms: ids, titles, rates, core elements, windows, variants (docs/measures.md).

Read from CMS's LTSS quality measures (the 2019 "Measures for Medicaid Managed Long Term Services and Supports
Plans" manual, the 2024 LTSS Quality Measures manual's FFS LTSS/MLTSS pairs and the CMS FAQs on them). The
element lists are pcplan's reading of the manual's core-element tables; the case manager records which of
them an assessment or plan documents (`ltss_elements`). Kept here, in one place, so that a state's or a new
manual's list changes one line.
"""

from __future__ import annotations

VARIANTS = ("ffs", "mltss")
DEFAULT_VARIANT = "ffs"

TITLES = {
    "LTSS-1": "Comprehensive Assessment and Update",
    "LTSS-2": "Comprehensive Person-Centered Plan and Update",
    "LTSS-3": "Shared Person-Centered Plan with Primary Care Provider",
    "LTSS-4": "Reassessment and Person-Centered Plan Update after Inpatient Discharge",
}

# LTSS-1: the core elements of a comprehensive assessment (assessment `ltss_elements`).
ASSESSMENT_ELEMENTS = frozenset({
    "adls", "iadls", "health_conditions", "medications", "cognitive_function", "behavioral_health",
    "home_safety", "living_arrangement", "informal_supports"})
# LTSS-2: the core elements of a person-centered plan (plan `ltss_elements`).
PLAN_ELEMENTS = frozenset({
    "goals", "functional_needs", "medical_needs", "cognitive_needs", "services", "backup_plan", "caregiver",
    "risks", "preferences"})

# The order of the bits in a record's element mask (record.py), and the mask with every element.
ASSESSMENT_ORDER = tuple(sorted(ASSESSMENT_ELEMENTS))
PLAN_ORDER = tuple(sorted(PLAN_ELEMENTS))
ALL_ASSESSMENT = (1 << len(ASSESSMENT_ORDER)) - 1
ALL_PLAN = (1 << len(PLAN_ORDER)) - 1

ADULT_AGE = 18
NEW_ASSESSMENT_DAYS = 90  # LTSS-1: a new enrollee's assessment, from enrollment
PLAN_AFTER_ASSESSMENT_DAYS = 30  # LTSS-2: the plan, from its assessment
NEW_PLAN_DAYS = NEW_ASSESSMENT_DAYS + PLAN_AFTER_ASSESSMENT_DAYS  # LTSS-2: a new enrollee's plan, from enrollment
UPDATE_MONTHS = 12  # LTSS-1, LTSS-2: an established enrollee's update, from the previous one
SHARE_DAYS = 30  # LTSS-3: the plan to the primary care provider, from its consent
DISCHARGE_DAYS = 30  # LTSS-4: reassessment and plan update, from the discharge
UNREACHED_ATTEMPTS = 3  # documented attempts that did not reach the member

# Outcomes of a member (or a discharge, LTSS-4) for a rate.
MET, NOT_MET, EXCLUDED, NOT_ELIGIBLE = "met", "not met", "excluded", "not eligible"

# Why, as a reason code (docs/measures.md lists them).
REASONS = {
    # met
    "on_time": "done in time with every core element",
    "shared_on_time": "copy sent to the primary care provider in time",
    # not met
    "none_in_time": "none in time",
    "late": "done, but after the deadline",
    "elements_missing": "core elements missing",
    "elements_not_recorded": "core elements not recorded (`ltss_elements`)",
    "not_in_home": "not face-to-face in the home (MLTSS)",
    "not_face_to_face": "planning meeting not face-to-face (MLTSS)",
    "not_consented": "not signed (consented) in time",
    "not_shared": "no copy to the primary care provider in time",
    "no_reassessment": "no reassessment in time",
    "no_plan_update": "no plan update in time",
    # excluded
    "refused": "the member refused",
    "unable_to_reach": f"not reached after {UNREACHED_ATTEMPTS} documented attempts",
    "planned_admission": "a planned hospital stay",
    # not eligible
    "no_birth_date": "no birth date",
    "under_18": f"under {ADULT_AGE}",
    "not_enrolled": "not enrolled in the period",
    "window_open": "the deadline has not passed yet",
    "not_continuously_enrolled": "not enrolled for the whole window",
    "not_in_ltss2": "not in LTSS-2's numerator",
    "readmitted": "readmitted within 30 days: the later discharge counts",
}
