"""Who must give a second factor, and the devices that give it (django-otp).

Required for every staff account (everyone who reaches the admin) and every county
administrator (a leader at a county root); optional for everyone else, and once someone has set
one up, it is asked at each login.

Whether a person needs one is decided at login and kept in their session (``SESSION_KEY``), so
pages do not pay a query for it; staff status is read live.
"""

from django_otp import devices_for_user, user_has_device

from grids.scoping import user_scope

SESSION_KEY = "weixi_second_factor"


def required_for(user) -> bool:
    """Whether ``user`` must give a second factor (reads the database)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "integration_client_cached", None) is not None:
        return False
    return bool(
        user.is_staff
        or user.is_superuser
        or user_scope(user).administered_trees
        or user_has_device(user, confirmed=True)
    )


def needs_second_factor(user, session=None) -> bool:
    """``required_for``, answered from the session where it was decided at login."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    if session is None:
        return required_for(user)
    if SESSION_KEY not in session:
        session[SESSION_KEY] = required_for(user)
    return session[SESSION_KEY]


def remember(request, user) -> None:
    """At login: decide once for this session."""
    request.session[SESSION_KEY] = required_for(user)


def is_verified(request) -> bool:
    return bool(getattr(getattr(request, "user", None), "is_verified", lambda: False)())


def confirmed_devices(user):
    return list(devices_for_user(user, confirmed=True))
