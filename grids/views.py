"""Browser pages of the grid tree, for grid people on a phone or a desktop."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from core.navigation import department_pages
from core.offline import offline_page

from . import selectors
from .models import GridNode
from .scoping import user_scope


@login_required
@offline_page
def home(request):
    """The user's own grids; with a single grid, go straight to it.

    Department staff see no grid subtree: their home lists their department's pages.
    """
    everything = list(selectors.user_assignments(request.user))
    assignments = [a for a in everything if a.department_id is None]
    departments = [a.department for a in everything if a.department_id is not None]
    only = selectors.home_grid(request.user, everything)
    if only is not None:
        return redirect("grid-page", code=only.code)
    roots = []
    if request.user.is_superuser:
        roots = list(GridNode.objects.root_nodes().order_by("code"))
    context = {
        "assignments": assignments,
        "roots": roots,
        "departments": departments,
        "department_pages": department_pages() if departments else [],
    }
    return render(request, "grids/home.html", context)


@login_required
@offline_page
def grid_detail(request, code):
    """A grid with its ancestors, its children and the people on it."""
    node = selectors.grid_or_404(user=request.user, code=code)
    context = {
        "node": node,
        "ancestors": list(node.get_ancestors()),
        "children": list(selectors.grid_children(node)),
        "counts": selectors.grid_descendant_counts(node),
        "assignments": list(
            selectors.assignment_list(user=request.user).current().filter(grid=node)
        ),
        # A county administrator manages the county's people (accounts/people.py).
        "manages_people": node.parent_id is None
        and user_scope(request.user).administers(node.tree_id),
    }
    return render(request, "grids/grid_detail.html", context)


@login_required
def grid_search(request):
    """Find a visible grid by code or name."""
    q = (request.GET.get("q") or "").strip()
    results = []
    if q:
        from django.db.models import Q

        results = list(
            selectors.grid_list(user=request.user).filter(
                Q(code__startswith=q) | Q(name__contains=q)
            )[:50]
        )
    return render(request, "grids/search.html", {"q": q, "results": results})
