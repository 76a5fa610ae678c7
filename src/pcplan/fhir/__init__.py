"""`pcplan export fhir`: a member's records as an HL7 FHIR R4 Bundle following the eLTSS guide.

One job a module:

* ``export``: the command (which member folders, whether each may go, where the Bundles are written);
* ``bundle``: one member's Bundle (type collection) and its bytes;
* ``people``: Patient, RelatedPerson, Practitioner and PractitionerRole, Organization, Device;
* ``episodes``: EpisodeOfCare per episode, Encounter per planning meeting;
* ``plan``: CarePlan, Goal, Task, ServiceRequest, Condition, Observation, RiskAssessment, Contract,
  QuestionnaireResponse and Provenance for each plan and its assessment;
* ``extensions``: pcplan's own extensions, for what eLTSS does not model;
* ``codes``: code systems, profiles and code tables; ``ids``: the name-based resource ids; ``context``: what a
  member's build shares.

The export builds plain dicts and writes JSON; it never imports a FHIR library (the tests parse its output
with fhir.resources). docs/fhir.md has the mapping and the coverage of the guide's 56 data elements.
"""
