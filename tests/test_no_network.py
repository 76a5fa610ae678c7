"""No command opens a network connection: every command runs with networking blocked.

A ``sitecustomize.py`` on the PYTHONPATH of a fresh Python makes every way to
reach the network (``socket.socket.connect``, ``create_connection``,
``getaddrinfo`` …) record the attempt and fail. The commands run in that Python
through the real command line: check in every format, render (HTML, PDF through
WeasyPrint, Markdown), due and report in every format, new, init, schema,
rules, rule and fingerprint. Each must succeed, and nothing may even try to
connect, resolve a name or fetch a font or a stylesheet.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ELENA_PLAN, SITECUSTOMIZE

DRIVER = '''
"""Run pcplan's command line once per argument list, in this one (network-blocked) Python."""
import contextlib
import io
import json
import os
import socket
import sys

for probe in (lambda: socket.create_connection(("example.org", 80), timeout=1),
              lambda: socket.getaddrinfo("example.org", 443),
              lambda: socket.socket().connect(("127.0.0.1", 9))):
    try:
        probe()
    except OSError:
        pass
    else:
        raise SystemExit("the network is not blocked")

from pcplan.cli import app

results = []
for cwd, args in json.loads(sys.argv[1]):
    os.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            app(args, prog_name="pcplan")
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    results.append({"args": args, "code": code, "stdout": out.getvalue()[-2000:], "stderr": err.getvalue()[-2000:]})
print(json.dumps(results))
'''

AS_OF = ["--today", "2026-11-22"]


@pytest.fixture
def offline(tmp_path):
    """A Python whose sockets refuse to connect, and the log of what tried to."""
    folder = tmp_path / "offline"
    folder.mkdir()
    (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    (folder / "driver.py").write_text(DRIVER, encoding="utf-8")
    log = tmp_path / "network.log"
    env = {**os.environ, "PCPLAN_NETWORK_LOG": str(log),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    return folder, log, env


def attempts(log: Path) -> list[str]:
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_every_command_runs_with_the_network_blocked(repo, tmp_path, offline):
    folder, log, env = offline
    root = str(repo.root)
    out = tmp_path / "out"
    out.mkdir()
    fresh = tmp_path / "fresh-agency"
    commands = [
        *([root, ["check", *AS_OF, "-f", fmt]] for fmt in ("full", "concise", "json", "sarif", "junit")),
        [root, ["check", *AS_OF, "--write-baseline", str(out / "baseline.json")]],
        *([root, ["render", "members/M-000123", "-f", fmt, "--output", str(out), *AS_OF]]
          for fmt in ("html", "pdf", "md")),
        [root, ["render", "members/M-000207", "-f", "pdf", "--output", str(out), *AS_OF]],
        *([root, ["due", "--within", "all", "-f", fmt, *AS_OF]] for fmt in ("table", "json", "csv", "ics")),
        [root, ["due", "-f", "ics", "-o", str(out / "due.ics"), *AS_OF]],
        *([root, ["report", "-f", fmt, *AS_OF]] for fmt in ("table", "json", "html")),
        [root, ["report", "-o", str(out / "caseload.html"), *AS_OF]],
        [root, ["export", "fhir", ".", "--allow-incomplete", "-o", str(out / "fhir") + "/", *AS_OF]],  # before `new` adds a bare member
        [root, ["new", "note", "members/M-000123", "--contact", "phone", *AS_OF]],
        [root, ["new", "member", "--legal-name", "Test Person", "--preferred-name", "Test", "--language", "en",
                "--case-manager", "cm-jlee", *AS_OF]],
        [str(tmp_path), ["init", str(fresh), "--agency", "Test Agency", *AS_OF]],
        [root, ["schema"]],
        [root, ["schema", "--output", str(out)]],
        [root, ["rules"]],
        [root, ["rule", "L101"]],
        [root, ["fingerprint", ELENA_PLAN]],
    ]
    process = subprocess.run([sys.executable, str(folder / "driver.py"), json.dumps(commands)],
                             capture_output=True, text=True, env=env, timeout=600)
    assert process.returncode == 0, process.stderr[-3000:]
    results = json.loads(process.stdout)
    failed = [(r["args"], r["code"], r["stderr"]) for r in results if r["code"] != 0]
    assert not failed, failed
    # The probes at the start were refused and logged; nothing after them tried anything.
    assert len(attempts(log)) == 3, attempts(log)
    for name in ("M-000123-plan-2026-09-03.es.html", "M-000123-plan-2026-09-03.es.pdf",
                 "M-000123-plan-2026-09-03.es.md", "M-000207-plan-2026-05-20.en.pdf", "due.ics",
                 "caseload.html", "plan.schema.json", "baseline.json"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "M-000123-plan-2026-09-03.es.pdf").read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in (out / "fhir").iterdir()) == [
        "M-000123.fhir.json", "M-000207.fhir.json", "M-000301.fhir.json"]
    assert (fresh / "pcplan.toml").is_file()
    assert (repo.root / "members/M-000123/notes/2026-11-22.yaml").is_file()
    assert (repo.root / "members/M-000302/member.yaml").is_file()


def test_the_command_line_entry_point_with_the_network_blocked(repo, tmp_path, offline):
    """The usual way in (`python -m pcplan`), for the command that reaches furthest: a PDF."""
    _, log, env = offline
    process = subprocess.run([sys.executable, "-m", "pcplan", "render", "members/M-000207", "-f", "pdf",
                              "--output", str(tmp_path), *AS_OF], cwd=repo.root, capture_output=True, text=True,
                             env=env, timeout=300)
    assert process.returncode == 0, process.stderr
    assert (tmp_path / "M-000207-plan-2026-05-20.en.pdf").read_bytes().startswith(b"%PDF")
    assert attempts(log) == []


def test_the_block_is_real(tmp_path, offline):
    """The test would be vacuous if the patched Python could still connect: it cannot even resolve a name."""
    _, log, env = offline
    process = subprocess.run([sys.executable, "-c", "import urllib.request as u; u.urlopen('http://example.org', "
                              "timeout=2)"], capture_output=True, text=True, env=env, timeout=60)
    assert process.returncode != 0 and "network blocked by the pcplan test" in process.stderr
    assert attempts(log)
