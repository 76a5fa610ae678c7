"""What a conformant export needs that a clean record may lack: a service code for every paid support.

The eLTSS ServiceRequest binds `code` to HCPCS (fsh/profiles/ServiceRequest_eltss.fsh:32) and a claim is
judged against the code, so a member folder whose plan has a paid support without `service.code` is held
back from the export, each such support named by file, line and column, unless ``--allow-incomplete``
(its ServiceRequest then goes out with the service's name alone, claiming US Core's profile, not the guide's).
DESIGN.md §3 has no rule code for it yet: the notice names the support by its id and says what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Case
from ..shown import looks_like_id
from .context import text


@dataclass(frozen=True)
class Incomplete:
    path: str  # as findings show it
    line: int
    column: int
    support: str  # the support's id ("" when it has none that looks like one)

    @property
    def what(self) -> str:
        named = f"paid support {self.support}" if self.support else "a paid support"
        return f"{named} has no service code (service.code): a conformant export codes every paid service"


def incomplete(case: Case) -> list[Incomplete]:
    """Every paid support (`paid: true`) of the member's plans that has no `service.code`, in file order."""
    out = []
    for doc in case.plans:
        for index, support in doc.items("supports"):
            service = support.get("service")
            if support.get("paid") is not True or (isinstance(service, dict) and text(service.get("code"))):
                continue
            line, column = doc.position(("supports", index))
            sid = support.get("id")
            out.append(Incomplete(doc.display_path, line, column, sid if isinstance(sid, str) and looks_like_id(sid)
                                  else ""))
    return sorted(out, key=lambda i: (i.path, i.line, i.column))
