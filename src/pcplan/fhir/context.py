"""What building one member's Bundle needs at hand, and the resources made so far, in order.

Resources are kept in the order they are first made; a resource made twice (a staff member named by two
plans) is kept once. That order, and the ids (pcplan.fhir.ids), are all that decide the Bundle's bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..facts.lifecycle import Lifecycle
from ..model import Case
from .ids import reference, resource_id


@dataclass
class Context:
    case: Case
    life: Lifecycle
    member_id: str
    staff: dict[str, dict]  # staff.yaml by id
    organization: str  # the agency's name ("" when neither pcplan.toml nor staff.yaml gives one)
    today: date
    resources: dict[str, dict] = field(default_factory=dict)  # id → resource, in the order made
    people: dict[str, str] = field(default_factory=dict)  # a person's name as matched → RelatedPerson id
    directory: dict[str, dict] | None = None  # providers.yaml by id, read when first asked

    @property
    def providers(self) -> dict[str, dict]:
        """providers.yaml of the member's repository, by provider id."""
        if self.directory is None:
            from .directory import providers_of

            self.directory = providers_of(self.case.folder)
        return self.directory

    def key(self, *parts: str) -> str:
        """The id of this member's resource named by ``parts``."""
        return resource_id("member", self.member_id, *parts)

    def add(self, resource: dict) -> dict:
        """Keep ``resource`` (the first one made with its id wins) and return a reference to it."""
        self.resources.setdefault(resource["id"], resource)
        return reference(resource["id"])

    def has(self, rid: str) -> bool:
        return rid in self.resources

    @property
    def patient(self) -> dict:
        return reference(self.key())


def text(value: Any) -> str | None:
    """A non-blank string, else None."""
    return value if isinstance(value, str) and value.strip() else None


def noon(day: date) -> str:
    """A date as the FHIR instant some elements require (Signature.when, Provenance.recorded).

    pcplan records days, not times: 12:00 UTC is the same calendar day in every time zone from UTC−11 to
    UTC+11, so a reader that converts the instant to local time still sees the recorded day.
    """
    return f"{day.isoformat()}T12:00:00Z"
