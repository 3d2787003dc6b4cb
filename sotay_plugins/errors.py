"""What a request gets when the server fails: ``handler500`` (config/urls.py); and, below, what
it gets when Django refuses it before any view (``handler400``, ``handler404``).

A database that is restarting or out of connections is an outage, not a bug: the answer is
``503 Service Unavailable`` with ``Retry-After``, so that scanners and phones retry (the
check-in page's offline queue does) and a load balancer knows. Anything else is a 500. The API
answers in its JSON shape (``{"detail": "<Vietnamese sentence>"}``), pages in plain HTML that
needs neither the database nor a template that could fail in turn.
"""

import sys

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults

try:  # a Redis outage reaching a view (the cache itself degrades: sotay_plugins/cache.py)
    from redis.exceptions import ConnectionError as RedisConnectionError
except ImportError:  # pragma: no cover - redis is a requirement
    RedisConnectionError = OSError

#: Exceptions that mean "a service is away for a moment", not "this request is wrong".
OUTAGES = (OperationalError, InterfaceError, RedisConnectionError)
RETRY_AFTER_SECONDS = 5

# One inline style, with the request's Content-Security-Policy nonce (sotay_plugins.middleware):
# a style attribute would be blocked.
PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style nonce="{nonce}">body{{font-family:sans-serif;max-width:32rem;\
margin:2rem auto;padding:0 1rem;line-height:1.5}}h1{{font-size:1.4rem}}</style></head>
<body><h1>{title}</h1><p>{text}</p></body></html>"""


def is_outage(exc):
    return isinstance(exc, OUTAGES)


def server_error(request, *args, **kwargs):
    exc = sys.exc_info()[1]
    outage = is_outage(exc)
    status = 503 if outage else 500
    if outage:
        title = _("Hệ thống đang bận")
        text = _("Máy chủ tạm thời chưa xử lý được yêu cầu. Xin thử lại sau ít giây.")
    else:
        title = _("Lỗi máy chủ")
        text = _("Đã có lỗi ở máy chủ; lỗi đã được ghi lại. Xin thử lại sau.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": text}, status=status)
    else:
        nonce = getattr(request, "csp_nonce", None)  # lazy: its bool() is False until made
        nonce = escape(str(nonce)) if nonce is not None else ""
        page = PAGE.format(title=escape(title), text=escape(text), nonce=nonce)
        response = HttpResponse(page, status=status, content_type="text/html; charset=utf-8")
    if outage:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def page_not_found(request, exception):
    """``handler404``: under /api/ the API's error shape, so that an address no route matches
    (``/api/v1/meetings/abc/checkin/``: ids are integers) answers like an object out of scope
    does, ``{"detail": "Không tìm thấy."}``, not an English HTML page. Pages: Django's own."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Không tìm thấy.")}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    """``handler400``, for what Django refuses before any view (a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE, a bad Host): under /api/ in the API's error shape, a body too
    large as 413. Pages: Django's own."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": _("Dữ liệu gửi lên quá lớn.")}, status=413)
    return JsonResponse({"detail": _("Yêu cầu không hợp lệ.")}, status=400)
