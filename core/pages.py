"""Helpers every page (server-rendered view) shares: a service's errors onto a form or into
the messages shown at the top of the next page."""

from django.contrib import messages
from django.core.exceptions import ValidationError


def add_errors(form, exc) -> None:
    """Put a service's ``ValidationError`` (or ``PermissionDenied``/``Conflict``) on the
    fields it names, the rest on the form as a whole."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for message in (m for e in errors for m in e.messages):
                form.add_error(field if field in form.fields else None, message)
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            form.add_error(None, message)
    else:
        form.add_error(None, str(exc))


def flash_errors(request, exc) -> None:
    """Show a service's refusal as error messages on the next page."""
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(exc))
