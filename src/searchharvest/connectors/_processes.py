"""Parse a big harvest on two cores: the parse thread plus child parser processes.

Above the rate-limit floor, a large PubMed or OpenAlex harvest is bound by the client's
CPU (XML and JSON parsing, `Record` validation), and one Python process parses on one
core whatever the number of threads. `Offloader` adds child processes for one harvest:
each task goes to the least busy of the parse thread and the children, so two cores
parse at once.

Why plain child processes and not `multiprocessing`: its `spawn` and `forkserver`
children import the user's `__main__` module again, so a script without an
`if __name__ == "__main__"` guard would run its harvest again in every child; `fork`
is unsafe in a process that has threads (ours has the event loop's and the parse
thread). The child here runs only `searchharvest.connectors._child` (see `BOOTSTRAP`).

The children live as long as the harvest: started when it knows it is big
(`MIN_RECORDS`), stopped when it ends. A child that cannot start or dies, or a task
that fails in it, costs nothing but speed: the task runs again on the parse thread,
which raises the real exception when there is one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, Final, TypeVar

from searchharvest._gc import collector_paused
from searchharvest.connectors._overlap import in_thread

T = TypeVar("T")

log = logging.getLogger(__name__)

MIN_RECORDS: Final = 2_000
"""A harvest expecting fewer records parses on the thread alone: starting a child costs
about 0.4 s of CPU (Python and the connectors), more than it would save."""

BOOTSTRAP: Final = (
    "import sys; root = sys.argv[1]; root in sys.path or sys.path.insert(0, root); "
    "from searchharvest.connectors._child import main; main()"
)
"""The child's program: the same searchharvest as the harvest's (from the folder that
holds it, added only when a plain interpreter would not find it, so a site-packages
install never shadows the standard library), and `-P` keeps the working directory off
`sys.path`."""

EXIT_THREAD: Final = "searchharvest-child-exit"
"""The name of the thread that stops a child after its harvest (benchmarks and tests
join it to reap the child)."""

HEADER: Final = struct.Struct(">Q")
"""Each message on the pipes: its length (8 bytes, big-endian), then a pickle."""


class ChildFailed(Exception):
    """The child could not run the task (it died, or the task raised in it)."""


class _Child:
    """One child parser process and the thread that talks to it, one task at a time."""

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-c", BOOTSTRAP, package_root],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        if self.process.stdin is None or self.process.stdout is None:
            raise OSError("the parser process has no pipes")
        self.requests: IO[bytes] = self.process.stdin
        self.answers: IO[bytes] = self.process.stdout
        self.talker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="searchharvest-child")
        self.busy = 0
        self.alive = True

    def call(self, function: Callable[..., T], args: tuple[Any, ...]) -> T:
        """Send one task, wait for its result (runs on `talker`, so off the event loop)."""
        try:
            request = pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL)
            self.requests.write(HEADER.pack(len(request)) + request)
            self.requests.flush()
            answer = _read_message(self.answers)
        except (OSError, ValueError) as exc:  # a closed or broken pipe
            raise ChildFailed(f"the parser process stopped: {exc}") from exc
        with collector_paused():  # unpickling allocates as much as parsing did
            ok, result = pickle.loads(answer)
        if not ok:
            raise ChildFailed(f"the task raised in the parser process: {result}")
        return result  # type: ignore[no-any-return]

    def close(self) -> None:
        """Stop the child: end of input lets an idle one exit; a busy one is killed."""
        self.alive = False
        with contextlib.suppress(OSError):  # the child may be gone already
            self.requests.close()
        try:
            self.process.wait(timeout=0 if self.busy else 2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.answers.close()
        self.talker.shutdown(wait=False, cancel_futures=True)


def _read_message(stream: IO[bytes]) -> bytes:
    header = read_exactly(stream, HEADER.size)
    return read_exactly(stream, HEADER.unpack(header)[0])


def read_exactly(stream: IO[bytes], size: int) -> bytes:
    """`size` bytes from a pipe (the parent's answers, the child's requests), or OSError."""
    data = stream.read(size)
    if len(data) != size:
        raise OSError(f"the pipe closed after {len(data)} of {size} bytes")
    return data


class Offloader:
    """Where one harvest parses: the parse thread, plus `processes` children once started.

    Use as an async context manager; `start()` launches the children (it returns at
    once: they import the package while the harvest waits for its first answer).
    """

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.children: list[_Child] = []
        self.thread_busy = 0
        self.offloaded = 0
        """Tasks the children completed (tests and benchmarks check the path was used)."""
        self._lock = threading.Lock()

    async def __aenter__(self) -> Offloader:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def start(self) -> None:
        """Launch the children (once); a child that cannot start is logged and skipped."""
        if self.children or self.processes <= 0 or not sys.executable:
            return
        if getattr(sys, "frozen", False):  # sys.executable is the application, not Python
            return
        for _ in range(self.processes):
            try:
                self.children.append(_Child())
            except OSError as exc:
                log.info("parsing on one core: the parser process did not start (%s)", exc)
                return

    @property
    def live_children(self) -> int:
        return sum(child.alive for child in self.children)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` on the least busy of the parse thread and the live children.

        `function` and `args` must pickle (a module-level function, plain data); the
        result comes back by pickle, so it must pickle too.
        """
        return await self._run(self._pick(thread_too=True), function, args)

    async def in_child(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` on the least busy live child (the parse thread if none):
        for a caller that keeps the parse thread busy itself meanwhile."""
        return await self._run(self._pick(thread_too=False), function, args)

    async def _run(self, child: _Child | None, function: Callable[..., T], args: Any) -> T:
        if child is None:
            return await self._on_thread(function, *args)
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(child.talker, child.call, function, args)
        except ChildFailed as exc:
            log.info("%s; parsing this part on the parse thread", exc)
            with self._lock:
                child.alive = child.alive and child.process.poll() is None
                self.thread_busy += 1
            return await self._on_thread(function, *args)
        finally:
            with self._lock:
                child.busy -= 1
        self.offloaded += 1
        return result

    def _pick(self, *, thread_too: bool) -> _Child | None:
        """The least busy live child; None (the thread) when it is busier than the thread,
        or when no child is alive. A tie goes to the child: the harvest process also runs
        the event loop and the consumer, so its parse thread is the slower worker."""
        with self._lock:
            live = [child for child in self.children if child.alive]
            best = min(live, key=lambda child: child.busy, default=None)
            if best is None or (thread_too and best.busy > self.thread_busy):
                self.thread_busy += 1
                return None
            best.busy += 1
            return best

    async def _on_thread(self, function: Callable[..., T], *args: Any) -> T:
        try:
            return await in_thread(function, *args)
        finally:
            with self._lock:
                self.thread_busy -= 1

    async def aclose(self) -> None:
        """Stop the children without waiting for them to exit: a child's interpreter
        takes a moment to tear down, and the harvest has its records already."""
        children, self.children = self.children, []
        for child in children:
            threading.Thread(target=child.close, name=EXIT_THREAD).start()
