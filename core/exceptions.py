"""Exceptions that services raise for the views to translate."""

from django.utils.translation import gettext_lazy as _


class Conflict(Exception):
    """Someone else changed the object first; the caller's action was not applied."""

    default_message = _("该记录刚被他人修改，您的操作未生效，请刷新后重试。")

    def __init__(self, message=None):
        super().__init__(str(message or self.default_message))


def messages_text(exc) -> str:
    """A ``ValidationError``'s messages as one line (a job's failure, a command's error)."""
    if hasattr(exc, "error_dict"):
        return "；".join(m for errors in exc.message_dict.values() for m in errors)
    return "；".join(getattr(exc, "messages", [str(exc)]))
