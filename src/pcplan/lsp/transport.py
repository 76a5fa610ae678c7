"""How the language server reads the editor's messages: every length bounded, every mistake answered.

Messages arrive on standard input as the Language Server Protocol frames them:
header lines (``Content-Length: N``), a blank line, then N bytes of JSON. pygls'
own reader trusts all of it (a ``Content-Length`` of 99999999999 was a
MemoryError that ended the server, 5,000 digits a ValueError, a malformed header
made it read each following body as a header and answer nothing again, and a
request whose parameters did not deserialize got no answer). This reader:

* reads at most ``MAX_MESSAGE_BYTES`` (64 MiB) of body and ``MAX_HEADER_LINE``
  bytes of one header line (a longer line is skipped in pieces, memory flat);
* answers what is not a message with the JSON-RPC error the specification
  defines, with ``id`` null when the message's id cannot be known: -32700
  (parse error: a header block without a valid ``Content-Length``, a body that
  is not JSON in UTF-8), -32600 (invalid request: a message over the limit, a
  JSON value that is not a request, notification or response object), -32602
  (invalid params: a request whose parameters do not have the form the
  protocol defines; a notification like it is ignored, as notifications get no
  answer), -32601 (method not found: a request, with an id, of a method the
  protocol defines as a notification, such as ``$/cancelRequest``: not acted
  on, since pygls would take it as the notification and never answer);
* recovers after a broken frame: what follows is skipped up to the next line
  ending in ``Content-Length: N``, which starts the next message (a JSON body
  holds no such line: its strings cannot span lines), so one broken frame
  costs one answer and the next message is answered;
* reads in a thread of its own, with ``os.read`` on the pipe, so a client that
  stops writing blocks only that thread: the server still ends on ``exit``.

A body shorter than its ``Content-Length`` takes the bytes that follow (the
next message) to make up its length, as the framing says; the server then
answers -32700 once, skips the rest of what it cut into, and answers the
message after it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import queue
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a 4 MiB case file, even written all in \u escapes, fits 2.5 times over
MAX_HEADER_LINE = 8 * 1024  # bytes; the protocol's two headers take under 100
CHUNK = 64 * 1024  # bytes asked of the pipe at a time

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602

_LENGTH = re.compile(rb"[ \t]*:[ \t]*([0-9]+)[ \t]*\r?\n")  # what follows "content-length" on a header line
_TAIL = 256  # bytes kept of a skipped long line: where a header can follow a body with no line break between
_SAFE_METHOD = re.compile(r"[A-Za-z$][A-Za-z0-9_/$.-]{0,63}\Z")

log = logging.getLogger("pcplan.lsp")


@dataclass(frozen=True)
class Broken:
    """A frame that is not a message: answered with this error (``id`` null), then skipped."""

    code: int
    message: str


class FrameReader:
    """Frames from a byte source (``read(n)`` returns at most n bytes, b"" at the end), bounded."""

    def __init__(self, read: Callable[[int], bytes], max_bytes: int = MAX_MESSAGE_BYTES,
                 max_line: int = MAX_HEADER_LINE) -> None:
        self._read = read
        self._buffer = bytearray()
        self._eof = False
        self.max_bytes = max_bytes
        self.max_line = max_line
        self.skipping = False  # after a broken frame: its body is skipped up to the next Content-Length line

    def next(self) -> bytes | Broken | None:
        """The next message's body, a Broken frame, or None at the end of the input."""
        length: int | None = None
        over: str | None = None  # a declared length over the limit, as said to the client
        seen = False  # a line other than a blank one in this header block
        while True:
            line = self._line()
            if line is None:
                return None
            if not line.strip(b" \t\r\n"):
                if length is not None:
                    return self._body(length)
                if self.skipping or not seen:
                    seen = False  # blank lines between messages, or inside a skipped body
                    continue
                self.skipping = True
                if over is not None:
                    return Broken(INVALID_REQUEST, f"Invalid Request: the message's Content-Length is {over}, over "
                                                   f"the limit of {self.max_bytes:,} bytes; the message was skipped")
                return Broken(PARSE_ERROR, "Parse error: a message header without a valid Content-Length; "
                                           "the message was skipped")
            seen = True
            declared = _declared_length(line)
            if declared is not None:
                self.skipping = False
                digits = declared.lstrip(b"0") or b"0"
                if len(digits) > len(str(self.max_bytes)) or int(digits) > self.max_bytes:
                    length = None
                    over = f"{int(digits):,} bytes" if len(digits) <= 20 else f"a number of {len(digits):,} digits"
                else:
                    length, over = int(digits), None

    def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = self._read(CHUNK)
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    def _line(self) -> bytes | None:
        """The next line, its end included; a line over ``max_line`` bytes is skipped up to its end and
        stands for its last ``_TAIL`` bytes. None at the end of the input."""
        searched = 0
        while True:
            end = self._buffer.find(b"\n", searched, self.max_line)
            if end >= 0:
                line = bytes(self._buffer[:end + 1])
                del self._buffer[:end + 1]
                return line
            searched = min(len(self._buffer), self.max_line)
            if len(self._buffer) >= self.max_line:
                break
            if not self._fill():
                return None
        tail = b""
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                tail = (tail + bytes(self._buffer[max(0, end + 1 - _TAIL):end + 1]))[-_TAIL:]
                del self._buffer[:end + 1]
                return tail
            tail = (tail + bytes(self._buffer[-_TAIL:]))[-_TAIL:]
            del self._buffer[:]
            if not self._fill():
                return None

    def _body(self, length: int) -> bytes | None:
        """Exactly ``length`` bytes (at most ``max_bytes``), or None when the input ends first."""
        while len(self._buffer) < length:
            if not self._fill():
                return None
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        return body


def _declared_length(line: bytes) -> bytes | None:
    """The digits of a ``Content-Length`` header ending ``line`` (the name in any case, as HTTP's), or None.

    The last ``content-length`` on the line counts: after a broken frame, a header can follow the skipped
    body on the same line. One search from the end, so a line stays linear to read."""
    at = line.lower().rfind(b"content-length")
    if at < 0:
        return None
    match = _LENGTH.fullmatch(line, at + len(b"content-length"))
    return match.group(1) if match else None


class _Pump:
    """Reads frames in a daemon thread, one each time the event loop asks (so a flood waits in the pipe, not in
    memory). A daemon thread blocked on the pipe never keeps the process alive after ``exit``."""

    def __init__(self, read: Callable[[], Any]) -> None:
        self._read = read
        self._asks: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._run, name="pcplan-lsp-reader", daemon=True).start()

    def _run(self) -> None:
        while True:
            loop, future = self._asks.get()
            error: BaseException | None = None
            result: Any = None
            try:
                result = self._read()
            except BaseException as exc:  # noqa: BLE001 - handed to the event loop, which ends the server
                error = exc
            try:
                loop.call_soon_threadsafe(_settle, future, result, error)
            except RuntimeError:  # the event loop is closed: the server is ending
                return
            if result is None:
                return

    async def next(self) -> Any:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._asks.put((loop, future))
        return await future


def _settle(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def byte_source(stream: Any) -> Callable[[int], bytes]:
    """``read(n)`` for a stream: ``os.read`` on its file descriptor (no Python lock is held while the thread
    waits on the pipe, so the interpreter can end), else the stream's own ``read1``/``read``."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return getattr(stream, "read1", stream.read)
    return lambda n: os.read(fd, n)


async def run(server: Any, stream: Any, max_bytes: int = MAX_MESSAGE_BYTES) -> None:
    """Read messages from ``stream`` and hand each to ``server.protocol`` until the input ends or ``exit``."""
    frames = FrameReader(byte_source(stream), max_bytes)
    pump = _Pump(frames.next)
    stop = server._stop_event
    while stop is None or not stop.is_set():
        try:
            frame = await pump.next()
        except OSError as exc:  # the editor closed the pipe in a way that is not a clean end
            log.warning(f"pcplan lsp: cannot read from the editor ({type(exc).__name__}); stopping")
            return
        if frame is None:
            return
        if isinstance(frame, Broken):
            protocol_error(server.protocol, None, frame.code, frame.message)
        elif not receive(server.protocol, frame):
            frames.skipping = True  # a body cut short took the start of what follows: skipped to the next header


def receive(protocol: Any, body: bytes) -> bool:
    """One message's body: parsed, checked as JSON-RPC 2.0, deserialized and handled, or answered with the
    error the specification defines. False when the body was not JSON (a parse error)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError, MemoryError):  # not UTF-8, not JSON, nested past Python's limit
        protocol_error(protocol, None, PARSE_ERROR, "Parse error: the message is not JSON text in UTF-8")
        return False
    if not isinstance(data, dict):
        why = "a batch (a JSON array) is not part of the Language Server Protocol" if isinstance(data, list) \
            else "a message is a JSON object"
        protocol_error(protocol, None, INVALID_REQUEST, f"Invalid Request: {why}")
        return True
    msg_id = data.get("id")
    id_ok = "id" in data and isinstance(msg_id, (int, str)) and not isinstance(msg_id, bool)
    method = data.get("method")
    if "method" in data:
        if data.get("jsonrpc") != "2.0" or not isinstance(method, str) or ("id" in data and not id_ok):
            protocol_error(protocol, msg_id if id_ok else None, INVALID_REQUEST,
                           "Invalid Request: a request or notification has \"jsonrpc\": \"2.0\", a method that "
                           "is text and, for a request, an id that is a number or text")
            return True
    elif data.get("jsonrpc") != "2.0" or not id_ok or ("result" in data) == ("error" in data):
        protocol_error(protocol, None, INVALID_REQUEST, "Invalid Request: not a request, notification or "
                                                        "response of JSON-RPC 2.0")
        return True
    shown = method if isinstance(method, str) and _SAFE_METHOD.match(method) else "the method"
    try:
        message = protocol.structure_message(data)
    except Exception:  # noqa: BLE001 - pygls' JsonRpcInvalidParams, or whatever cattrs raised
        if "method" in data and "id" in data:
            protocol_error(protocol, msg_id, INVALID_PARAMS,
                           f"Invalid params: the parameters of {shown} do not have the form the protocol defines")
        else:
            what = f"a {shown} notification" if "method" in data else "a response"
            log.warning(f"pcplan lsp: ignored {what} whose content does not have the form the protocol defines")
        return True
    if "method" in data and "id" in data and not hasattr(message, "id"):
        # A request of a method the protocol defines as a notification ($/cancelRequest, initialized, didOpen
        # with an id): pygls would handle it as the notification and the client would wait for ever for an answer.
        protocol_error(protocol, msg_id, METHOD_NOT_FOUND, f"Method not found: {shown} is a notification in the "
                                                           "protocol, not a request; it was not acted on")
        return True
    try:
        protocol.handle_message(message)
    except Exception as exc:  # noqa: BLE001 - pygls answers a failing request itself; this is anything else
        log.warning(f"pcplan lsp: internal error handling a message ({type(exc).__name__})")
    return True


def protocol_error(protocol: Any, msg_id: int | str | None, code: int, message: str) -> None:
    """Answer a message with a JSON-RPC error, and say so in the server's log (no content of the message)."""
    log.warning(f"pcplan lsp: answered a message with error {code}")
    answer_error(protocol, msg_id, code, message)


def answer_error(protocol: Any, msg_id: int | str | None, code: int, message: str) -> None:
    """A JSON-RPC error response; ``id`` is null when the message's id could not be read, as the specification
    says (pygls' own response type would leave ``id`` out)."""
    protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})
