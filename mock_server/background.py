"""How background work (the floor, the webhook worker) reports a round that failed, and goes on."""

from __future__ import annotations

import logging

from mock_server.store import Store

log = logging.getLogger("clarus_mock")


class Failures:
    """The log of one background loop's failed rounds. The loop tries the round again at its next
    tick (10 times a second), so a store that cannot write (a full disk) is logged once, as one
    line naming it and what to do, until a round succeeds; anything else is a bug and is logged
    with its trace every time.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._full_logged = False

    def failed(self, what: str, exc: BaseException) -> None:
        """``what`` (e.g. ``"floor of demo: a job"``) raised ``exc``."""
        full = self.store.storage_error(exc)
        if full is None:
            log.error("%s failed", what, exc_info=exc)
        elif not self._full_logged:
            log.error("%s failed: %s; trying again until there is room", what, full)
            self._full_logged = True

    def succeeded(self) -> None:
        """A round went through: the next full disk is news again."""
        self._full_logged = False
