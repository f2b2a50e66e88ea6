"""Registry of benchmarks run by ``manage.py bench <name>``; each app registers its own."""

import json
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext

_benchmarks: dict[str, Callable] = {}


def register(name: str, fn: Callable) -> None:
    """``fn(emit, scales)`` runs the benchmark and calls ``emit(**figures)`` per result line."""
    _benchmarks[name] = fn


def names() -> list[str]:
    return sorted(_benchmarks)


def get(name: str) -> Callable:
    return _benchmarks[name]


@contextmanager
def measure():
    """Time and count the queries of a block: ``with measure() as m: ...; m['seconds']``."""
    result = {}
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        yield result
        result["seconds"] = round(time.perf_counter() - start, 3)
    result["queries"] = len(ctx.captured_queries)


def best_of(n: int, fn: Callable):
    """Run ``fn`` ``n`` times; the fastest run's ``measure()`` figures and its result."""
    best, result = None, None
    for _ in range(n):
        with measure() as m:
            result = fn()
        if best is None or m["seconds"] < best["seconds"]:
            best = dict(m)
    return best, result


@contextmanager
def throwaway_county(*, code: str, name: str, scale: float, seed: int = 1, **which):
    """Seed a county (``which``: ``names=`` or ``upto_order=`` of ``seeding.run``, or nothing
    for every step) inside a transaction that is rolled back when the block ends, whatever
    happens in it. Yields ``(ctx, seeded)``; ``seeded`` holds the seeding's measure."""
    from django.db import transaction

    from . import seeding

    with transaction.atomic():
        try:
            ctx = seeding.SeedContext(
                code=code, name=name, seed=seed, scale=scale, demo_logins=False, log=lambda s: None
            )
            with measure() as seeded:
                seeding.run(ctx, **which)
            yield ctx, seeded
        finally:
            transaction.set_rollback(True)


def line(**figures) -> str:
    """One JSON object per line, with the database vendor always present."""
    figures.setdefault("database", connection.vendor)
    return json.dumps(figures, ensure_ascii=False)


def page_through(user, url: str) -> dict:
    """Follow an API list from ``url`` to its last page as ``user``.

    Returns ``{"seconds", "queries", "pages", "rows"}`` for the whole walk.
    """
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    rows = pages = 0
    with measure() as m:
        while url:
            data = client.get(url).json()
            rows += len(data["results"])
            pages += 1
            url = data["next"]
    return {**m, "pages": pages, "rows": rows}
