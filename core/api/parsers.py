"""Request body parsers of the API: JSON with a size limit that answers in the error shape."""

import io

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def too_large() -> PayloadTooLarge:
    limit = settings.API_MAX_JSON_BYTES
    return PayloadTooLarge(
        _("请求体超过上限（{limit} MB），请分成多次发送（部门数据可分片）。").format(
            limit=round(limit / 1024 / 1024, 1)
        )
    )


class LimitedJSONParser(JSONParser):
    """JSON of at most ``API_MAX_JSON_BYTES``: Django's own limit covers ``request.body`` and
    forms, not the stream DRF reads JSON from. Malformed JSON is a Chinese 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_JSON_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            if declared and int(declared) > limit:
                raise too_large()
        except ValueError:
            pass
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise too_large()
        try:
            return super().parse(io.BytesIO(data), media_type, parser_context)
        except exceptions.ParseError:
            raise exceptions.ParseError(
                _("请求体不是有效的 JSON：请检查引号、逗号和括号是否成对，并使用 UTF-8 编码。")
            ) from None
