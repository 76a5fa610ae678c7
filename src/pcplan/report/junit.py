"""JUnit XML for CI dashboards: a testsuite per file, a testcase per finding.

A file with no findings gets one passing testcase, so dashboards count it;
errors and warnings are failures, info findings pass with a note, and excepted
findings are skipped with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TextIO
from xml.etree import ElementTree as ET

from . import ReportOptions, place, said


def write(result, stream: TextIO, options: ReportOptions) -> None:
    # XML 1.0 cannot hold most control characters at all: every path and message is shown escaped (place,
    # said), so a file name or an id holding one still gives a well-formed report.
    by_file = defaultdict(list)
    for finding in result.findings:
        by_file[place(finding.path, options)].append(finding)
    paths = sorted({place(path, options) for path in result.checked} | set(by_file))
    suites = ET.Element("testsuites", name="pcplan check")
    total_tests = total_failures = total_skipped = 0
    for path in paths:
        findings = by_file.get(path, [])
        suite = ET.SubElement(suites, "testsuite", name=path)
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
        tests = max(len(findings), 1)
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skipped))
        total_tests, total_failures, total_skipped = total_tests + tests, total_failures + failures, total_skipped + skipped
    suites.set("tests", str(total_tests))
    suites.set("failures", str(total_failures))
    suites.set("errors", "0")
    suites.set("skipped", str(total_skipped))
    ET.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(suites, encoding="unicode"))
    stream.write("\n")
