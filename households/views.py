"""Browser pages of the household registry, phone first: thin, selectors and services only."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.offline import offline_page
from grids import selectors as grid_selectors
from grids.models import Level

from . import idnumbers, importing, panels, photos, selectors, services
from . import jobs as household_jobs
from .api.views import template_response
from .forms import HouseholdCreateForm, ImportForm, PersonAddForm
from .models import Household, HouseholdStatus, Person

PAGE_SIZE = 30


def _grid_from_request(request):
    """The grid named by ``?grid=`` (visible to the user), else the user's first grid."""
    code = (request.GET.get("grid") or "").strip()
    if code:
        return grid_selectors.grid_or_404(user=request.user, code=code)
    first = grid_selectors.user_assignments(request.user).first()
    return first.grid if first else None


def _households_in(request, grid):
    qs = selectors.household_list(user=request.user)
    if grid is not None:
        qs = qs.filter(**grid_selectors.in_subtree("grid", grid))
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(number__startswith=q) | Q(head_name__contains=q))
    return qs, q


def _search_posted(request):
    """The search form posts (so an ID number never lands in a URL, which servers log): an
    ID number goes straight to its household in the user's scope; anything else becomes the
    usual ``?q=`` list."""
    text = (request.POST.get("q") or "").strip()
    grid_code = (request.POST.get("grid") or "").strip()
    try:
        number = idnumbers.normalize(text) if len(text) >= 15 else None
    except idnumbers.IdNumberError:
        number = None
    if number:
        person = selectors.person_find_by_id_number(user=request.user, id_number=number).first()
        if person is not None:
            return redirect("household-detail", pk=person.household_id)
        messages.error(request, _("您管辖的农户中没有该身份证号的成员。"))
        text = ""
    query = urlencode({k: v for k, v in (("grid", grid_code), ("q", text)) if v})
    return redirect(f"{reverse('household-list')}{'?' + query if query else ''}")


@login_required
@offline_page
def household_list(request):
    """The households of a grid's subtree (default: the user's own grid), with search by
    household number, head's name or (posted) ID number."""
    if request.method == "POST":
        return _search_posted(request)
    grid = _grid_from_request(request)
    qs, q = _households_in(request, grid)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "grid": grid,
        "q": q,
        "page": page,
        "households": list(page.object_list),
        "can_import": services.can_import(request.user),
        # Registering one household: on a group grid its writers keep.
        "can_add": (
            grid is not None
            and grid.level == Level.GROUP
            and services.can_write(request.user, grid)
        ),
        "soft_limit": settings.GRID_GROUP_SOFT_LIMIT,
    }
    return render(request, "households/household_list.html", context)


def _detail_context(request, pk, revealed=None):
    try:
        household = selectors.household_detail(user=request.user, pk=pk)
    except Household.DoesNotExist:
        raise Http404 from None
    members = list(household.members.all())
    return {
        "household": household,
        "members": members,
        "active_count": sum(1 for m in members if m.is_active),
        "can_reveal": services.can_reveal(request.user),
        "can_add_member": (
            household.status == HouseholdStatus.ACTIVE
            and services.can_write(request.user, household.grid)
        ),
        "revealed": revealed or {},
        # What other apps show of the household (monitoring: case, clues, visits, applications).
        "panels": panels.panels_for(request.user, household),
    }


@login_required
@offline_page
def household_detail(request, pk):
    """A household with its members (ID numbers masked)."""
    return render(request, "households/household_detail.html", _detail_context(request, pk))


@login_required
@require_POST
def person_reveal(request, pk):
    """Show one member's whole ID number (permitted roles only; audited)."""
    try:
        person = selectors.person_list(user=request.user).get(pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None
    number = services.person_reveal_id(actor=request.user, person=person, reason=_("页面查看"))
    context = _detail_context(request, person.household_id, revealed={person.pk: number})
    return render(request, "households/household_detail.html", context)


@login_required
def household_create(request):
    """Register one household with its head on the group grid ``?grid=<code>``."""
    grid = _grid_from_request(request)
    if grid is None or grid.level != Level.GROUP:
        raise Http404
    if not services.can_write(request.user, grid):
        raise PermissionDenied(
            _("您不能在网格 {name} 登记农户：需要本网格或上级网格的网格长。").format(name=grid.name)
        )
    active = Household.objects.filter(grid=grid, status=HouseholdStatus.ACTIVE).count()
    form = HouseholdCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household = services.household_create(
                actor=request.user,
                grid=grid,
                number=data["number"],
                head={**form.person_data(), "id_number": data["id_number"]},
                **form.household_data(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已在 {grid} 登记农户 {number}（户主 {name}）。").format(
                    grid=grid.name, number=household.number, name=household.head_name
                ),
            )
            return redirect("household-detail", pk=household.pk)
    context = {
        "grid": grid,
        "form": form,
        "active": active,
        "limit": settings.GRID_GROUP_HARD_LIMIT,
        "full": active >= settings.GRID_GROUP_HARD_LIMIT,
    }
    return render(request, "households/household_form.html", context)


@login_required
def person_add(request, pk):
    """Add a member to a household (birth, marriage, moving in, first registration)."""
    try:
        household = (
            selectors.household_list(user=request.user, with_member_count=False)
            .select_related("grid__parent")
            .get(pk=pk)
        )
    except Household.DoesNotExist:
        raise Http404 from None
    if not services.can_write(request.user, household.grid):
        raise PermissionDenied(
            _("您不能修改网格 {name} 的农户信息：需要本网格或上级网格的网格长。").format(
                name=household.grid.name
            )
        )
    form = PersonAddForm(request.POST or None)
    if request.method == "POST" and household.status == HouseholdStatus.ACTIVE and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_add(
                actor=request.user,
                household=household,
                id_number=data["id_number"],
                reason=data["reason"],
                joined_on=data["joined_on"],
                **form.person_data(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("已将 {name} 添加为户 {number} 的成员。").format(
                    name=person.name, number=household.number
                ),
            )
            return redirect("household-detail", pk=household.pk)
    return render(request, "households/person_form.html", {"household": household, "form": form})


@login_required
def household_import(request):
    """Upload page for county and township leaders: the check (dry run) or the import runs
    as a job; its page shows the progress and then the report."""
    services.require_importer(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job, _created = household_jobs.start_import(
            actor=request.user, upload=upload, dry_run=form.cleaned_data["dry_run"]
        )
        return redirect("job-detail", pk=job.pk)
    return render(
        request,
        "households/import.html",
        {"form": form, "report": None, "errors": [], "headers": importing.COLUMNS},
    )


@login_required
def import_template(request):
    """Download the import template."""
    return template_response()


@login_required
def household_export(request):
    """The households of a grid's subtree with their members, as xlsx (masked), by a job."""
    grid = _grid_from_request(request)
    filters = {"grid": grid.code if grid else "", "search": request.GET.get("q", "")}
    job, _created = household_jobs.start_export(actor=request.user, filters=filters)
    return redirect("job-detail", pk=job.pk)


@login_required
def photo_file(request, pk, size):
    """A photo (``full``) or its thumbnail (``thumb``), only to a user who may see it."""
    photo = selectors.photo_list(user=request.user).filter(pk=pk).first()
    if photo is None or size not in ("full", "thumb"):
        raise Http404
    field = photo.image if size == "full" else photo.thumbnail
    try:
        handle = field.storage.open(field.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    # Private: a shared cache never keeps it; the phone may (its owner may see it).
    response["Cache-Control"] = "private, max-age=604800, immutable"
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.jpg"'
    return response


@login_required
@require_POST
def photo_remove(request, pk):
    """Delete a photo (its uploader or a leader over the household); audited."""
    photo = selectors.photo_list(user=request.user).filter(pk=pk).first()
    if photo is None:
        raise Http404
    try:
        photos.photo_delete(actor=request.user, photo=photo, reason=request.POST.get("reason", ""))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("照片已删除（记入审计）。"))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("household-detail", args=[photo.household_id])
    return redirect(target)


@login_required
def offline_pages(request):
    """The pages a phone keeps for offline work (static/js/offline.js asks while online):
    the user's grids, their household lists, and the households with their visit forms."""
    everything = list(grid_selectors.user_assignments(request.user))
    grids = [a.grid for a in everything if a.department_id is None]
    urls, redirects = [reverse("offline-queue")], {}
    only = grid_selectors.home_grid(request.user, everything)
    if only is not None:
        # The home page sends a user with one post straight to it: kept as that redirect.
        redirects[reverse("home")] = reverse("grid-page", args=[only.code])
    else:
        urls.insert(0, reverse("home"))
    for grid in grids:
        urls.append(reverse("grid-page", args=[grid.code]))
        urls.append(f"{reverse('household-list')}?{urlencode({'grid': grid.code})}")
    for pk in selectors.offline_households(user=request.user, grids=grids):
        urls.append(reverse("household-detail", args=[pk]))
        urls.append(reverse("visit-create", args=[pk]))
    response = JsonResponse({"urls": urls, "redirects": redirects})
    response["Cache-Control"] = "no-store"
    return response
