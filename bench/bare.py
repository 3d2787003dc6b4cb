"""A bare view for the benchmarks only (bench/bench_library.py): the framework's ceiling.

``/bench/bare/`` answers a fixed HTML page through the whole middleware stack without touching
the database or the session, so wrk can compare a real page's requests per second with what
Django and gunicorn manage on the same machine in the same run. It is routed only by
``bench/urls.py``, the URLconf of the benchmark settings (``DJANGO_SETTINGS_MODULE=
bench.settings``): the product's own modules know nothing of it.
"""

from django.http import HttpResponse

#: About the size of the member's home page without its cards.
PAGE = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
    "<title>Sổ tay đảng viên điện tử</title>"
    "</head><body><main><h1>Trang chủ</h1>"
    + "<p>Nội dung cố định dùng để đo trần của khung phần mềm.</p>" * 40
    + "</main></body></html>"
).encode()


def bare(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")
