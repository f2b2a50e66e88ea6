"""Phone-first pages for grid people: record a visit, the clue inbox, visit coverage."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.months import parse_month, this_month
from core.offline import offline_page
from core.pages import add_errors
from grids import selectors as grid_selectors
from grids.models import Role
from grids.scoping import user_scope
from households.models import Household
from households.photos import mark_deletable
from households.selectors import photos_by_subject
from monitoring.choices import RiskType
from monitoring.discovery import selectors
from monitoring.discovery.forms import ReasonForm, VisitForm
from monitoring.discovery.models.visits import CHECKS
from monitoring.discovery.services.clues import clue_confirm, clue_dismiss, clue_start_verifying
from monitoring.discovery.services.visits import visit_record


def _queued(request) -> bool:
    """A visit sent by the phone's queue (static/js/offline.js): answered in JSON."""
    return request.headers.get("X-Weixi-Queue") == "1"


def _visit_messages(household, visit) -> list[tuple[int, str]]:
    if visit.replayed:
        return [(messages.INFO, _("这次走访已经记录过，没有重复记录。"))]
    said = [(messages.SUCCESS, _("已记录对 {name} 的走访。").format(name=str(household)))]
    if visit.photos_stored:
        said.append((messages.SUCCESS, _("附照片 {n} 张。").format(n=len(visit.photos_stored))))
    for clue, created in visit.raised:
        text = (
            _("发现风险，已新建线索：{risk}，{day} 前办结。")
            if created
            else _("发现风险，已并入在办线索：{risk}，{day} 前办结。")
        )
        day = f"{clue.decide_by:%Y-%m-%d}"
        said.append((messages.WARNING, text.format(risk=clue.get_risk_type_display(), day=day)))
    return said


@login_required
@offline_page
def visit_create(request, pk):
    """Record a visit to one household: big toggles, a few taps, photos.

    The same form serves the phone's offline queue: a queued visit is posted here with
    ``X-Weixi-Queue: 1`` and its own ``client_key``, and answered in JSON — stored (201),
    already stored (200), refused with the reason to show on the phone (400, 403)."""
    household = (
        Household.objects.visible_to(request.user).select_related("grid").filter(pk=pk).first()
    )
    if household is None:
        if _queued(request):
            return JsonResponse(
                {
                    "status": "refused",
                    "message": _(
                        "该户已不在您的网格范围内（可能已迁出或调整了网格），这条走访无法记录。"
                    ),
                },
                status=403,
            )
        raise Http404
    form = VisitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        checks = {name: data.pop(name) for name in CHECKS}
        try:
            visit = visit_record(actor=request.user, household=household, checks=checks, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            if _queued(request):
                return JsonResponse({"status": "refused", "message": str(exc)}, status=403)
            form.add_error(None, str(exc))
        else:
            said = _visit_messages(household, visit)
            # Said on the next page too: the phone goes to the household page after sending.
            for level, text in said:
                messages.add_message(request, level, text)
            target = reverse("household-detail", args=[household.pk])
            if _queued(request):
                return JsonResponse(
                    {
                        "status": "replayed" if visit.replayed else "stored",
                        "visit": visit.pk,
                        "messages": [text for _level, text in said],
                        "next": target,
                    },
                    status=200 if visit.replayed else 201,
                )
            return redirect(target)
    if request.method == "POST" and _queued(request):
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse(
            {
                "status": "invalid",
                "message": "；".join(e for errs in errors.values() for e in errs),
                "errors": errors,
            },
            status=400,
        )
    context = {
        "household": household,
        "form": form,
        "photo_limit": settings.PHOTO_MAX_PER_SUBJECT,
    }
    return render(request, "monitoring/visit_form.html", context)


INBOX_PAGE = 50


@login_required
def clue_inbox(request, code):
    """Clues of a subtree, overdue first, 50 a page; filters: the village or township below
    (``grid``), risk type, overdue only, and decided ones too (``all=1``)."""
    node = grid_selectors.grid_or_404(user=request.user, code=code)
    show_all = request.GET.get("all") == "1"
    clues = selectors.clue_inbox(user=request.user, node=node, open_only=not show_all)
    below = list(grid_selectors.grid_children(node)) if node.level != "group" else []
    within = request.GET.get("grid", "")
    chosen = next((g for g in below if g.code == within), None)
    if chosen is not None:
        clues = clues.filter(**grid_selectors.in_subtree("household__grid", chosen))
    risk = request.GET.get("risk", "")
    if risk in RiskType.values:
        clues = clues.filter(risk_type=risk)
    overdue_only = request.GET.get("overdue") == "1"
    if overdue_only:
        clues = clues.filter(is_overdue=True)
    page = Paginator(clues, INBOX_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    # Only what the user may do is offered: confirming and dismissing are the leaders'.
    scope = user_scope(request.user)
    photos = photos_by_subject(user=request.user, subjects=[f"clue:{c.pk}" for c in rows])
    for clue in rows:
        clue.may_decide = scope.covers(clue.household.grid, roles=[Role.LEADER])
        clue.photo_list = mark_deletable(request.user, photos.get(f"clue:{clue.pk}", []))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "node": node,
        "clues": rows,
        "page": page,
        "total": page.paginator.count,
        "overdue": clues.filter(is_overdue=True).count()
        if not overdue_only
        else page.paginator.count,
        "show_all": show_all,
        "below": below,
        "within": chosen.code if chosen else "",
        "risks": RiskType.choices,
        "risk": risk if risk in RiskType.values else "",
        "overdue_only": overdue_only,
        "query": query.urlencode(),
        "today": timezone.localdate(),
    }
    return render(request, "monitoring/clue_inbox.html", context)


@login_required
@require_POST
def clue_step(request, pk, step):
    """One transition of a clue from the inbox: verify, confirm or dismiss."""
    clue = selectors.clue_list(user=request.user).filter(pk=pk).first()
    if clue is None:
        raise Http404
    form = ReasonForm(request.POST, request.FILES)
    valid = form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    photos = form.cleaned_data.get("photos") or []
    actions = {
        "verify": lambda: clue_start_verifying(actor=request.user, clue=clue, photos=photos),
        "confirm": lambda: clue_confirm(
            actor=request.user, clue=clue, reason=reason, photos=photos
        ),
        "dismiss": lambda: clue_dismiss(
            actor=request.user, clue=clue, reason=reason, photos=photos
        ),
    }
    if step not in actions:
        raise Http404
    try:
        if not valid:
            # A refused photo: nothing is done, the reason named.
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        actions[step]()
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("线索已更新。"))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("clue-inbox", args=[clue.household.grid.parent.code])
    return redirect(target)


@login_required
def coverage(request, code):
    """Visit coverage of a grid, village or township for a month: blind spots by group grid."""
    node = grid_selectors.grid_or_404(user=request.user, code=code)
    try:
        month = parse_month(request.GET.get("month"), default=this_month())
    except ValidationError:
        month = this_month()
    result = selectors.coverage(user=request.user, node=node, month=month)
    summary = selectors.coverage_summary(result["groups"])
    context = {
        "node": node,
        "month": result["month"],
        "quarter": result["quarter"],
        "summary": summary,
        "behind": [r for r in summary["rows"] if r["blind"]],
        "blind_spots": list(result["blind_spots"][:300]),
        "migrant": list(result["migrant_uncontacted"][:300]),
        "completion": selectors.application_completion(user=request.user, node=node),
    }
    return render(request, "monitoring/coverage.html", context)
