"""`pcplan lsp` with Neovim 0.11's capabilities: Neovim offers UTF-8 positions first, so every character offset
the server sends or reads counts UTF-8 bytes (accents two, an emoji four). The server runs with the network
blocked (tests/test_no_network.py's sitecustomize): it must not even try to connect."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

from conftest import SAMPLE_CASES, SITECUSTOMIZE

pytestmark = pytest.mark.asyncio

PLAN = "members/M-000123/plan-2026-09-03.yaml"


BLOCKED = Path(tempfile.mkdtemp(prefix="pcplan-lsp-network-"))
(BLOCKED / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
NETWORK_LOG = BLOCKED / "attempts.log"
ENV = {**os.environ, "PCPLAN_TODAY": "2026-11-22", "PCPLAN_NETWORK_LOG": str(NETWORK_LOG),
       "PYTHONPATH": os.pathsep.join(filter(None, [str(BLOCKED), os.environ.get("PYTHONPATH")]))}


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "pcplan", "lsp"], server_env=ENV))
async def neovim(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("neovim@v0.11.0"), initialization_options={"debounceMs": 0}))
    yield
    await lsp_client.shutdown_session()


def utf8_position(text: str, snippet: str, offset: int = 0) -> types.Position:
    index = text.index(snippet) + offset
    start = text.rfind("\n", 0, index) + 1
    return types.Position(line=text.count("\n", 0, index), character=len(text[start:index].encode("utf-8")))


async def test_positions_are_utf8_bytes_when_the_client_asks(neovim: LanguageClient, tmp_path):
    root = tmp_path / "cases"
    root.mkdir()
    for name in ("pcplan.toml", "staff.yaml"):
        shutil.copy(SAMPLE_CASES / name, root / name)
    shutil.copytree(SAMPLE_CASES / "members" / "M-000123", root / "members" / "M-000123")
    path = root / PLAN
    text = path.read_text(encoding="utf-8").replace(
        "  - {to: Elena, role: member, copy_given: true, given_on: 2026-09-10, format: large_print, language: es}",
        "  - {to: Elena Martínez 🌻, role: member, copy_given: true, given_on: 2026-09-10, format: braile, "
        "language: es}")
    uri = from_fs_path(str(path))
    neovim.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="yaml", version=1, text=text)))
    for _ in range(1000):
        if uri in neovim.diagnostics:
            break
        await __import__("asyncio").sleep(0.01)
    (schema,) = [d for d in neovim.diagnostics[uri] if d.code == "E004"]
    assert schema.range.start == utf8_position(text, "braile")
    assert schema.range.start.character == text.split("\n")[schema.range.start.line].encode("utf-8").index(
        b"braile")

    # Reading positions too: a hover on the need after accented text on its line.
    hover = await neovim.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=utf8_position(text, "braile", 2)))
    assert hover is not None and "### E004" not in hover.contents.value  # the diagnostic's rule, in brief
    assert "**E004 schema**" in hover.contents.value
    assert path.read_text(encoding="utf-8") != text  # the editor's text was checked; the file never written
    assert not NETWORK_LOG.exists() or NETWORK_LOG.read_text(encoding="utf-8") == ""
