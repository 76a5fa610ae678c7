"""The roles people have in a member's life, as codes the templates can say in the member's language.

A meeting participant's role is free text in the plan ("sister", "Case manager", "host home provider",
"neighbor and card club friend"): the schema keeps it so. A printed plan says a role that is a common one in
the member's language (``daughter`` prints as *hija* in a Spanish plan): the words written are read as a code
(case and spacing aside, ``case manager``, ``Case-Manager`` and ``case_manager`` are one) and the templates'
vocabulary (``vocabulary.j2``, ``role_name``) translates the code with the catalogues. Anything else is shown
exactly as written.
"""

from __future__ import annotations

import re

# The role codes the templates translate. A code is the words in lower case joined by `_`.
ROLES = frozenset({
    # family
    "daughter", "son", "child", "wife", "husband", "spouse", "partner", "mother", "father", "parent",
    "sister", "brother", "sibling", "grandmother", "grandfather", "grandparent", "granddaughter", "grandson",
    "grandchild", "aunt", "uncle", "niece", "nephew", "cousin", "relative",
    # people around the member
    "guardian", "legal_guardian", "representative", "supporter", "friend", "neighbor", "roommate", "caregiver",
    # staff and providers
    "case_manager", "supports_coordinator", "care_coordinator", "supervisor", "provider", "host_home_provider",
    "home_care_aide", "home_health_aide", "personal_care_aide", "nurse", "doctor", "therapist", "counselor",
    "social_worker", "interpreter", "advocate", "peer_specialist", "job_coach", "teacher",
})
# Other spellings of a code.
SYNONYMS = {
    "neighbour": "neighbor", "support_coordinator": "supports_coordinator",
    "service_coordinator": "supports_coordinator", "services_coordinator": "supports_coordinator",
    "counsellor": "counselor", "physician": "doctor", "care_giver": "caregiver",
}
_SEPARATORS = re.compile(r"[\s_-]+")


def role_code(written: str | None) -> str | None:
    """The code of a role written in a case file, or None when it is not one the templates know."""
    if not isinstance(written, str):
        return None
    code = _SEPARATORS.sub("_", written.strip().casefold()).strip("_")
    code = SYNONYMS.get(code, code)
    return code if code in ROLES else None
