"""Bounds on what making a page may cost: an agency template is code that pcplan runs.

Jinja's sandbox keeps a template away from Python's internals, but not from
Python's arithmetic: ``9 ** 99999999``, ``"x" * 3000000000`` or two nested loops
over ``range(100000)`` are all allowed by it, and each would hold a render (and
a CI job) for hours or take the machine's memory. pcplan bounds a render in two
layers (docs/security.md, "Templates and rendering"):

1. **Inside the sandbox** (:class:`BoundedSandbox`, every platform): an operator
   or call that would make a number of more than ``MAX_INT_BITS`` bits, a text
   of more than ``MAX_CHARS`` characters or a list of more than ``MAX_ITEMS``
   items is refused before it is computed (``**``, ``*``, ``+``, ``%``, ``~``,
   the string methods and filters that make text from a width or a count);
   every loop of every template counts towards ``MAX_LOOP_ITEMS`` iterations a
   render; what the template writes counts towards ``MAX_CHARS``; and the
   render stops after ``RENDER_SECONDS``. Each is a :class:`TooMuch` naming
   the bound, which the render reports as one line naming the template file
   and line.
2. **Around the whole render** (:func:`isolated`, where the system has
   ``fork`` and resource limits: Linux and macOS): the template and the PDF
   are made in a child process limited to ``RENDER_SECONDS`` of CPU time and
   (on Linux) ``MEMORY_BYTES`` more memory than pcplan already used, and
   killed after twice that time on the clock. Whatever the sandbox cannot
   see (a path through a filter pcplan does not know, WeasyPrint laying out
   a page) cannot outlast these either.

Messages name the bound and the sizes, never a value from the template or the record.
"""

from __future__ import annotations

import math
import os
import pickle
import re
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment

# A printed plan is a few dozen kilobytes and a caseload report a few megabytes; no page needs more text,
# a longer list or a bigger number than these.
MAX_CHARS = 16 * 1024 * 1024  # characters a template may write, and the longest text it may make
MAX_ITEMS = 1_000_000  # the longest list or tuple a template may make, and the largest width or count it may ask for
MAX_INT_BITS = 1 << 16  # the largest integer a template may compute (about 19,700 digits)
MAX_LOOP_ITEMS = 10_000_000  # loop iterations of one render, every loop of every template counted
RENDER_SECONDS = 60  # CPU seconds one render may take (the template and, for a PDF, WeasyPrint's layout)
MEMORY_BYTES = 1024 ** 3  # memory a render may take beyond what pcplan already holds (Linux)
MAX_RESULT_BYTES = 512 * 1024 * 1024  # what a child render may hand back (a PDF of a plan is a few megabytes)
_TICK = 4096  # loop iterations between two looks at the clock

T = TypeVar("T")


class TooMuch(Exception):
    """A template went past one of pcplan's bounds; the message names the bound, never a value. ``template``:
    the file rendered, for a bound met outside its code (what it wrote, counted as it is written)."""

    def __init__(self, message: str, template: str | None = None) -> None:
        super().__init__(message)
        self.template = template


class _Budget:
    """One render's clock and loop count."""

    def __init__(self) -> None:
        self.deadline = time.monotonic() + RENDER_SECONDS
        self.loops = MAX_LOOP_ITEMS

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TooMuch(f"making the page took longer than {RENDER_SECONDS} seconds, far longer than any "
                          "plan or report needs; look for loops inside loops")


def _limit(kind: Any) -> int:
    return MAX_CHARS if isinstance(kind, str) else MAX_ITEMS


def _sized(value: Any) -> bool:
    return isinstance(value, (str, list, tuple))


def _too_long(value: Any, length: int, how: str) -> None:
    limit = _limit(value)
    if length > limit:
        what = "a text" if isinstance(value, str) else "a list"
        unit = "characters" if isinstance(value, str) else "items"
        raise TooMuch(f"{how} would make {what} of {length:,} {unit}, over the {limit:,} a page may hold")


def _check_int(value: Any, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ITEMS:
        raise TooMuch(f"{what} asks for {value:,}, over the {MAX_ITEMS:,} a page may use")


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be past a bound, before it is computed."""
    ints = isinstance(left, int) and isinstance(right, int)
    if operator == "**":
        if ints and right > 0 and abs(left) > 1:
            bits = math.floor(math.log2(abs(left)) * right) + 1  # of the result (`2 ** 65535` has 65,536)
            if bits > MAX_INT_BITS:
                raise TooMuch(f"`**` would make a number of about {bits:,} bits ({_digits(bits)} digits), over the "
                              f"{MAX_INT_BITS:,} bits a page may compute")
    elif operator == "*":
        if ints:
            bits = left.bit_length() + right.bit_length()
            if bits > MAX_INT_BITS:
                raise TooMuch(f"`*` would make a number of about {bits:,} bits ({_digits(bits)} digits), over the "
                              f"{MAX_INT_BITS:,} bits a page may compute")
        elif _sized(left) and isinstance(right, int):
            _too_long(left, len(left) * right, "`*`")
        elif _sized(right) and isinstance(left, int):
            _too_long(right, len(right) * left, "`*`")
    elif operator == "+" and _sized(left) and _sized(right):
        _too_long(left, len(left) + len(right), "`+`")
    elif operator == "%" and isinstance(left, str):
        _check_printf(left, right)


def _digits(bits: int) -> str:
    return f"{math.ceil(bits * math.log10(2)):,}"


# A printf-style conversion: flags, width and precision (either may be `*`, taken from the arguments).
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d*))?")
# A str.format replacement field's format spec: its numbers (a width, a precision).
_FORMAT_NUMBER = re.compile(r"\d+")


def _check_printf(text: str, args: Any) -> None:
    values = args if isinstance(args, tuple) else (args,)
    for match in _PRINTF.finditer(text):
        for number in match.groups():
            if number == "*":
                for value in values:
                    _check_int(value, "a `%` format's `*` width")
            elif number and len(number) > 7 and int(number) > MAX_ITEMS:
                raise TooMuch(f"a `%` format asks for a width of {int(number):,}, over the {MAX_ITEMS:,} a page "
                              "may use")


def _check_format_spec(text: str, args: tuple, kwargs: dict) -> None:
    """str.format: a width or precision written in a field (``{:>99999999}``), or taken from an argument."""
    for field in re.findall(r"\{[^{}]*:([^{}]*)", text):
        for number in _FORMAT_NUMBER.findall(field):
            if len(number) > 7 and int(number) > MAX_ITEMS:
                raise TooMuch(f"a format field asks for a width of {int(number):,}, over the {MAX_ITEMS:,} a page "
                              "may use")
    if re.search(r"\{[^{}]*:[^{}]*\{", text):  # a nested field: its width comes from an argument
        for value in (*args, *kwargs.values()):
            _check_int(value, "a format field's width")


def _check_replace(text: Any, old: Any, new: Any, count: Any = -1, how: str = "`replace`") -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)) or len(new) <= len(old):
        return
    times = len(text) + 1 if old == "" else len(text) // len(old)
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    _too_long(text, len(text) + times * (len(new) - len(old)), how)


def _check_join(separator: Any, items: Any, how: str = "`join`") -> None:
    if isinstance(separator, str) and isinstance(items, (list, tuple)):
        length = len(separator) * max(len(items) - 1, 0) + sum(len(i) for i in items if isinstance(i, str))
        _too_long(separator, length, how)


def _check_method(method: Any, args: tuple, kwargs: dict) -> None:
    """The string methods that make a long text from a small one and a number (or another text)."""
    owner = getattr(getattr(method, "__wrapped__", method), "__self__", None)
    if not isinstance(owner, str):
        return
    name = getattr(method, "__name__", "")
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _check_int(args[0], f"`{name}`")
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int):
            _too_long(owner, len(owner) + owner.count("\t") * size, "`expandtabs`")
    elif name == "replace" and len(args) >= 2:
        _check_replace(owner, args[0], args[1], args[2] if len(args) > 2 else kwargs.get("count", -1))
    elif name == "join" and args:
        _check_join(owner, args[0])
    elif name in ("format", "format_map"):
        _check_format_spec(owner, args, kwargs)


def _checked_result(value: Any, how: str) -> Any:
    if _sized(value):
        _too_long(value, len(value), how)
    return value


# Filters that make a long text or list from a width or a count, and what to check first.
def _filter_checks(name: str, args: tuple, kwargs: dict) -> None:
    value, rest = (args[0] if args else None), args[1:]
    if name in ("center", "batch", "slice") and rest:
        _check_int(rest[0], f"`|{name}`")
    elif name == "indent":
        width = rest[0] if rest else kwargs.get("width", 4)
        if isinstance(width, str) and isinstance(value, str):
            _too_long(value, len(value) + len(width) * (value.count("\n") + 1), "`|indent`")
        else:
            _check_int(width, "`|indent`")
    elif name == "replace" and len(rest) >= 2:
        _check_replace(value, rest[0], rest[1], rest[2] if len(rest) > 2 else kwargs.get("count", -1), "`|replace`")
    elif name == "format" and isinstance(value, str):
        _check_printf(value, tuple(rest) or tuple(kwargs.values()))
    elif name == "join":
        _check_join(rest[0] if rest else kwargs.get("d", ""), value, "`|join`")


def _bounded_filter(name: str, function: Callable) -> Callable:
    @wraps(function)  # keeps jinja_pass_arg (pass_context and friends)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        # A pass_context / pass_eval_context / pass_environment filter gets that first: the value comes after.
        skip = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0
        _filter_checks(name, args[skip:], kwargs)
        return _checked_result(function(*args, **kwargs), f"`|{name}`")

    return bounded


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator with two hooks the sandbox has not: every loop's iterable goes through
    ``environment.bounded_iter`` (counted against MAX_LOOP_ITEMS and the clock), and every ``~`` through
    ``environment.bounded_parts`` (refused before joining past MAX_CHARS)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loop_iterables: set[int] = set()  # the nodes a {% for %} loops over (Jinja allows no new node type)

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        self._loop_iterables.add(id(node.iter))
        super().visit_For(node, frame)

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        if id(node) not in self._loop_iterables:
            return super().visit(node, *args, **kwargs)
        self.write("environment.bounded_iter(")
        super().visit(node, *args, **kwargs)
        self.write(")")
        return None

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"{func_name}(environment.bounded_parts((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")))")


def _range(*args: int) -> range:
    """Jinja's sandboxed range (at most MAX_RANGE numbers), refused with pcplan's message past it."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TooMuch(f"`range` of {len(numbers):,} numbers, over the {MAX_RANGE:,} a template may loop over")
    return numbers


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with pcplan's bounds on size, loops and time (the module's docstring)."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = _Budget()
        self.globals["range"] = _range
        # Jinja's own filters, each checked (the ones pcplan adds are its own code, on the view's values).
        self.filters = {name: _bounded_filter(name, function) for name, function in self.filters.items()}

    def start(self) -> None:
        """A new render: the clock and the loop count start again."""
        self.budget = _Budget()

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.budget.tick()
        check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's names)
        __self.budget.tick()
        _check_method(__obj, args, kwargs)
        return _checked_result(super().call(__context, __obj, *args, **kwargs), "a call")

    def bounded_iter(self, iterable: Any) -> Iterator[Any]:
        budget = self.budget
        count = 0
        for item in iterable:
            count += 1
            if count % _TICK == 0:
                budget.loops -= _TICK
                if budget.loops < 0:
                    raise TooMuch(f"the template's loops ran more than {MAX_LOOP_ITEMS:,} times in one render, "
                                  "far more than any plan or report needs; look for loops inside loops")
                budget.tick()
            yield item
        budget.loops -= count % _TICK

    def bounded_parts(self, parts: tuple) -> tuple:
        if sum(len(part) for part in parts if isinstance(part, str)) > MAX_CHARS:
            raise TooMuch(f"`~` would make a text of more than {MAX_CHARS:,} characters, over the {MAX_CHARS:,} a "
                          "page may hold")
        return parts


def render_bounded(template: Any, context: dict, max_chars: int = MAX_CHARS) -> str:
    """``template.render(**context)``, written piece by piece so that what it writes is bounded as it goes."""
    env = template.environment
    if isinstance(env, BoundedSandbox):
        env.start()
    parts: list[str] = []
    size = 0
    for part in template.generate(**context):
        size += len(part)
        if size > max_chars:
            raise TooMuch(f"the template wrote more than {max_chars:,} characters, far more than any plan or "
                          "report needs", template.filename)
        if isinstance(env, BoundedSandbox):
            env.budget.tick()
        parts.append(part)
    return "".join(parts)


# ---------------------------------------------------------------------------------------------------------------
# The whole render in a child process, with the system's limits on CPU time and memory.


class Stopped(Exception):
    """The child making the page went past its CPU time or memory, or was killed; the message says which."""


def can_isolate() -> bool:
    """Whether renders run in a child process here: POSIX with fork and resource limits (not Windows)."""
    if not hasattr(os, "fork"):
        return False
    try:
        import resource  # noqa: F401
    except ImportError:  # pragma: no cover (Windows)
        return False
    return True


def isolated(work: Callable[[], T]) -> T:
    """``work()``, run in a forked child limited to RENDER_SECONDS of CPU time and MEMORY_BYTES more memory;
    its result (or the exception it raised) is handed back. Stopped when the child went past a limit.

    Where the system cannot (Windows), ``work()`` runs here, bounded by the sandbox alone.
    """
    if not can_isolate():
        return work()
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pcplan's code, whatever happens
        status = 1
        try:
            os.close(read_end)
            _limit_child()
            try:
                outcome = _outcome(work)
            except TooMuch as exc:  # the CPU signal landed while _outcome was handling another exception
                outcome = ("stopped", str(exc))
            # The work is done: its answer (a page, or why it was stopped) is sent whole. A soft-limit signal
            # arriving now would cut the answer short and leave the parent only "ended unexpectedly"; the hard
            # limit and the parent's clock still hold.
            signal.signal(signal.SIGXCPU, signal.SIG_IGN)
            _send(write_end, outcome)
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    data, timed_out = None, False
    try:
        data, timed_out = _receive(read_end, RENDER_SECONDS * 2 + 10)
    finally:  # also on Ctrl-C: the child never outlives the render
        os.close(read_end)
        status, cpu_seconds = _reap(pid, kill=data is None)
    if timed_out:
        raise Stopped(f"making the page took longer than {RENDER_SECONDS * 2 + 10} seconds and was stopped")
    if data is None or os.WIFSIGNALED(status):
        raise Stopped(_why_stopped(status, cpu_seconds))
    try:
        outcome = pickle.loads(data)
    except Exception:  # noqa: BLE001 - cut short (the memory ran out while writing it)
        raise Stopped(_why_stopped(status, cpu_seconds)) from None
    return _unpack(outcome)


def out_of_memory() -> str:
    return (f"making the page needed more than {MEMORY_BYTES // 1024 ** 2:,} MB of memory, far more than any plan "
            "or report needs")


def _limit_child() -> None:
    """The child's limits; one the system refuses is left out (the sandbox's bounds and the parent's clock
    still hold)."""
    import resource

    def limit(kind: int, soft: int, hard: int) -> None:
        try:
            resource.setrlimit(kind, (soft, hard))
        except (ValueError, OSError):
            pass

    limit(resource.RLIMIT_CORE, 0, 0)  # a limit that kills leaves no core file behind
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = RENDER_SECONDS if hard == resource.RLIM_INFINITY else min(RENDER_SECONDS, hard)
    # The hard limit kills what the soft limit's signal could not end (a long call inside a C library).
    limit(resource.RLIMIT_CPU, soft, soft + 5 if hard == resource.RLIM_INFINITY else hard)
    # SIGXCPU at the soft limit: ended here with a message rather than a signal (a C call that does not return
    # to Python in time is killed by the hard limit, or at the clock's limit by the parent).
    signal.signal(signal.SIGXCPU, _out_of_time)
    used = _address_space()
    if used is not None:  # Linux; macOS does not enforce RLIMIT_AS
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = used + MEMORY_BYTES
        if hard == resource.RLIM_INFINITY or wanted <= hard:
            limit(resource.RLIMIT_AS, wanted, hard)


def _out_of_time(signum: int, frame: Any) -> None:  # noqa: ARG001
    # Once: the system repeats SIGXCPU every second past the soft limit, and a second one landing while this
    # exception unwinds (or while the answer is sent) would end the child with no answer at all. The hard
    # limit still kills what does not end.
    signal.signal(signal.SIGXCPU, signal.SIG_IGN)
    raise TooMuch(f"making the page took more than {RENDER_SECONDS} seconds of CPU time, far longer than any plan "
                  "or report needs; look for loops inside loops")


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as stream:
            return int(stream.read(200).split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _outcome(work: Callable[[], Any]) -> tuple:
    try:
        return ("ok", work())
    except MemoryError:
        return ("memory",)
    except TooMuch as exc:  # the CPU time ran out (SIGXCPU) outside a template: while WeasyPrint laid out the page
        return ("stopped", str(exc))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it there
        return ("raised", type(exc), exc.args, dict(getattr(exc, "__dict__", {})),
                "".join(traceback.format_exception(exc)))


def _send(fd: int, outcome: tuple) -> None:
    try:
        data = pickle.dumps(outcome)
    except MemoryError:
        data = pickle.dumps(("memory",))
    except Exception as exc:  # noqa: BLE001 - an exception that cannot be pickled: its type and traceback
        data = pickle.dumps(("raised", RuntimeError, (f"rendering failed ({type(exc).__name__})",), {},
                             outcome[-1] if outcome[0] == "raised" else ""))
    view = memoryview(data)
    while view:
        written = os.write(fd, view[:1 << 20])
        view = view[written:]
    os.close(fd)


def _receive(fd: int, seconds: float) -> tuple[bytes | None, bool]:
    """Everything the child writes, until it closes the pipe; (None, False) past MAX_RESULT_BYTES, and
    (None, True) when ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    size = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, True
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), False
        size += len(chunk)
        if size > MAX_RESULT_BYTES:
            return None, False
        chunks.append(chunk)


def _reap(pid: int, kill: bool) -> tuple[int, float]:
    """The child's exit status and the CPU seconds it used, once it has ended; killed first when ``kill`` (it
    overran, or the parent was interrupted) or when it has not ended a few seconds after handing its result
    back."""
    deadline = time.monotonic() + (0 if kill else 5)
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage.ru_utime + usage.ru_stime
        if time.monotonic() >= deadline:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, status, usage = os.wait4(pid, 0)
            return status, usage.ru_utime + usage.ru_stime
        time.sleep(0.005)


def _why_stopped(status: int, cpu_seconds: float) -> str:
    """Why a child that handed back no answer ended: its CPU time is the witness (a signal landing while the
    answer was being written ends it with no word of its own, on a busy machine most of all)."""
    signalled = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    # The system counts CPU time in ticks: a child stopped at the limit can show a hair under it.
    if signalled == signal.SIGXCPU or cpu_seconds >= RENDER_SECONDS * 0.9:
        return (f"making the page took more than {RENDER_SECONDS} seconds of CPU time, far longer than any plan "
                "or report needs; look for loops inside loops")
    if signalled == signal.SIGKILL:
        return (f"making the page went past pcplan's bounds ({RENDER_SECONDS} seconds of CPU time, "
                f"{MEMORY_BYTES // 1024 ** 2:,} MB of memory) and was stopped")
    return "making the page stopped before it was done (the process ended unexpectedly)"


def _unpack(outcome: tuple) -> Any:
    if outcome[0] == "ok":
        return outcome[1]
    if outcome[0] == "memory":
        raise Stopped(out_of_memory())
    if outcome[0] == "stopped":
        raise Stopped(outcome[1])
    _, kind, args, state, trace = outcome
    exc = kind.__new__(kind)
    exc.args = args
    try:
        exc.__dict__.update(state)
    except AttributeError:  # pragma: no cover (an exception without a __dict__)
        pass
    if not kind.__module__.startswith("pcplan."):
        exc.add_note(f"(raised while making the page, in a child process)\n{trace}")
    raise exc


def template_file(dirs: list[Path], name: str) -> Path | None:
    """The file a template name reads: the first folder holding it (the agency's come first)."""
    for folder in dirs:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None
