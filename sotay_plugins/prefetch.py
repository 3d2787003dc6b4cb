"""Requests the service worker makes on its own (issue 18): keeping a member's documents, meeting
materials and card on the phone for reading offline, in the background.

They carry the header ``Sotay-Prefetch: 1`` (``site/static/sw.js``). Such a fetch is not the
member opening anything: views that count opens and downloads (read receipts, material opens,
the points they earn) ask :func:`is_prefetch` and count nothing. The header grants nothing: the
answer is the same page, after the same scope check.
"""

HEADER = "Sotay-Prefetch"


def is_prefetch(request):
    return request is not None and request.headers.get(HEADER) == "1"
