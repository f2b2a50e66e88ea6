"""Logins and every change of accounts, groups and permissions go to the audit log.

Signals, not services: the admin, ``createsuperuser``, ``changepassword`` and the people pages
all change accounts, and each change is recorded once, here, with the client address
(``core.request_context``) and the person acting (the request's user).
"""

import time

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model, user_logged_in, user_logged_out
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from knox.models import AuthToken

from core.request_context import current_user
from core.services import audit_write
from grids.selectors import person_county

from .middleware import LAST_SEEN
from .second_factor import remember

User = get_user_model()
# The account fields a change of which is recorded (never the password hash).
TRACKED = ("username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser")


def _account(action, user, *, actor=None, before=None, after=None, reason="", name=None):
    audit_write(
        actor=actor if actor is not None else current_user(),
        action=action,
        object_type="auth.user",
        object_id=str(user.pk) if user is not None and user.pk else "",
        object_repr=name if name is not None else user.get_username(),
        tree_id=person_county(user),  # the county whose admins read it
        before=before,
        after=after,
        reason=reason,
    )


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # Decided once per session: whether this person must give a second factor, and when
        # they were last seen (the idle timeout counts from here).
        remember(request, user)
        request.session[LAST_SEEN] = int(time.time())
    _account("auth.login", user, actor=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        _account("auth.logout", user, actor=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    user = User.objects.filter(username=username).first() if username else None
    _account("auth.login_failed", user, actor=None, name=username)


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    user = User.objects.filter(username=username).first() if username else None
    _account(
        "auth.locked_out", user, actor=None, name=username or "", after={"address": ip_address}
    )


@receiver(pre_save, sender=User)
def _remember(sender, instance, update_fields=None, **kwargs):
    if not instance.pk or (update_fields and set(update_fields) <= {"last_login"}):
        instance._audit_before = None
        return
    instance._audit_before = (
        User.objects.filter(pk=instance.pk).values(*TRACKED, "password").first()
    )


@receiver(post_save, sender=User)
def _saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    if created:
        _account("auth.user_created", instance, after={f: getattr(instance, f) for f in TRACKED})
        return
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if not before:
        return
    changed = [f for f in TRACKED if before[f] != getattr(instance, f)]
    if changed:
        _account(
            "auth.user_changed",
            instance,
            before={f: before[f] for f in changed},
            after={f: getattr(instance, f) for f in changed},
        )
    if before["password"] != instance.password:
        _account("auth.password_changed", instance)
        # Logout everywhere: other browser sessions end by Django's session hash (the
        # password is part of it); API tokens are deleted here.
        AuthToken.objects.filter(user=instance).delete()


@receiver(post_delete, sender=User)
def _deleted(sender, instance, **kwargs):
    _account("auth.user_deleted", instance, before={f: getattr(instance, f) for f in TRACKED})


def _names(model, pks):
    if not pks:
        return []
    field = "name" if model is Group else "codename"
    return sorted(model.objects.filter(pk__in=pks).values_list(field, flat=True))


# sender: (what changes, the manager on the owning side, the manager on the other side)
_RELATIONS = {
    User.groups.through: ("groups", "groups", "user_set"),
    User.user_permissions.through: ("permissions", "user_permissions", "user_set"),
    Group.permissions.through: ("group_permissions", "permissions", "group_set"),
}


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
@receiver(m2m_changed, sender=Group.permissions.through)
def _memberships(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    kind, forward, backward = _RELATIONS[sender]
    if action == "pre_clear":
        # What is about to be removed, read before it goes.
        manager = getattr(instance, backward if reverse else forward)
        pk_set = set(manager.values_list("pk", flat=True))
    if not pk_set:
        return
    verb = "added" if action == "post_add" else "removed"
    if not reverse:
        owners, names = [instance], _names(model, pk_set)
    else:  # a group or permission gained or lost owners: one row per owner
        owners, names = list(model.objects.filter(pk__in=pk_set)), [str(instance)]
    for owner in owners:
        if isinstance(owner, Group):
            audit_write(
                actor=current_user(),
                action=f"auth.{kind}_{verb}",
                object_type="auth.group",
                object_id=str(owner.pk),
                object_repr=owner.name,
                after={"names": names},
            )
        else:
            _account(f"auth.{kind}_{verb}", owner, after={"names": names})


@receiver(post_save, sender=Group)
def _group_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        audit_write(
            actor=current_user(),
            action="auth.group_created" if created else "auth.group_changed",
            object_type="auth.group",
            object_id=str(instance.pk),
            object_repr=instance.name,
            after={"name": instance.name},
        )


@receiver(post_delete, sender=Group)
def _group_deleted(sender, instance, **kwargs):
    audit_write(
        actor=current_user(),
        action="auth.group_deleted",
        object_type="auth.group",
        object_id=str(instance.pk),
        object_repr=instance.name,
    )
