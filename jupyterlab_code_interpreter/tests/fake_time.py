"""A clock that moves only when a test moves it, and a `sleep` that waits on it: the gateway's
pacing and breakers run on it with no real waiting and no wall-clock bounds."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable

# Deadlines this close to the new time count as come: the same seconds summed in another
# order differ in the last bit.
_EPSILON = 1e-9


class FakeClock:
    """`clock()` reads the time; `advance` moves it and wakes the sleepers whose time came.

    With `auto=True` each `sleep` moves the clock by its own length at once (for tests that
    send one request at a time); otherwise sleepers wait until the test advances past them,
    in the order of their deadlines. `slept` lists every sleep asked for, in seconds."""

    def __init__(self, now: float = 1000.0, auto: bool = False):
        self.now = now
        self.auto = auto
        self.slept: list[float] = []
        self._sleepers: list[tuple[float, int, asyncio.Future]] = []
        self._order = itertools.count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if self.auto or seconds <= 0:
            self.now += max(0.0, seconds)
            await asyncio.sleep(0)
            return
        sleeper = (
            self.now + seconds,
            next(self._order),
            asyncio.get_running_loop().create_future(),
        )
        self._sleepers.append(sleeper)
        try:
            await sleeper[2]
        finally:
            self._sleepers.remove(sleeper)

    def advance(self, seconds: float) -> None:
        """Move the clock on by `seconds`, to the deadline of a sleeper it reaches if that is
        later by a rounding error, and wake those sleepers, the earliest first."""
        target = self.now + seconds
        due = sorted(s for s in self._sleepers if s[0] <= target + _EPSILON and not s[2].done())
        self.now = max([target] + [deadline for deadline, _, _ in due])
        for _, _, woken in due:
            woken.set_result(None)

    @property
    def sleeping(self) -> int:
        """How many sleepers are waiting."""
        return sum(1 for _, _, future in self._sleepers if not future.done())

    async def parked(self, count: int) -> None:
        """Let the event loop run until at least `count` sleepers wait."""
        await self.until(lambda: self.sleeping >= count)

    async def until(self, condition: Callable[[], bool], turns: int = 1000) -> None:
        """Let the event loop run until `condition()` holds, for a bounded number of its turns
        (not a time)."""
        for _ in range(turns):
            if condition():
                return
            await asyncio.sleep(0)
        raise AssertionError(f"not so after {turns} turns ({self.sleeping} sleepers)")
