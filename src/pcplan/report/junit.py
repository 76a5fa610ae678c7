"""JUnit XML for CI dashboards: a testsuite per file, a testcase per finding.

A file with no findings gets one passing testcase, so dashboards count it;
errors and warnings are failures, info findings pass with a note, and excepted
findings are skipped with the reason.
"""

from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree as ET

from ..findings import FindingStore
from .common import CheckResult, ReportOptions, place, said


def write(result: CheckResult, stream: TextIO, options: ReportOptions) -> None:
    # XML 1.0 cannot hold most control characters at all: every path and message is shown escaped (place,
    # said), so a file name or an id holding one still gives a well-formed report.
    # Written a testsuite at a time, byte for byte what ET.indent and ET.tostring make of the whole tree: the
    # totals come first, so one pass counts them while the findings are sorted by the path shown (hidden
    # names sort differently from the paths they stand for), then a second writes the suites.
    by_file = FindingStore(key=lambda f: place(f.path, options), tally=False)
    with_findings: set[str] = set()
    total_failures = total_skipped = 0
    for finding in result.findings:
        shown = place(finding.path, options)
        with_findings.add(shown)
        by_file.append(finding)
        if finding.excepted:
            total_skipped += 1
        elif finding.severity in ("error", "warning"):
            total_failures += 1
    paths = sorted({place(path, options) for path in result.checked} | with_findings)
    suites = ET.Element("testsuites", name="pcplan check")
    suites.set("tests", str(len(by_file) + len(paths) - len(with_findings)))  # a passing testcase per clean file
    suites.set("failures", str(total_failures))
    suites.set("errors", "0")
    suites.set("skipped", str(total_skipped))
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    empty = ET.tostring(suites, encoding="unicode")
    if not paths:
        stream.write(empty + "\n")
        return
    stream.write(empty.removesuffix(" />") + ">")
    findings = iter(by_file)
    pending = next(findings, None)
    for path in paths:
        group = []
        while pending is not None and place(pending.path, options) == path:
            group.append(pending)
            pending = next(findings, None)
        suite = _suite(path, group, options)
        ET.indent(suite, level=1)
        stream.write("\n  " + ET.tostring(suite, encoding="unicode"))
    stream.write("\n</testsuites>\n")
    by_file.close()


def _suite(path: str, findings: list, options: ReportOptions) -> ET.Element:
    """One file's testsuite."""
    suite = ET.Element("testsuite", name=path)
    failures = skipped = 0
    if not findings:
        ET.SubElement(suite, "testcase", classname="pcplan", name=f"{path}: no findings", file=path)
    for f in findings:
        case = ET.SubElement(suite, "testcase", classname=f.code, file=path, line=str(f.line),
                             name=f"{path}:{f.line}:{f.column} {f.code} {f.name}")
        message = said(f.message)
        if f.excepted:
            skipped += 1
            ET.SubElement(case, "skipped", message=f"documented exception: {message}")
        elif f.severity in ("error", "warning"):
            failures += 1
            failure = ET.SubElement(case, "failure", message=message, type=f.severity)
            failure.text = f"{path}:{f.line}:{f.column}: {f.code} [{f.severity}] {message}" + "".join(
                f"\n  related: {place(r.path, options)}:{r.line}:{r.column}: {said(r.message)}"
                for r in f.related)
        else:
            ET.SubElement(case, "system-out").text = f"{f.code} [info] {message}"
    suite.set("tests", str(max(len(findings), 1)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    return suite
