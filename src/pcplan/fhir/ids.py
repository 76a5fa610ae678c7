"""Resource ids: the same records give the same ids, run after run.

Every resource's id is a name-based UUID (version 5) under one fixed namespace,
from a key made of the member's id and the record's own ids (``member/M-000123/plan/P1@2026-09-03/goal/G1``).
Nothing is random and nothing depends on the order files are read in, so the same files and ``--today``
give byte-identical Bundles. Each Bundle entry's ``fullUrl`` is ``urn:uuid:`` and that id, and every
reference points at a ``fullUrl`` in the same Bundle.

A transaction Bundle (``--bundle transaction``, pcplan.fhir.bundle.transactions) PUTs each resource at
``Type/id`` with the same id and writes its references relative (``Type/id``), so that they resolve on the
server across the Bundles a member's export is split into.

Ids are pseudonyms, not secrets: anyone with the member's id and this namespace can compute them.
"""

from __future__ import annotations

import uuid

# uuid5(NAMESPACE_URL, "https://pcplan.dev/fhir"), written out so that it can never drift.
NAMESPACE = uuid.UUID("87cc0250-dfae-56b3-9785-886277e811d3")


def resource_id(*parts: str) -> str:
    """The id for a key made of ``parts`` (joined with ``/``)."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def full_url(rid: str) -> str:
    return f"urn:uuid:{rid}"


def reference(rid: str, display: str | None = None) -> dict:
    """A reference to the resource with id ``rid`` in the same Bundle."""
    ref = {"reference": full_url(rid)}
    if display:
        ref["display"] = display
    return ref
