"""`pcplan init`: what the new repository keeps out of git, how editors find each case file's schema, and how CI
and pre-commit install and run pcplan without a package index that has it (issue 22, items 2 and 7)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import PROJECT, SAMPLE_CASES
from pcplan import __version__
from pcplan.cli import app
from pcplan.load import load_file
from pcplan.scaffold import wheel as wheel_module
from pcplan.scaffold.wheel import WHEEL_PATH, NoWheel, installed_wheel, wheel_of

runner = CliRunner()
DAY = ["--today", "2026-11-22"]
POSIX = pytest.mark.skipif(os.name != "posix", reason="symbolic links and bash as on a CI runner")
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
GITIGNORE = ("# Printed plans hold members' information: `pcplan render` writes them here, and git never commits "
             "them.\nprinted/\n")


def run(cwd: Path, *args: str):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(app, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def written(result) -> Path:
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1])


def git(top: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    done = subprocess.run(["git", *args], cwd=top, env={**env, **GIT_ENV}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """A repository made by `pcplan init` on 2026-11-22 (a git repository: init runs `git init`)."""
    result = run(tmp_path, "init", "cases", *DAY)
    assert result.exit_code == 0, result.output
    return tmp_path / "cases"


# ------------------------------------------------------------------ printed plans stay out of git


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_plan_in_printed_is_never_staged_by_git_add_all(fresh):
    assert (fresh / ".gitignore").read_text(encoding="utf-8") == GITIGNORE
    (fresh / "printed").mkdir()
    (fresh / "printed" / "M-000001-plan-2026-11-02.pdf").write_bytes(b"%PDF-1.7 a member's plan\n")
    (fresh / "printed" / "M-000001-plan-2026-11-02.md").write_text("# Sam's plan\n", encoding="utf-8")
    git(fresh, "add", "-A")
    staged = git(fresh, "diff", "--cached", "--name-only").split()
    assert ".gitignore" in staged and "members/M-000001/member.yaml" in staged
    assert [name for name in staged if name.startswith("printed")] == []
    assert git(fresh, "status", "--porcelain", "--ignored", "printed").split() == ["!!", "printed/"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_force_adds_the_printed_line_to_an_existing_gitignore_and_keeps_every_other_byte(tmp_path):
    root = tmp_path / "cases"
    root.mkdir()
    mine = b"# ours\r\nnode_modules/\n*.tmp"  # no final newline, a CRLF line: kept exactly as they are
    (root / ".gitignore").write_bytes(mine)
    result = run(tmp_path, "init", "cases", "--force", *DAY)
    assert result.exit_code == 0, result.output
    assert (root / ".gitignore").read_bytes() == mine + b"\nprinted/\n"
    assert ("pcplan: added the line `printed/` to cases/.gitignore: printed plans hold members' information, and "
            "git must never commit them\n") in result.stderr
    assert "cases/.gitignore" not in result.stdout and "kept cases/.gitignore" not in result.stderr
    (root / "printed").mkdir()
    (root / "printed" / "plan.pdf").write_bytes(b"%PDF")
    git(root, "add", "-A")
    assert [n for n in git(root, "diff", "--cached", "--name-only").split() if n.startswith("printed")] == []


@pytest.mark.parametrize("line", ["printed/", "/printed/", "printed", "/printed", "printed/**", "**/printed/  "])
def test_a_gitignore_that_already_ignores_printed_is_kept_as_it_is(tmp_path, line):
    root = tmp_path / "cases"
    root.mkdir()
    mine = f"*.log\n{line}\n".encode()
    (root / ".gitignore").write_bytes(mine)
    result = run(tmp_path, "init", "cases", "--force", "--no-git", *DAY)
    assert result.exit_code == 0, result.output
    assert (root / ".gitignore").read_bytes() == mine
    assert "pcplan: kept cases/.gitignore (it exists; init never replaces a file)\n" in result.stderr
    assert "printed" not in result.stderr


def test_a_gitignore_that_takes_printed_back_is_kept_and_named(tmp_path):
    root = tmp_path / "cases"
    root.mkdir()
    mine = b"printed/\n!printed/\n"
    (root / ".gitignore").write_bytes(mine)
    result = run(tmp_path, "init", "cases", "--force", "--no-git", *DAY)
    assert result.exit_code == 0, result.output
    assert (root / ".gitignore").read_bytes() == mine
    assert ("pcplan: cases/.gitignore takes `printed/` back (`!printed/`): printed plans hold members' information "
            "and would be committed; remove that line\n") in result.stderr


@POSIX
def test_a_gitignore_that_is_a_link_is_never_written_through(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"elsewhere\n")
    root = tmp_path / "cases"
    root.mkdir()
    (root / ".gitignore").symlink_to(outside)
    result = run(tmp_path, "init", "cases", "--force", "--no-git", *DAY)
    assert result.exit_code == 0, result.output
    assert outside.read_bytes() == b"elsewhere\n" and (root / ".gitignore").is_symlink()
    assert "added the line" not in result.stderr and "(it exists; init never replaces a file)" in result.stderr


# ------------------------------------------------------------------ editor settings: every case file's schema


def vscode_regex(pattern: str) -> re.Pattern[str]:
    """How Red Hat's YAML extension matches a `yaml.schemas` glob against a file's URI: vscode-json-languageservice's
    FilePatternAssociation, ``createRegex('**/' + pattern, {extended: true, globstar: true})`` (utils/glob.ts),
    ported line for line: ``*`` stays within a folder, ``**`` between slashes spans folders."""
    glob, out, i, group = "**/" + pattern.removeprefix("/"), "", 0, False
    while i < len(glob):
        c = glob[i]
        if c in "/$^+.()=!|":
            out += "\\" + c
        elif c in "?[]{},":
            group = {"{": True, "}": False}.get(c, group)
            out += {"?": ".", "{": "(", "}": ")", ",": "|" if group else "\\,"}.get(c, c)
        elif c == "*":
            before, stars = glob[i - 1] if i else None, 1
            while glob[i + 1:i + 2] == "*":
                stars, i = stars + 1, i + 1
            after = glob[i + 1] if i + 1 < len(glob) else None
            if stars > 1 and before in ("/", None, "{", ",") and after in ("/", None, ",", "}"):
                if after == "/":
                    i += 1
                elif before == "/" and out.endswith("\\/"):
                    out = out[:-2]
                out += "((?:[^/]*(?:/|$))*)"
            else:
                out += "([^/]*)"
        else:
            out += c
        i += 1
    return re.compile(f"^{out}$")


def older_vscode_regex(pattern: str) -> re.Pattern[str]:
    """The same in releases before 1.0 of the YAML language server (convertSimple2RegExpPattern): ``*`` is ``.*``,
    the end of the URI anchored."""
    return re.compile(re.sub(r"[-\\{}+?|^$.,\[\]()#\s]", lambda m: "\\" + m.group(), pattern).replace("*", ".*") + "$")


def kinds_matching(settings: dict, path: Path) -> dict[str, set[str]]:
    """Per semantics, the kinds whose globs match ``path`` (as the editor sees it: a file URI)."""
    uri = path.resolve().as_uri()
    by_kind = {Path(schema).name.removesuffix(".schema.json"): globs
               for schema, globs in settings["yaml.schemas"].items()}
    return {name: {kind for kind, globs in by_kind.items() if any(regex(g).search(uri) for g in globs)}
            for name, regex in (("vscode", vscode_regex), ("older", older_vscode_regex))}


def test_the_glob_port_matches_as_the_extension_does():
    assert vscode_regex("members/**/closure*.yaml").match("file:///a/members/M-1/closure-2026-03-30.yaml")
    assert vscode_regex("members/**/closure*.yaml").match("file:///a/members/closure.yaml")
    assert not vscode_regex("members/**/notes/*.yaml").match("file:///a/members/M-1/notes/x/2026.yaml")
    assert not vscode_regex("members/**/closure.yaml").match("file:///a/members/M-1/closure-2026-03-30.yaml")


def test_vscode_settings_map_existing_schemas_to_the_case_files(fresh):
    from pcplan.schema import KINDS, schema_for

    settings = json.loads((fresh / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    assert len(mapping) == len(KINDS)
    for schema_path, globs in mapping.items():
        target = (fresh / schema_path).resolve()
        assert target.is_file(), schema_path
        schema = json.loads(target.read_text(encoding="utf-8"))
        kind = schema["properties"]["kind"]["const"]
        assert schema_path == f"./.pcplan/schemas/{kind}.schema.json" and schema == schema_for(kind)
        assert all("{" not in glob for glob in globs)  # no braces: older releases read them as letters
    assert mapping["./.pcplan/schemas/closure.schema.json"] == ["members/**/closure*.yaml", "members/**/closure*.yml"]
    assert mapping["./.pcplan/schemas/staff.schema.json"] == ["staff.yaml", "staff.yml"]


def _every_kind_of_name(root: Path) -> None:
    """The file names `pcplan new` gives, every one: a second note on a day, a closure, and after a re-enrollment
    the next episode's closure (closure-DATE.yaml); and the other suffix pcplan reads (member.yml, staff.yml)."""
    member = written(run(root, "new", "member", "--legal-name", "Ana María López", "--preferred-name", "Ana",
                         "--case-manager", "cm-mreyes", "--program", "HCBS-EBD", *DAY))
    folder = str(member.parent)
    for kind in ("assessment", "plan", "note", "note"):
        written(run(root, "new", kind, folder, *(["--contact", "phone"] if kind == "note" else []), *DAY))
    assert written(run(root, "new", "closure", folder, "--reason", "moved", *DAY)).name == "closure.yaml"
    text = (root / member).read_text(encoding="utf-8")
    assert text.count("\nprograms:\n") == 1
    (root / member).write_text(text.replace("\nprograms:\n", "\nprograms:\n  - program: HCBS-EBD\n"
                                                             "    enrolled_on: 2027-01-05\n", 1), encoding="utf-8")
    later = written(run(root, "new", "closure", folder, "--reason", "moved", "--today", "2027-02-01"))
    assert later.name == "closure-2027-02-01.yaml"
    assert sorted(p.name for p in (root / folder / "notes").iterdir()) == ["2026-11-22-2.yaml", "2026-11-22.yaml"]
    shutil.copy(root / "members/M-000001/member.yaml", root / "members/M-000001/member.yml")
    shutil.copy(root / "staff.yaml", root / "staff.yml")


def test_every_case_file_name_pcplan_writes_matches_the_schema_of_its_kind_and_no_other(fresh):
    _every_kind_of_name(fresh)
    settings = json.loads((fresh / ".vscode/settings.json").read_text(encoding="utf-8"))
    names = sorted(p for p in fresh.rglob("*.y*ml") if ".git" not in p.parts)
    assert {p.suffix for p in names} == {".yaml", ".yml"}
    seen = set()
    for path in names:
        relative = path.relative_to(fresh).as_posix()
        hidden = relative.startswith(".")  # .pre-commit-config.yaml, .github/workflows/pcplan.yml: no schema
        kind = None if hidden else load_file(path).data["kind"]
        seen.add(kind)
        for semantics, kinds in kinds_matching(settings, path).items():
            assert kinds == ({kind} if kind else set()), (semantics, relative)
    assert seen == {None, "member", "assessment", "plan", "note", "closure", "staff"}


def test_every_sample_case_file_matches_the_schema_of_its_kind(fresh):
    if not SAMPLE_CASES.is_dir():
        pytest.skip("sample_cases is not in this checkout")
    settings = json.loads((fresh / ".vscode/settings.json").read_text(encoding="utf-8"))
    for path in sorted(SAMPLE_CASES.rglob("*.y*ml")):
        kind = load_file(path).data["kind"]
        for semantics, kinds in kinds_matching(settings, path).items():
            assert kinds == {kind}, (semantics, path.relative_to(SAMPLE_CASES).as_posix())


# ------------------------------------------------------------------ CI and pre-commit without a package index


def test_the_workflow_and_readme_install_the_kept_wheel_never_the_package_index(fresh):
    workflow = yaml.safe_load((fresh / ".github/workflows/pcplan.yml").read_text(encoding="utf-8"))
    runs = [step["run"] for step in workflow["jobs"]["check"]["steps"] if "run" in step]
    assert runs == [f'python -m pip install "{WHEEL_PATH}"', "pcplan check"]
    assert f".pcplan/pcplan-{__version__}-py3-none-any.whl" == WHEEL_PATH
    readme = (fresh / "README.md").read_text(encoding="utf-8")
    assert f'python3 -m pip install "{WHEEL_PATH}" pre-commit\n' in readme
    for text in (readme, (fresh / ".github/workflows/pcplan.yml").read_text(encoding="utf-8")):
        assert "pcplan==" not in text and "pip install pcplan" not in text
    assert "*.whl binary\n" in (fresh / ".gitattributes").read_text(encoding="utf-8")


def test_init_keeps_the_running_pcplan_as_a_wheel(tmp_path):
    """The same pcplan gives the same bytes: a wheel pip installs (package, metadata, a RECORD of them all)."""
    first = run(tmp_path, "init", "one", "--no-git", *DAY)
    second = run(tmp_path, "init", "two", "--no-git", *DAY)
    assert first.exit_code == second.exit_code == 0, first.output
    assert f"one/{WHEEL_PATH}\n" in first.stdout and "wheel" not in first.stderr
    kept = (tmp_path / "one" / WHEEL_PATH).read_bytes()
    assert kept == (tmp_path / "two" / WHEEL_PATH).read_bytes() == installed_wheel()
    info = f"pcplan-{__version__}.dist-info"
    with zipfile.ZipFile(tmp_path / "one" / WHEEL_PATH) as archive:
        names = archive.namelist()
        assert names[-1] == f"{info}/RECORD" and {"pcplan/__init__.py", "pcplan/cli.py"} <= set(names)
        assert {"pcplan/schemas/plan.schema.json", "pcplan/templates/plan.html.j2"} <= set(names)
        assert "[console_scripts]\npcplan = pcplan.cli:main" in archive.read(f"{info}/entry_points.txt").decode()
        assert not [n for n in names if "__pycache__" in n or n.endswith(("INSTALLER", "direct_url.json"))]
        record = {row.split(",")[0]: row.split(",")[1] for row in archive.read(f"{info}/RECORD").decode().split()}
        assert record.pop(f"{info}/RECORD") == ""
        assert record == {n: f"sha256={wheel_module._digest(archive.read(n))}" for n in names[:-1]}


def test_a_wheel_that_cannot_be_made_is_named_with_the_command_that_builds_it(tmp_path, monkeypatch):
    def broken() -> bytes:
        raise NoWheel("pcplan's installed file pcplan/cli.py is not as it was installed; reinstall pcplan")

    monkeypatch.setattr(wheel_module, "installed_wheel", broken)
    result = run(tmp_path, "init", "cases", "--no-git", *DAY)
    assert result.exit_code == 0 and not (tmp_path / "cases" / WHEEL_PATH).exists()
    assert (f"pcplan: cases/{WHEEL_PATH} is not written (pcplan's installed file pcplan/cli.py is not as it was "
            "installed; reinstall pcplan), and CI installs pcplan from it: build it with `python -m pip wheel "
            "--no-deps -w cases/.pcplan <pcplan's source folder or git URL>`\n") in result.stderr


def _fake_installation(site: Path, init_text: str = "__version__ = 'x'\n", direct_url: str | None = None):
    """An installed pcplan as an installer leaves it: package, metadata, and a RECORD of their hashes."""
    info = site / f"pcplan-{__version__}.dist-info"
    files = {"pcplan/__init__.py": init_text.encode(), "pcplan/templates/plan.css": b"body {}\n",
             f"{info.name}/METADATA": f"Metadata-Version: 2.1\nName: pcplan\nVersion: {__version__}\n".encode(),
             f"{info.name}/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
             f"{info.name}/INSTALLER": b"pip\n", "pcplan/__pycache__/__init__.cpython-311.pyc": b"\0"}
    if direct_url is not None:
        files[f"{info.name}/direct_url.json"] = direct_url.encode()
    record = []
    for name, data in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)
        digest = "" if name.endswith(".pyc") else f"sha256={wheel_module._digest(data)}"
        record.append(f"{name},{digest},{len(data) if digest else ''}\n")
    record += [f"{info.name}/RECORD,,\n", "../../../bin/pcplan,sha256=abc,10\n"]
    (info / "RECORD").write_text("".join(record), encoding="utf-8")
    return metadata.PathDistribution(info)


def test_the_wheel_holds_the_installed_files_and_refuses_a_changed_one(tmp_path):
    dist = _fake_installation(tmp_path / "site")
    with zipfile.ZipFile(__import__("io").BytesIO(wheel_of(dist))) as archive:
        info = f"pcplan-{__version__}.dist-info"
        assert archive.namelist() == ["pcplan/__init__.py", "pcplan/templates/plan.css", f"{info}/METADATA",
                                      f"{info}/WHEEL", f"{info}/RECORD"]
        assert archive.read("pcplan/__init__.py") == b"__version__ = 'x'\n"
        assert archive.read(f"{info}/RECORD").decode().endswith(f"{info}/RECORD,,\n")
    (tmp_path / "site" / "pcplan" / "__init__.py").write_text("changed\n", encoding="utf-8")
    with pytest.raises(NoWheel, match=r"^pcplan's installed file pcplan/__init__.py is not as it was installed; "
                                      r"reinstall pcplan$"):
        wheel_of(dist)
    # An editable install (a developer's source folder) records only its metadata: the package is the source's.
    editable = _fake_installation(tmp_path / "dev", direct_url=json.dumps(
        {"url": PROJECT.as_uri(), "dir_info": {"editable": True}}))
    with zipfile.ZipFile(__import__("io").BytesIO(wheel_of(editable))) as archive:
        assert archive.read("pcplan/__init__.py") == Path(wheel_module.__file__).parents[1].joinpath(
            "__init__.py").read_bytes()
        assert archive.read(f"pcplan-{__version__}.dist-info/WHEEL").endswith(b"Tag: py3-none-any\n")


def _deps_only_view(view: Path) -> Path:
    """This environment's installed packages, but not pcplan: what a runner's `pip install` takes from the index."""
    view.mkdir()
    site = Path(sysconfig.get_paths()["purelib"])
    for entry in site.iterdir():
        if not entry.name.lower().startswith(("pcplan", "_editable_impl_pcplan", "__editable__", "_pcplan")):
            (view / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    return view


def _runner_env(venv: Path, home: Path) -> dict[str, str]:
    """A runner's environment, with no package index: dependencies only from what is installed."""
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    return {"PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin", "HOME": str(home), "LANG": "C.UTF-8",
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(home / "summary.md"),
            "PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "XDG_CACHE_HOME": str(home / "cache")}


def _run_steps(workflow: Path, repo: Path, env: dict[str, str]) -> list[subprocess.CompletedProcess]:
    """Each `run:` step of the job as GitHub runs it (bash -e -o pipefail), in order, stopping at a failure."""
    steps = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"]["check"]["steps"]
    done = []
    for step in steps:
        if "run" in step:
            done.append(subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                                       cwd=repo, env=env, capture_output=True, text=True, timeout=600))
            if done[-1].returncode != 0:
                break
    return done


@POSIX
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_workflow_steps_install_the_kept_wheel_and_check_in_a_fresh_environment(tmp_path):
    """The generated workflow's `run:` steps, run by bash in a fresh virtual environment (its `python` and `pip`
    first on PATH) in a copy of an init'ed repository, with no package index: pcplan comes from the kept wheel, its
    dependencies from what is installed (on a runner, the package index)."""
    made = run(tmp_path, "init", "made", "--no-git")  # today: the sample checks clean on the day the steps run
    assert made.exit_code == 0, made.output
    assert (tmp_path / "made" / WHEEL_PATH).is_file()
    repo = tmp_path / "runner" / "cases"
    shutil.copytree(tmp_path / "made", repo)
    venv, home = tmp_path / "runner" / "venv", tmp_path / "runner" / "home"
    home.mkdir()
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    purelib = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()"
                                   "['purelib'])"], capture_output=True, text=True, check=True).stdout.strip())
    (purelib / "_runner_dependencies.pth").write_text(f"{_deps_only_view(tmp_path / 'runner' / 'deps')}\n",
                                                      encoding="utf-8")
    env = _runner_env(venv, home)
    install, check = _run_steps(repo / ".github/workflows/pcplan.yml", repo, env)
    assert install.returncode == 0, install.stdout[-2000:] + install.stderr[-2000:]
    assert f"Successfully installed pcplan-{__version__}" in install.stdout
    assert (purelib / f"pcplan-{__version__}.dist-info").is_dir() and (venv / "bin" / "pcplan").is_file()
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    assert "::error" not in check.stdout

    # The check step is a real check: a broken case file fails it, named in a GitHub annotation.
    plan = next((repo / "members" / "M-000001").glob("plan-*.yaml"))
    plan.write_text(plan.read_text(encoding="utf-8").replace("assessment: A1\n", "assessment: A9\n"), encoding="utf-8")
    steps = yaml.safe_load((repo / ".github/workflows/pcplan.yml").read_text(encoding="utf-8"))["jobs"]["check"]
    failed = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", steps["steps"][-1]["run"]],
                            cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert failed.returncode == 1 and f"::error file=members/M-000001/{plan.name}" in failed.stdout


def test_the_pre_commit_hook_runs_the_installed_pcplan_and_downloads_nothing(fresh):
    """`repo: local` with `language: system`: pre-commit clones no repository and builds no environment; the hook
    is the pcplan installed from the kept wheel."""
    config = yaml.safe_load((fresh / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [r["repo"] for r in config["repos"]] == ["local"]
    hook = config["repos"][0]["hooks"][0]
    assert (hook["language"], hook["entry"]) == ("system", "pcplan check --member-folders")
    assert "rev" not in config["repos"][0] and "additional_dependencies" not in hook


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pre-commit") is None or shutil.which("git") is None,
                    reason="needs pre-commit and git")
def test_pre_commit_runs_the_hook_without_a_network(tmp_path):
    assert run(tmp_path, "init", "cases").exit_code == 0  # today: the sample checks clean on the day the hook runs
    fresh = tmp_path / "cases"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PIP_"))}, **GIT_ENV,
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PIP_NO_INDEX": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    git(fresh, "add", "-A")
    done = subprocess.run(["pre-commit", "run", "--all-files"], cwd=fresh, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^pcplan check\.+Passed$", done.stdout, re.M), done.stdout
