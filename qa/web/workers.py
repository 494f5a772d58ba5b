"""Bounded worker lanes for the HTTP API: a full lane answers 429 at once.

    lanes = Lanes()
    result = await lanes.run(cost_chars, fn, *args, **kwargs)   # Busy / TimedOut

Questions are CPU work (tokenising, embedding, fusion).  Run on an unbounded
thread pool, 45 pasted 64 KB questions made a normal question wait 110 s.  Here
work goes to one of two lanes by its size — short questions (nearly all real
ones) and long ones (pastes, long histories) — each with a fixed number of
threads and a short waiting line; anything beyond gets `Busy` (HTTP 429) at
once instead of queueing without end.  Long inputs therefore never take the
threads short questions need, and every request has a time budget (`TimedOut`,
HTTP 503) — a thread cannot be killed, but the bounded inputs keep the work it
finishes anyway bounded too.
"""
from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

log = logging.getLogger(__name__)

LONG_INPUT_CHARS = 300  # question + history characters above which a request takes the long lane
REQUEST_BUDGET_S = float(os.environ.get("QA_REQUEST_BUDGET_S") or 20.0)


class Busy(RuntimeError):
    """Every thread of the lane is busy and its waiting line is full (HTTP 429)."""


class TimedOut(RuntimeError):
    """The request did not finish within its time budget (HTTP 503)."""


@dataclass(frozen=True, slots=True)
class LaneSpec:
    name: str
    threads: int
    waiting: int  # requests that may wait for a thread; more get Busy


class Lane:
    def __init__(self, spec: LaneSpec):
        self.spec = spec
        self._pool = ThreadPoolExecutor(max_workers=spec.threads, thread_name_prefix=f"qa-{spec.name}")
        self._lock = threading.Lock()
        self.in_flight = 0  # running + waiting, including work whose caller gave up

    def _enter(self) -> None:
        with self._lock:
            if self.in_flight >= self.spec.threads + self.spec.waiting:
                raise Busy(f"the server is busy ({self.spec.name} questions: {self.in_flight} in progress); "
                           "try again in a few seconds")
            self.in_flight += 1

    def _leave(self, _future=None) -> None:
        with self._lock:
            self.in_flight -= 1

    async def run(self, fn: Callable[..., Any], *args, budget: float, **kwargs) -> Any:
        self._enter()
        try:
            future = self._pool.submit(fn, *args, **kwargs)
        except BaseException:
            self._leave()
            raise
        # the slot is freed when the work ends, not when the caller stops waiting: a timed-out
        # request still occupies its thread, and must keep counting against the lane
        future.add_done_callback(self._leave)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout=budget)
        except asyncio.TimeoutError:
            future.cancel()  # still waiting for a thread: drop it (a running one cannot be stopped)
            raise TimedOut(f"the question took longer than {budget:.0f} s; try a shorter question") from None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class Lanes:
    """A short-question lane and a long-input lane."""

    def __init__(self, *, short: LaneSpec | None = None, long: LaneSpec | None = None,
                 budget: float = REQUEST_BUDGET_S):
        self.short = Lane(short or LaneSpec("short", threads=3, waiting=24))
        self.long = Lane(long or LaneSpec("long", threads=1, waiting=2))
        self.budget = budget

    def lane_for(self, chars: int) -> Lane:
        return self.long if chars > LONG_INPUT_CHARS else self.short

    async def run(self, chars: int, fn: Callable[..., Any], *args, **kwargs) -> Any:
        """fn(*args, **kwargs) in the lane for an input of `chars` characters."""
        return await self.lane_for(chars).run(fn, *args, budget=self.budget, **kwargs)
