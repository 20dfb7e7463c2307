"""Run pyHanko's synchronous calls whatever the calling thread is doing.

pyHanko's sync API wraps its coroutines in ``asyncio.run``, which refuses to
start inside a thread that already runs an event loop (an async view, or a
test process where Playwright's loop is running). There the call runs in a
short-lived thread of its own; elsewhere (gunicorn's sync workers, commands)
it runs here. The calls it wraps touch no database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def outside_event_loop(call: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Return ``call(*args, **kwargs)``, run in another thread if this one runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="esign") as pool:
        return pool.submit(call, *args, **kwargs).result()
