"""A process forked from the one making an export, to share its work: the parent sends it
messages, it answers those its `serve` returns something for, and a failure there is raised here
with its traceback.

The child touches no connection it inherited and ends with os._exit (multiprocessing's way), so
nothing of the parent's (a database connection, an open file) is closed or used there. Where
fork does not exist, nothing is forked (`forked` is False) and the caller does the work itself."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import traceback
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


class Forked:
    # The parent's ends of the pipes to the children under way: each child closes its copies of
    # them, or a child forked later would keep an earlier one's pipe open, which would then
    # never see the parent close it.
    _parent_ends: weakref.WeakSet[Forked] = weakref.WeakSet()

    def __init__(
        self,
        serve: Callable[[Any], Any],
        what: str,
        prepare: Callable[[], object] | None = None,
    ) -> None:
        """`serve` is called in the child with each message but None (which ends it), after
        `prepare`; `what` names its work in a failure's message."""
        self.what = what
        self.waiting = 0  # answers asked for and not yet received
        self.process: Any = None
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        Forked._parent_ends.add(self)
        self.process = context.Process(target=_serve, args=(child, serve, prepare), daemon=True)
        # The objects made so far leave the collector's reach until the last child ends: no
        # collection, here or there, then writes to the pages the two processes share, which
        # would copy them (about 60 MB less for a report of 10,000 responses).
        gc.freeze()
        self.process.start()
        child.close()

    @property
    def forked(self) -> bool:
        return self.process is not None

    def send(self, message: Any, *, answered: bool) -> None:
        """Send a message; `answered`: its answer is to be received (in the order sent)."""
        if not self.waiting and self.connection.poll():  # it speaks unasked only when it failed
            self.receive()
        try:
            self.connection.send(message)
        except BrokenPipeError:  # it ended: say why, if it could
            self.receive()
        self.waiting += answered

    def receive(self) -> Any:
        """The next answer; the child's failure as a RuntimeError."""
        try:
            outcome, value = self.connection.recv()
        except EOFError:
            self.close()
            raise RuntimeError(f"the process {self.what} ended ({self.process.exitcode})") from None
        if outcome == "failed":
            self.close()
            raise RuntimeError(f"{self.what} failed:\n{value}")
        self.waiting -= 1
        return value

    def close(self) -> None:
        """Stop the child (at the end, or when the export fails on the way)."""
        if self.process is not None:
            Forked._parent_ends.discard(self)
            self.connection.close()
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
            if not Forked._parent_ends:
                gc.unfreeze()


def _serve(
    connection: Connection, serve: Callable[[Any], Any], prepare: Callable[[], object] | None
) -> None:
    """The child: serves each message until None (or until the parent closes its end)."""
    for forked in list(Forked._parent_ends):
        forked.connection.close()
    try:
        if prepare is not None:
            prepare()
        while (message := connection.recv()) is not None:
            if (answer := serve(message)) is not None:
                connection.send(("made", answer))
    except EOFError:
        return  # the parent gave up
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        connection.send(("failed", traceback.format_exc()))
        with contextlib.suppress(EOFError):  # take what is still sent, so no send breaks
            while connection.recv() is not None:
                pass
