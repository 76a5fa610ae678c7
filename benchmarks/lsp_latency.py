#!/usr/bin/env python3
"""How long after a keystroke `pcplan lsp` publishes diagnostics, on the reference repository's plans.

    python benchmarks/lsp_latency.py [--edits 40] [--debounce-ms MS] [--repo DIR] [--python PYTHON]

The real server is started over stdio (`PYTHON -m pcplan lsp`, PCPLAN_TODAY=2026-11-22) and driven by
pygls's own client, as an editor would drive it. Each plan of the repository (a copy in a temporary folder:
nothing of the repository is written) is opened, then edited --edits times, one edit at a time:
every second edit seeds a defect (a goal stops citing its need: L101 or L103) and the next one fixes it.
Each edit is an incremental change of a few characters, sent after the previous diagnostics arrived and
a pause; the latency is the time from sending the change to receiving the publishDiagnostics of that
version. It includes the debounce (the server's default unless --debounce-ms), the check and the
round trip. A second series types a word one key every 80 ms (a fast typist) and measures from the
last key.

The server's own log lines ("checked PATH in N ms") give the check alone. Reported: median, p90 and
maximum per plan and overall, in milliseconds. Nothing is asserted: regressions are caught by running
this, as with benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DEFAULT_REPO = PROJECT.parent / "shared" / "examples" / "riverside"
FALLBACK_REPO = PROJECT / "sample_cases"
MEMBERS = ("M-000123", "M-000207", "M-000301")
TODAY = "2026-11-22"
_CHECKED = re.compile(r"^checked (.+) in (\d+) ms")
_NEEDS = re.compile(r"^(\s+needs: \[)([A-Z0-9, ]+)\]", re.M)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def summary(values: list[float]) -> str:
    if not values:
        return "n/a"
    return (f"median {statistics.median(values):6.1f}  p90 {percentile(values, 0.9):6.1f}  "
            f"max {max(values):6.1f}  (n={len(values)})")


def copy_repository(source: Path, target: Path) -> Path:
    root = target / "cases"
    root.mkdir()
    for name in ("pcplan.toml", "staff.yaml"):
        if (source / name).is_file():
            shutil.copy(source / name, root / name)
    for member in MEMBERS:
        shutil.copytree(source / "members" / member, root / "members" / member)
    return root


def position(text: str, index: int) -> types.Position:
    line = text.count("\n", 0, index)
    start = text.rfind("\n", 0, index) + 1
    return types.Position(line=line, character=len(text[start:index].encode("utf-16-le")) // 2)


class Bench:
    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.arrived: dict[tuple[str, int | None], float] = {}
        self.checks: list[tuple[str, float]] = []

    async def wait(self, uri: str, version: int, timeout: float = 30) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if (uri, version) in self.arrived:
                return self.arrived[(uri, version)]
            await asyncio.sleep(0.001)
        raise TimeoutError(f"no diagnostics for {uri} version {version}")

    async def change(self, uri: str, version: int, text: str, start: int, end: int, new: str) -> str:
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=position(text, start), end=position(text, end)), text=new)]))
        return text[:start] + new + text[end:]


async def run(args: argparse.Namespace) -> int:
    source = Path(args.repo) if args.repo else (DEFAULT_REPO if DEFAULT_REPO.is_dir() else FALLBACK_REPO)
    with tempfile.TemporaryDirectory() as scratch:
        root = copy_repository(source, Path(scratch))
        client = LanguageClient("lsp-latency", "1")
        bench = Bench(client)

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            bench.arrived[(params.uri, params.version)] = time.perf_counter()

        @client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            match = _CHECKED.match(params.message)
            if match:
                bench.checks.append((match.group(1), float(match.group(2))))

        env = {**os.environ, "PCPLAN_TODAY": TODAY}
        await client.start_io(args.python, "-m", "pcplan", "lsp", env=env, cwd=str(root))
        options = {} if args.debounce_ms is None else {"debounceMs": args.debounce_ms}
        started = time.perf_counter()
        result = await client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(root)),
            initialization_options=options))
        client.initialized(types.InitializedParams())
        print(f"pcplan lsp {result.server_info.version if result.server_info else '?'} on {source}; "
              f"initialize answered in {(time.perf_counter() - started) * 1000:.0f} ms")

        overall: list[float] = []
        typing: list[float] = []
        for plan in sorted(root.glob("members/*/plan-*.yaml")):
            uri = from_fs_path(str(plan))
            text = plan.read_text(encoding="utf-8")
            version = 1
            sent = time.perf_counter()
            client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
                uri=uri, language_id="yaml", version=version, text=text)))
            opened = (await bench.wait(uri, version)) - sent
            match = _NEEDS.search(text)
            if match is None:
                continue
            latencies = []
            at, needs = match.start(2), match.group(2)  # the first goal's needs (text before it never changes)
            for n in range(args.edits):
                await asyncio.sleep(args.pause_ms / 1000)
                version += 1
                if n % 2 == 0:  # seed the defect: the goal cites no need
                    start, end, new = at, at + len(needs), ""
                else:  # fix it
                    start, end, new = at, at, needs
                sent = time.perf_counter()
                text = await bench.change(uri, version, text, start, end, new)
                latencies.append(((await bench.wait(uri, version)) - sent) * 1000)
            # A burst of typing: a word, one key every 80 ms, measured from the last key.
            value = re.search(r"(what_matters: )", text)
            at = value.end() if value else len(text)
            for n, key in enumerate("really "):
                version += 1
                sent = time.perf_counter()
                text = await bench.change(uri, version, text, at + n, at + n, key)
                if n < len("really ") - 1:
                    await asyncio.sleep(0.08)
            typing.append(((await bench.wait(uri, version)) - sent) * 1000)
            client.text_document_did_close(types.DidCloseTextDocumentParams(
                text_document=types.TextDocumentIdentifier(uri=uri)))
            overall += latencies
            name = plan.relative_to(root).as_posix()
            print(f"{name:45s} open {opened * 1000:6.1f} ms; edit → diagnostics: {summary(latencies)}")
        print(f"{'all plans, edit → diagnostics (ms)':45s} {summary(overall)}")
        print(f"{'typing burst, last key → diagnostics (ms)':45s} {summary(typing)}")
        print(f"{'the check alone, server side (ms)':45s} {summary([ms for _, ms in bench.checks])}")
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=40, help="edits per plan (default 40)")
    parser.add_argument("--pause-ms", type=float, default=400, help="pause before each edit (default 400)")
    parser.add_argument("--debounce-ms", type=float, default=None, help="the server's debounce (default: its own)")
    parser.add_argument("--repo", default=None, help="a case repository with the reference members "
                        f"(default {DEFAULT_REPO}, else sample_cases)")
    parser.add_argument("--python", default=sys.executable, help="the Python that runs `-m pcplan lsp`")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
