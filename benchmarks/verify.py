#!/usr/bin/env python3
"""Check that a generated repository checks as designed: clean members clean, every seeded defect found.

    python benchmarks/generate.py /tmp/g200 --members 200 --manifest /tmp/g200.json
    python benchmarks/verify.py /tmp/g200 /tmp/g200.json [--python PYTHON]

Runs `pcplan check --today 2026-11-22 -f json` over the repository, then
compares each member's findings with the manifest: a clean member should have
none; a member with a seeded defect should have the defect's code (see
generate.DEFECTS) and nothing else. Prints the findings per rule, what was
missed and what was unexpected; exits 1 if a defect was missed or a clean
member has an error-level finding.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys

TODAY = "2026-11-22"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo")
    parser.add_argument("manifest")
    parser.add_argument("--python", default=sys.executable, help="the interpreter with pcplan installed")
    args = parser.parse_args(argv)
    manifest = json.load(open(args.manifest, encoding="utf-8"))
    expected_code = manifest["expected"]
    run = subprocess.run([args.python, "-m", "pcplan", "check", "--today", TODAY, "-f", "json", "--exit-zero", "."],
                         cwd=args.repo, capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        return 2
    report = json.loads(run.stdout)
    by_member = collections.defaultdict(list)
    per_rule = collections.Counter()
    for f in report["findings"]:
        by_member[f["member"]].append(f)
        per_rule[(f["code"], f["severity"])] += 1
    print(f"{report['summary']['files']} files, {report['summary']['members']} members, "
          f"{report['summary']['findings']} findings")
    for (code, severity), n in sorted(per_rule.items(), key=lambda x: (-x[1], x[0])):
        print(f"  {n:6d}  {code}  [{severity}]")
    missed, unexpected, found = [], [], collections.Counter()
    clean_with_findings = 0
    for m in manifest["members"]:
        codes = [f["code"] for f in by_member.get(m["id"], [])]
        if m["defect"]:
            want = expected_code[m["defect"]]
            if want in codes:
                found[m["defect"]] += 1
            else:
                missed.append((m["id"], m["defect"], want, codes))
            extra = [c for c in codes if c != want]
        else:
            extra = codes
            clean_with_findings += bool(codes)
        for f in by_member.get(m["id"], []):
            if f["code"] in extra:
                unexpected.append((m["id"], m["defect"], f))
    other = [f for member, fs in by_member.items() if member not in {m["id"] for m in manifest["members"]} for f in fs]
    n_defects = sum(1 for m in manifest["members"] if m["defect"])
    print(f"\nseeded defects: {n_defects}, found {sum(found.values())}, missed {len(missed)}")
    for name, code in expected_code.items():
        total = sum(1 for m in manifest["members"] if m["defect"] == name)
        print(f"  {name:28s} {code}  {found[name]}/{total}")
    n_clean = len(manifest["members"]) - n_defects
    print(f"clean members: {n_clean}, with any finding: {clean_with_findings}")
    for mid, defect, want, codes in missed:
        print(f"MISSED {mid} {defect}: wanted {want}, got {codes}")
    for mid, defect, f in unexpected:
        print(f"UNEXPECTED {mid} ({defect or 'clean'}): {f['path']}:{f['line']}:{f['column']} {f['code']} "
              f"[{f['severity']}] {f['message']}")
    for f in other:
        print(f"OTHER {f['path']}:{f['line']} {f['code']} {f['message']}")
    bad = missed or any(f["severity"] == "error" for _, d, f in unexpected if d is None) or \
        any(f["severity"] == "error" for f in other)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
