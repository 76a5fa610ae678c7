"""The VS Code extension (editors/vscode): its manifest holds what VS Code and `vsce` need, it starts
`pcplan lsp` with the options the server reads, and the package CI built (.ci/run) holds the client."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile

import pytest

from conftest import PROJECT

EXTENSION = PROJECT / "editors" / "vscode"
MANIFEST = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
SOURCE = (EXTENSION / "extension.js").read_text(encoding="utf-8")


def test_manifest_has_what_vsce_and_vscode_need():
    for key in ("name", "displayName", "description", "version", "publisher", "engines", "main", "license"):
        assert MANIFEST.get(key), key
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", MANIFEST["name"]) and re.fullmatch(r"[a-z0-9][a-z0-9-]*",
                                                                                  MANIFEST["publisher"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", MANIFEST["version"])
    assert re.fullmatch(r"\^\d+\.\d+\.\d+", MANIFEST["engines"]["vscode"])
    assert (EXTENSION / MANIFEST["main"]).is_file()
    assert (EXTENSION / "README.md").is_file() and (EXTENSION / ".vscodeignore").is_file()
    assert "onLanguage:yaml" in MANIFEST["activationEvents"]
    # The language client's own requirement on VS Code is met by the engine the manifest names.
    assert re.fullmatch(r"\^9\.\d+\.\d+", MANIFEST["dependencies"]["vscode-languageclient"])
    assert tuple(int(p) for p in MANIFEST["engines"]["vscode"][1:].split(".")) >= (1, 82, 0)


def test_every_command_and_setting_is_declared_and_used():
    declared = {c["command"] for c in MANIFEST["contributes"]["commands"]}
    assert declared == set(re.findall(r"registerCommand\('([^']+)'", SOURCE))
    settings = MANIFEST["contributes"]["configuration"]["properties"]
    assert set(settings) == {f"pcplan.{name}" for name in re.findall(r"config\.get\('(\w+)'", SOURCE)}
    # A repository's settings must not choose the program VS Code runs.
    assert settings["pcplan.path"]["scope"] == "machine"


def test_the_client_starts_pcplan_lsp_with_the_options_the_server_reads():
    assert "require('vscode-languageclient/node')" in SOURCE
    assert "args: ['lsp']" in SOURCE
    assert "{ scheme: 'file', language: 'yaml' }" in SOURCE
    server = (PROJECT / "src/pcplan/lsp/server.py").read_text(encoding="utf-8")
    options = (PROJECT / "src/pcplan/lsp/options.py").read_text(encoding="utf-8")  # each option checked there
    for option in re.findall(r"initializationOptions\.(\w+) =|initializationOptions = \{ (\w+):", SOURCE):
        name = next(filter(None, option))
        assert f'options.get("{name}")' in options, name
    assert "read_options(params.initialization_options)" in server
    # The rule links the server gives each diagnostic are opened by the extension's content provider.
    assert "registerTextDocumentContentProvider('pcplan'" in SOURCE and "'pcplan/rule'" in SOURCE
    assert '@server.feature("pcplan/rule")' in server


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_extension_js_parses():
    subprocess.run(["node", "--check", str(EXTENSION / "extension.js")], check=True)


def test_the_package_ci_built_holds_the_client():
    packages = sorted(EXTENSION.glob("*.vsix"))
    if not packages:
        pytest.skip("no .vsix: .ci/run builds one with `vsce package` where npm is installed")
    with zipfile.ZipFile(packages[-1]) as vsix:
        names = set(vsix.namelist())
        manifest = json.loads(vsix.read("extension/package.json"))
    assert {"extension/package.json", "extension/extension.js", "extension.vsixmanifest"} <= names
    assert "extension/node_modules/vscode-languageclient/node.js" in names
    assert manifest["name"] == MANIFEST["name"] and manifest["version"] == MANIFEST["version"]
    assert not any(n.endswith(".vsix") or n.endswith("package-lock.json") for n in names)


def test_ci_packages_the_extension_before_the_tests_run():
    script = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    package = script.index("@vscode/vsce package")
    step = script[script.rindex("cd editors/vscode", 0, package):package]
    assert "npm install" in step and "--no-audit --no-fund" in step
    assert package < script.index(".venv/bin/python -m pytest")
