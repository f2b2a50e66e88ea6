"""People pages: a county administrator manages the people of their county.

Create a person with a post, set a new password, release a login lockout, end a post (handing
its work to a successor). Scoped like everything else: ``grids.selectors.county_people`` holds
only the people of a county the viewer administers, and every write is a service that checks it
again.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import DateInput
from core.pages import add_errors
from grids import selectors as grid_selectors
from grids import services as grid_services
from grids.models import Department, Role

from . import services
from .selectors import locked_usernames

PAGE_SIZE = 50


def _county(request):
    counties = grid_selectors.administered_counties(user=request.user)
    if not counties:
        raise PermissionDenied(_("只有县级管理员可以管理人员。"))
    code = request.GET.get("county", "")
    for county in counties:
        if not code or county.code == code:
            return county, counties
    raise Http404


def _person(request, county, pk):
    person = grid_selectors.county_people(user=request.user, county=county).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


class PersonCreateForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("登录名"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("姓名"), max_length=150)
    password = forms.CharField(
        label=gettext_lazy("初始密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "至少 10 位，不能是常见密码或纯数字；请当面告知本人并要求其登录后修改。"
        ),
    )
    grid = forms.CharField(label=gettext_lazy("任职网格编码"), max_length=32)
    role = forms.ChoiceField(label=gettext_lazy("职责"), choices=Role.choices)
    phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=20, required=False)
    department = forms.ModelChoiceField(
        label=gettext_lazy("所代表部门（仅县级）"),
        queryset=Department.objects.all(),
        required=False,
    )


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("新密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class EndForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    ended_on = forms.DateField(
        label=gettext_lazy("离任日期"),
        widget=DateInput(),
        initial=timezone.localdate,
    )
    reason = forms.CharField(label=gettext_lazy("离任原因"), max_length=200)
    successor = forms.CharField(
        label=gettext_lazy("接任人登录名"),
        max_length=150,
        required=False,
        help_text=gettext_lazy(
            "接任人接手本网格的在办事项；不填则本网格列为“无人负责”，直到有人任职。"
        ),
    )
    successor_phone = forms.CharField(
        label=gettext_lazy("接任人电话"), max_length=20, required=False
    )


@login_required
def person_list(request):
    county, counties = _county(request)
    q = request.GET.get("q", "").strip()
    people = grid_selectors.county_people(user=request.user, county=county, search=q)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    locked = locked_usernames(p.username for p in rows)
    context = {
        "county": county,
        "counties": counties,
        "page": page,
        "rows": [(p, p.username in locked) for p in rows],
        "q": q,
    }
    return render(request, "accounts/person_list.html", context)


@login_required
def person_new(request):
    county, _counties = _county(request)
    form = PersonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grid = grid_selectors.grid_resolve(
                user=request.user, code=data["grid"], action="administer"
            )
            if grid.tree_id != county.tree_id:
                raise ValidationError({"grid": _("网格编码不在本县。")})
            person = services.person_create(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                password=data["password"],
                grid=grid,
                role=data["role"],
                phone=data["phone"],
                department=data["department"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已创建 {name}。").format(name=person.get_full_name()))
            return redirect(f"{person_url(person)}?county={county.code}")
    return render(request, "accounts/person_new.html", {"county": county, "form": form})


def person_url(person):
    from django.urls import reverse

    return reverse("person-detail", args=[person.pk])


@login_required
def person_detail(request, pk):
    county, _counties = _county(request)
    person = _person(request, county, pk)
    password_form, end_form = PasswordForm(), None
    action = request.POST.get("action") if request.method == "POST" else None
    try:
        if action == "password":
            password_form = PasswordForm(request.POST)
            if password_form.is_valid():
                services.person_set_password(
                    actor=request.user,
                    person=person,
                    password=password_form.cleaned_data["password"],
                    tree_id=county.tree_id,
                )
                messages.success(request, _("密码已重设，此人在各处的登录均已失效。"))
                return redirect(request.get_full_path())
        elif action == "unlock":
            services.person_unlock(actor=request.user, person=person, tree_id=county.tree_id)
            messages.success(request, _("已解除登录锁定。"))
            return redirect(request.get_full_path())
        elif action == "end":
            end_form = EndForm(request.POST)
            if end_form.is_valid():
                _end(request, county, person, end_form.cleaned_data)
                messages.success(request, _("任职已结束。"))
                return redirect(request.get_full_path())
    except (ValidationError, PermissionDenied) as exc:
        add_errors(password_form if action == "password" else end_form or password_form, exc)
    posts = list(grid_selectors.person_posts(person=person, tree_id=county.tree_id))
    context = {
        "county": county,
        "person": person,
        "locked": person.username in locked_usernames([person.username]),
        "posts": [(post, _end_form(post, end_form)) for post in posts],
        "password_form": password_form,
    }
    return render(request, "accounts/person_detail.html", context)


def _end_form(post, bound):
    if post.ended_on is not None:
        return None
    if bound is not None and bound.data.get("assignment") == str(post.pk):
        return bound
    return EndForm(initial={"assignment": post.pk}, prefix=None)


def _end(request, county, person, data):
    post = next(
        (
            p
            for p in grid_selectors.person_posts(person=person, tree_id=county.tree_id)
            if p.pk == data["assignment"] and p.ended_on is None
        ),
        None,
    )
    if post is None:
        raise ValidationError({"assignment": _("没有这项在任的任职。")})
    successor = None
    if data["successor"]:
        successor = grid_selectors.assignable_user(
            user=request.user, username=data["successor"], field="successor"
        )
    grid_services.assignment_end(
        actor=request.user,
        assignment=post,
        ended_on=data["ended_on"],
        reason=data["reason"],
        successor=successor,
        successor_phone=data["successor_phone"],
    )
