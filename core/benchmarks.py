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
