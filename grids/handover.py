"""What open work a grid holds, for handing it over when its person leaves.

Work belongs to grids, not to people (a clue to its household's grid, a review to its village):
a successor who takes the post takes the work, and the reminders that go to a grid's holders
reach them. The apps above register what they count as open work of a grid, so that ending a
post shows and records what passes to the successor — or what waits on an unattended grid.
"""

from collections.abc import Callable

_COUNTERS: list[Callable] = []


def register(counter: Callable) -> Callable:
    """``counter(grid) -> list[(label, count)]``; registered once, at app start."""
    if counter not in _COUNTERS:
        _COUNTERS.append(counter)
    return counter


def open_work(grid) -> list[tuple[str, int]]:
    return [(str(label), count) for counter in _COUNTERS for label, count in counter(grid) if count]
