"""No resident ID number in a URL: web servers and proxies log every URL whole.

A request whose query string carries a valid ID number (region, birth date and check character
all right) is refused (400) with a Chinese message that says how to search instead: in a
request body (``POST /api/v1/persons/search/``) or with the search form of the pages, which
posts. Parameters that carry grid codes are not looked at: an 18-digit administrative code is
not a person's number.
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .idnumbers import find_in_text, ids_in_text

#: Query parameters that carry grid codes (administrative division codes, which can be 18
#: digits long) or a path to return to, never a person's number.
CODE_PARAMETERS = frozenset({"grid", "parent", "ancestor", "village", "county", "code", "next"})


class IdNumbersNotInUrls:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Paths carry ids and grid codes, never ID numbers (no route takes one).
        texts = []
        for key, values in request.GET.lists():
            texts.append(key)
            if key not in CODE_PARAMETERS:
                texts.extend(values)
        if any(ids_in_text(text) for text in texts):
            return self._refuse(request)
        return self.get_response(request)

    def _refuse(self, request):
        if request.path.startswith("/api/"):
            message = _(
                "身份证号不能放在网址里（网址会被记入访问日志）。请用 POST /api/v1/persons/search/"
                '，把号码放在请求体中：{"id_number": "…"}。'
            )
            return JsonResponse({"detail": message, "errors": {}}, status=400)
        message = _(
            "身份证号不能放在网址里（网址会被记入访问日志）。请在“农户”页面的查找框中输入身份证号，"
            "查找以表单提交，号码不会出现在网址中。"
        )
        # The page must not echo the URL it refuses (the language switch's "next").
        safe = "/" if find_in_text(request.path) else request.path
        context = {"message": message, "language_next": safe}
        return render(request, "households/id_in_url.html", context, status=400)
