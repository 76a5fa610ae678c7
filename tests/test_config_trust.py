"""pcplan.toml is read by the rule every case file is read by: a link out of the repository is refused by name
(an outside `ignore = ["ALL"]` once turned errors into "All checks passed"), a FIFO never blocks, and a huge file
is refused before it is read whole."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from pcplan.cli import app
from pcplan.config import MAX_CONFIG_BYTES

AS_OF = ["--today", "2026-11-22"]


def _run(repo, *args):
    old = os.getcwd()
    os.chdir(repo.root)
    try:
        return CliRunner().invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def _break_a_rule(repo):
    repo.edit("members/M-000123/plan-2026-09-03.yaml", "    needs: [N1]\n", "    needs: []\n")


COMMANDS = [
    ["check", "--no-cache", *AS_OF],
    ["due", "--no-cache", *AS_OF],
    ["report", "--no-cache", *AS_OF],
    ["export", "fhir", "members/M-000123", "-o", "-", *AS_OF],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_a_configuration_linked_from_outside_the_repository_is_refused_by_name(repo, tmp_path, args):
    _break_a_rule(repo)
    outside = tmp_path / "elsewhere.toml"
    outside.write_text('[rules]\nignore = ["ALL"]\n', encoding="utf-8")
    (repo.root / "pcplan.toml").unlink()
    (repo.root / "pcplan.toml").symlink_to(outside)
    result = _run(repo, *args)
    assert result.exit_code == 2, result.output
    assert "pcplan.toml: symlink to outside the repository, not read" in result.stderr
    assert "All checks passed" not in result.output


def test_a_link_to_a_configuration_inside_the_repository_is_read(repo):
    _break_a_rule(repo)
    (repo.root / "config").mkdir()
    (repo.root / "pcplan.toml").rename(repo.root / "config" / "agency.toml")
    (repo.root / "pcplan.toml").symlink_to("config/agency.toml")
    result = _run(repo, "check", "--no-cache", *AS_OF, "-f", "concise")
    assert result.exit_code == 1 and "L101" in result.stdout


def test_a_configuration_over_the_size_bound_is_refused_before_it_is_read_whole(repo):
    _break_a_rule(repo)
    with open(repo.root / "pcplan.toml", "a", encoding="utf-8") as handle:
        handle.write("# padding\n" * (MAX_CONFIG_BYTES // 10 + 1))
    result = _run(repo, "check", "--no-cache", *AS_OF)
    assert result.exit_code == 2
    assert f"pcplan.toml: over {MAX_CONFIG_BYTES:,} bytes, not read" in result.stderr


def test_a_fifo_configuration_never_blocks(repo):
    (repo.root / "pcplan.toml").unlink()
    os.mkfifo(repo.root / "pcplan.toml")
    done = subprocess.run([sys.executable, "-m", "pcplan", "check", "--no-cache", *AS_OF], cwd=repo.root,
                          capture_output=True, text=True, timeout=60, env={**os.environ, "CI": ""})
    assert done.returncode == 2
    assert "pcplan.toml: not a regular file, not read" in done.stderr
    assert "Traceback" not in done.stderr
