"""The demo county is built by steps that each app registers (lowest app first).

``core`` owns the ``seed_county`` command and this registry; ``grids`` registers the tree and its
people, later apps register households, visits, cases… in their ``AppConfig.ready()``. So the
command grows with the system without importing upward.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class SeedContext:
    """What the steps share: the options and whatever earlier steps produced."""

    code: str
    name: str
    seed: int
    scale: float
    demo_logins: bool
    log: Callable[[str], None]
    state: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SeedStep:
    order: int
    name: str
    seed: Callable[[SeedContext], None]
    #: ``purge(tree_id)`` deletes this app's rows of a county before it is seeded again.
    purge: Callable[[int], None] | None = None


_steps: dict[str, SeedStep] = {}


def register(step: SeedStep) -> None:
    """Add (or replace, by name) a step of the demo county."""
    _steps[step.name] = step


def steps() -> list[SeedStep]:
    """The registered steps in the order they run."""
    return sorted(_steps.values(), key=lambda s: s.order)


def analyze() -> None:
    """Refresh the planner's statistics (PostgreSQL) after a bulk load.

    Without it, the next step's joins over rows inserted in this very transaction are planned
    as if the tables were empty, and a nested loop over 150,000 persons takes minutes.
    ANALYZE may run inside a transaction and counts the transaction's own new rows.

    Only the project's own tables are analysed: a bare ``ANALYZE`` also touches the shared
    system catalogues, and inside a long seeding transaction (the benchmarks roll theirs back)
    that holds locks which make ANALYZE in every other database of the server wait.
    """
    from django.apps import apps
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy
        }
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def run(ctx: SeedContext, *, names=None, upto_order=None, timer=None) -> None:
    """Run the registered steps (all, those ``names``, or those up to ``upto_order``) in order.

    ``timer(step, seconds)`` is called after each step. Statistics are refreshed after each.
    """
    import time

    for step in steps():
        if names is not None and step.name not in names:
            continue
        if upto_order is not None and step.order > upto_order:
            continue
        started = time.perf_counter()
        step.seed(ctx)
        analyze()
        if timer:
            timer(step, time.perf_counter() - started)
