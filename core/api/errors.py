"""One error shape for the whole API: ``{"detail": ..., "errors": {field: [...]}}``."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import Conflict


def _as_lists(detail):
    if isinstance(detail, dict):
        return {
            str(k): _as_lists(v) if isinstance(v, dict) else [str(x) for x in _listify(v)]
            for k, v in detail.items()
        }
    return {"non_field_errors": [str(x) for x in _listify(detail)]}


def _listify(value):
    return value if isinstance(value, (list, tuple)) else [value]


def exception_handler(exc, context):
    """Translate service and framework errors into the stable API error shape."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {
                ("non_field_errors" if k == "__all__" else k): [
                    str(m) for e in v for m in e.messages
                ]
                for k, v in exc.error_dict.items()
            }
        else:
            errors = {"non_field_errors": [str(m) for m in exc.messages]}
        first = next(iter(errors.values()))[0]
        return Response({"detail": first, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict):
        return Response({"detail": str(exc), "errors": {}}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RequestDataTooBig):
        from .parsers import too_large

        exc = too_large()
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(_("请求无法处理，请检查请求的格式。"))
    elif isinstance(exc, exceptions.UnsupportedMediaType):
        media_type = getattr(context.get("request"), "content_type", "") or "—"
        message = _(
            "不支持的内容类型“{type}”：请用 application/json（上传文件用 multipart/form-data）。"
        ).format(type=media_type)
        exc = exceptions.UnsupportedMediaType(media_type, detail=message)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到，或不在您的管辖范围内。"))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _as_lists(exc.detail)
        first = next(iter(errors.values()), [_("输入有误。")])
        first = first[0] if isinstance(first, list) else next(iter(first.values()))[0]
        response.data = {"detail": first, "errors": errors}
    else:
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        response.data = {"detail": str(detail or exc), "errors": {}}
    return response
