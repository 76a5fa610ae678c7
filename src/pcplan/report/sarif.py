"""SARIF 2.1.0 for GitHub code scanning: every rule in the driver, every finding a result.

Locations are the paths findings show (relative to the current folder: run from
the repository root in CI). ``partialFingerprints`` come from member, file,
code and data path, so an alert survives lines moving. Excepted findings are
results with an external suppression, which code scanning shows as dismissed.
"""

from __future__ import annotations

import hashlib
from typing import TextIO
from urllib.parse import quote

from .. import __version__
from ..baseline import key
from ..findings import Finding, Related
from ..rules.registry import RULES, Rule
from ..shown import key_path, private
from .common import CheckResult, ReportOptions, said
from .streamed import STREAMED, dump

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT = "pcplanFinding/v1"


def write(result: CheckResult, stream: TextIO, options: ReportOptions) -> None:
    codes = sorted(RULES)
    index = {code: i for i, code in enumerate(codes)}
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "pcplan",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://pcplan.dev/",
                "rules": [_rule(RULES[code]) for code in codes],
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{"executionSuccessful": result.internal_errors == 0}],
            "results": STREAMED,  # written a finding at a time (report.streamed)
        }],
    }
    dump(document, (_result(f, index, options) for f in result.findings), stream)
    stream.write("\n")


def _rule(rule: Rule) -> dict:
    help_text = f"{rule.summary}\n\nWhy it matters: {rule.why}\n\nHow to fix: {rule.fix}\n\nSource: {rule.source}"
    help_markdown = (f"{rule.summary}\n\n**Why it matters.** {rule.why}\n\n**How to fix.** {rule.fix}\n\n"
                     f"**Source:** {rule.source}" + (f"\n\n```yaml\n{rule.example}\n```" if rule.example else ""))
    return {
        "id": rule.code,
        "name": "".join(part.capitalize() for part in rule.name.split("-")),
        "shortDescription": {"text": f"{rule.code} {rule.name}: {rule.summary}"},
        "fullDescription": {"text": rule.why},
        "help": {"text": help_text, "markdown": help_markdown},
        "helpUri": f"https://pcplan.dev/rules/{rule.code}",
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": [rule.name, f"family-{rule.family}"], "source": rule.source},
    }


def _region(place: Finding | Related) -> dict:
    """The SARIF region of a finding or a related location (``line``, ``column``, ``end_line``, ``end_column``)."""
    region = {"startLine": place.line, "startColumn": place.column,
              "endLine": max(place.end_line or place.line, place.line),
              "endColumn": place.end_column or place.column + 1}
    if region["endLine"] == region["startLine"] and region["endColumn"] <= region["startColumn"]:
        region["endColumn"] = region["startColumn"] + 1
    return region


def _uri(path: str, options: ReportOptions) -> str:
    """A path as a SARIF URI reference: percent-encoded from its bytes (a control character, a space or a byte
    that is not UTF-8 names the real file, and no terminal acts on it); in CI, names that are not names are
    hidden first, as in every format."""
    hide = private() if options.hide_names is None else options.hide_names
    return quote((key_path(path) if hide else path).encode("utf-8", "surrogateescape"), safe="/")


def _result(finding: Finding, index: dict, options: ReportOptions) -> dict:
    result: dict = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": LEVEL[finding.severity],
        "message": {"text": said(finding.message)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(finding.path, options)},
            "region": _region(finding),
        }}],
        "partialFingerprints": {FINGERPRINT: _fingerprint(finding)},
    }
    if finding.related:
        # The assessed need a plan leaves out, and the like: where the problem shows besides the fix.
        result["relatedLocations"] = [{
            "id": number,
            "physicalLocation": {"artifactLocation": {"uri": _uri(related.path, options)},
                                 "region": _region(related)},
            "message": {"text": said(related.message)},
        } for number, related in enumerate(finding.related, start=1)]
    if finding.member:
        result["properties"] = {"member": finding.member}
    if finding.excepted:
        result["suppressions"] = [{"kind": "external", "justification": "documented exception in the member's plan"}]
    return result


def _fingerprint(finding: Finding) -> str:
    return hashlib.sha256("\x1f".join(key(finding)).encode("utf-8")).hexdigest()[:32]
