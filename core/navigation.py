"""Pages that apps above grids offer to department staff, registered in ``AppConfig.ready()``.

Department staff (a county assignment with a department) see no grid subtree; their home page
lists these pages instead (a department's measures, its data batches…). The registry keeps the
grids app from importing the apps that own those pages.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DepartmentPage:
    label: str  # lazily translated
    url_name: str  # a page URL without arguments
    order: int = 100


_pages: dict[str, DepartmentPage] = {}


def register_department_page(label, url_name: str, *, order: int = 100) -> None:
    _pages[url_name] = DepartmentPage(label=label, url_name=url_name, order=order)


def department_pages() -> list[DepartmentPage]:
    return sorted(_pages.values(), key=lambda p: (p.order, p.url_name))
