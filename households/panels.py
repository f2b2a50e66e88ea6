"""Sections other apps add to a household's page (monitoring: its case, clues, visits,
applications), registered at app start so that ``households`` imports nothing above it."""

from collections.abc import Callable

_PANELS: list[tuple[int, Callable]] = []


def register(panel: Callable, *, order: int = 50) -> None:
    """``panel(user, household) -> (template_name, context) | None``."""
    if all(p is not panel for _o, p in _PANELS):
        _PANELS.append((order, panel))
        _PANELS.sort(key=lambda pair: pair[0])


def panels_for(user, household) -> list[tuple[str, dict]]:
    shown = []
    for _order, panel in _PANELS:
        part = panel(user, household)
        if part is not None:
            shown.append(part)
    return shown
