"""The child parser process, started by `_processes.Offloader` (see `BOOTSTRAP` there).

It reads tasks from stdin and writes results to stdout, each as a length-prefixed
pickle (see `_processes`), until stdin closes. Both pipes lead only to the harvest
process that started it. It ignores Ctrl-C: the harvest process decides when it stops,
and a second traceback from the child would only hide the first.
"""

from __future__ import annotations

import pickle
import signal
import sys
from typing import IO

from searchharvest._gc import collector_paused
from searchharvest.connectors._processes import HEADER, read_exactly


def serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """Answer tasks until `requests` ends: `(True, result)`, or `(False, why)` if one raises."""
    while header := requests.read(HEADER.size):
        (size,) = HEADER.unpack(header)
        function, args = pickle.loads(read_exactly(requests, size))
        try:
            with collector_paused():
                answer = pickle.dumps((True, function(*args)), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # the harvest process runs the task again and raises it
            answer = pickle.dumps((False, f"{type(exc).__name__}: {exc}"))
        answers.write(HEADER.pack(len(answer)) + answer)
        answers.flush()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing a task prints may corrupt the answer pipe
    serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
