"""Named hooks through which apps above monitoring add rules without monitoring importing them.

The dependency direction is ``reports → assistance → comparison → monitoring → households →
grids → core``. Where monitoring needs a rule owned by a higher app (confirming a risk
elimination *by assistance* needs the plan's measures implemented), the higher app registers a
check here in its ``AppConfig.ready()``.

An elimination check is a callable ``check(case, method) -> list[str]`` returning the reasons
(in Chinese, saying what is missing) why ``case`` may not be eliminated with ``method`` now;
an empty list means no objection. Checks run when the elimination is proposed and again when the
county confirms it.
"""

from collections.abc import Callable

EliminationCheck = Callable[..., list[str]]

_elimination_checks: dict[str, EliminationCheck] = {}


def register_elimination_check(name: str, check: EliminationCheck) -> None:
    """Add (or replace, by ``name``) a check that can refuse a risk elimination."""
    _elimination_checks[name] = check


def elimination_checks() -> list[EliminationCheck]:
    return list(_elimination_checks.values())


def elimination_refusals(case, method: str) -> list[str]:
    """Every registered check's reasons against eliminating ``case`` with ``method``."""
    reasons: list[str] = []
    for check in elimination_checks():
        reasons.extend(check(case, method))
    return reasons
