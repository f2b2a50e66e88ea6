"""Phone-first pages of the monthly village review and the cases (thin: parse, call, render).

- a village's reviews and "open this month's review";
- the review page: the meeting record, one decision per household, submit — or, once handed
  on, why it is locked and who holds it now; the township approves or returns in place, the
  county confirms;
- the township's approval queue and the county's confirmation queue (batch confirmation);
- a village's cases and a case's history (rollback for the county);
- the printable public notice (公示) and the overdue lists.
"""

from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import Conflict
from core.pages import flash_errors
from grids.models import Level
from grids.selectors import grid_or_404, in_subtree
from monitoring.cases.models import CaseCategory, EliminationMethod
from monitoring.choices import RiskType, risk_type_labels
from monitoring.reviews import selectors as sel
from monitoring.reviews import services as review_services
from monitoring.reviews.forms import ItemForm, MeetingForm, ReturnForm
from monitoring.reviews.models import Decision, ReviewState
from monitoring.reviews.permissions import review_permissions
from monitoring.reviews.services.compose import (
    review_create,
    review_item_set,
    review_refresh,
    review_update,
)
from monitoring.reviews.services.confirmation import review_confirm, review_confirm_batch
from monitoring.reviews.services.transitions import review_approve, review_return, review_submit


def _back(request, default):
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = default
    return redirect(target)


def _review(user, pk):
    review = sel.review_list(user=user).filter(pk=pk).first()
    if review is None:
        raise Http404
    return review


def with_decision_counts(qs):
    """Reviews annotated with how many households each decision has."""
    return qs.annotate(
        **{f"n_{d.value}": Count("items", filter=Q(items__decision=d.value)) for d in Decision}
    )


@login_required
def village_reviews(request, code):
    """A village's (or a subtree's) reviews by month; the village leader opens this month's."""
    node = grid_or_404(user=request.user, code=code)
    if request.method == "POST":
        try:
            review = review_create(
                actor=request.user,
                village=node,
                month=request.POST.get("month") or timezone.localdate(),
            )
        except (ValidationError, PermissionDenied) as exc:
            flash_errors(request, exc)
            return redirect("review-village", code)
        return redirect("review-detail", review.pk)
    reviews = list(sel.review_list(user=request.user).filter(**in_subtree("village", node))[:200])
    holders = sel.holders(reviews)
    for review in reviews:
        review.holder = holders[review.pk]
    context = {
        "node": node,
        "reviews": reviews,
        "this_month": timezone.localdate().strftime("%Y-%m"),
        "is_village": node.level == Level.VILLAGE,
    }
    return render(request, "monitoring/review_list.html", context)


@login_required
def review_detail(request, pk):
    """The review: meeting record, one decision per household, and the next step."""
    review = _review(request.user, pk)
    return render(request, "monitoring/review_detail.html", _detail_context(request, review))


def _typed(post) -> SimpleNamespace:
    """What was typed into one household's decision, to draw the form again as it was."""
    return SimpleNamespace(
        decision=post.get("decision", ""),
        category=post.get("category", ""),
        risk_types=post.getlist("risk_types"),
        income_12m=post.get("income_12m", ""),
        spending_12m=post.get("spending_12m", ""),
        method=post.get("method", ""),
        evidence=post.get("evidence", ""),
        note=post.get("note", ""),
    )


def _detail_context(request, review, *, refused=None, errors=()):
    """The review page's context; ``refused`` (an item pk) is drawn with what was typed and
    its ``errors`` beside it."""
    may = review_permissions(request.user, review)
    items = list(sel.review_items(review))
    for item in items:
        item.clue_labels = risk_type_labels([c.risk_type for c in item.household.open_clues])
        item.risk_labels = risk_type_labels(item.risk_types)
        item.f, item.errors = item, []
        if item.pk == refused:
            item.f, item.errors = _typed(request.POST), list(errors)
    return {
        "review": review,
        "may": may,
        "holder": sel.holders([review])[review.pk],
        "items": items,
        "undecided": sum(1 for i in items if not i.decision),
        "meeting_form": MeetingForm(
            initial={name: getattr(review, name) for name in review_services.MEETING_FIELDS}
        ),
        "decisions": Decision.choices,
        "categories": CaseCategory.choices,
        "methods": EliminationMethod.choices,
        "risk_choices": RiskType.choices,
        "return_form": ReturnForm(),
        "notice_include": settings.REVIEW_NOTICE_DAYS_INCLUDE,
        "notice_eliminate": settings.REVIEW_NOTICE_DAYS_ELIMINATE,
    }


@login_required
@require_POST
def review_item(request, pk):
    """Save one household's decision (the village leader, while the review is editable)."""
    item = sel.item_list(user=request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    form = ItemForm(request.POST)
    default = reverse("review-detail", args=[item.review_id]) + f"#item-{item.pk}"
    errors = []
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label if name in form.fields else ''}：{error}".lstrip("：")
            for name, field_errors in form.errors.items()
            for error in field_errors
        ]
    else:
        try:
            review_item_set(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            errors = _labelled(form, exc)
        except (PermissionDenied, Conflict) as exc:
            errors = [str(exc)]
    if errors:
        # Drawn again with what was typed and the reason beside the household, not lost.
        context = _detail_context(request, item.review, refused=item.pk, errors=errors)
        return render(request, "monitoring/review_detail.html", context, status=400)
    messages.success(request, _("已保存 {household} 的研判意见。").format(household=item.household))
    return redirect(default)


def _labelled(form, exc: ValidationError) -> list[str]:
    """A service's errors, each with the label of the field it names."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    return [
        f"{form.fields[name].label}：{message}" if name in form.fields else message
        for name, errors in exc.error_dict.items()
        for error in errors
        for message in error.messages
    ]


@login_required
@require_POST
def review_step(request, pk, step):
    """One step of a review: meeting record, refresh, submit, approve, return, confirm."""
    review = _review(request.user, pk)
    actor = request.user
    done = {
        "meeting": _("会议记录已保存。"),
        "refresh": _("名单已刷新。"),
        "submit": _("已提交乡镇审核。"),
        "approve": _("已审核通过，报县级审定。"),
        "return": _("已退回村里修改。"),
        "confirm": _("已审定，监测对象已更新。"),
    }
    if step not in done:
        raise Http404
    try:
        if step == "meeting":
            form = MeetingForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("日期格式不正确。"))
            review_update(actor=actor, review=review, **form.cleaned_data)
        elif step == "refresh":
            review_refresh(actor=actor, review=review)
        elif step == "submit":
            review_submit(actor=actor, review=review)
        elif step == "approve":
            review_approve(actor=actor, review=review)
        elif step == "return":
            review_return(actor=actor, review=review, reason=request.POST.get("reason"))
        elif step == "confirm":
            review_confirm(actor=actor, review=review)
    except (ValidationError, PermissionDenied, Conflict) as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, done[step])
    return _back(request, reverse("review-detail", args=[review.pk]))


@login_required
def approval_queue(request, code):
    """The township's queue: submitted reviews, approve or return each in place."""
    node = grid_or_404(user=request.user, code=code)
    reviews = list(
        with_decision_counts(sel.queue(user=request.user, node=node, state=ReviewState.SUBMITTED))[
            :200
        ]
    )
    for review in reviews:
        review.may = review_permissions(request.user, review)
    context = {"node": node, "reviews": reviews, "now": timezone.now()}
    return render(request, "monitoring/review_approvals.html", context)


@login_required
def confirmation_queue(request, code):
    """The county's queue: approved reviews; confirm the ticked ones, each on its own."""
    node = grid_or_404(user=request.user, code=code)
    qs = sel.queue(user=request.user, node=node, state=ReviewState.APPROVED)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        chosen = list(qs.filter(pk__in=ids))
        if not chosen:
            messages.error(request, _("请勾选要审定的研判。"))
        ok = 0
        for review, error in review_confirm_batch(actor=request.user, reviews=chosen):
            if error:
                messages.error(request, f"{review}：{error}")
            else:
                ok += 1
        if ok:
            messages.success(request, _("已审定 {n} 份研判。").format(n=ok))
        return redirect("review-confirmations", code)
    reviews = list(with_decision_counts(qs)[:300])
    for review in reviews:
        review.may = review_permissions(request.user, review)
    context = {"node": node, "reviews": reviews}
    return render(request, "monitoring/review_confirmations.html", context)


@login_required
def review_notice(request, pk):
    """The printable public notice (公示) of a review's proposed inclusions and eliminations.

    Only what a notice may show: the group, the head of household's name, the category or the
    way of elimination, the risk types. Never ID numbers, phones, bank accounts or health
    details (members' illnesses are not listed; risk types are the notice's own wording).
    """
    review = _review(request.user, pk)
    rows = list(
        review.items.filter(decision__in=[Decision.INCLUDE, Decision.ELIMINATE])
        .select_related("household__grid", "case")
        .order_by("decision", "household__grid__code", "household__number")
        .values(
            "decision",
            "category",
            "risk_types",
            "method",
            "household__head_name",
            "household__grid__village_group",
            "case__category",
            "case__risk_types",
        )
    )
    categories = dict(CaseCategory.choices)
    methods = dict(EliminationMethod.choices)
    include, eliminate = [], []
    for row in rows:
        entry = {
            "head": row["household__head_name"],
            "group": row["household__grid__village_group"],
        }
        if row["decision"] == Decision.INCLUDE:
            entry["category"] = categories.get(row["category"], "")
            entry["risks"] = "、".join(risk_type_labels(row["risk_types"]))
            include.append(entry)
        else:
            entry["category"] = categories.get(row["case__category"], "")
            entry["risks"] = "、".join(risk_type_labels(row["case__risk_types"]))
            entry["method"] = methods.get(row["method"], "")
            eliminate.append(entry)
    context = {"review": review, "include": include, "eliminate": eliminate}
    return render(request, "monitoring/review_notice.html", context)


@login_required
def overdue(request, code):
    """Overdue lists of a subtree: clues past decision, reviews not submitted, approvals and
    confirmations waiting."""
    node = grid_or_404(user=request.user, code=code)
    lists = sel.overdue(user=request.user, node=node)
    context = {
        "node": node,
        "clues": list(lists["clues"][:300]),
        "villages": list(lists["reviews_not_submitted"][:300]),
        "due_month": lists["due_month"],
        "approvals": list(lists["approvals_waiting"][:300]),
        "confirmations": list(lists["confirmations_waiting"][:300]),
        "unattended": list(lists["unattended"][:300]),
    }
    return render(request, "monitoring/review_overdue.html", context)
