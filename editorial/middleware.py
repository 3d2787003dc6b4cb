"""Out-of-scope pages answer 404 in the Wagtail admin too.

Wagtail turns a refused page action (edit, history, delete, move, copy…) into a redirect with
"no permission"; an id that does not exist answers 404. The difference tells an editor of one
district that a page id of another exists. This middleware answers 404 first, for any
``/quan-tri/pages/<id>/…`` URL whose page the user may not explore
(``permissions.explorable_pages``: what the scope engine lets them manage). One query, only on
those URLs.
"""

import re

from django.http import Http404
from django.urls import reverse

from sotay_plugins import front
from sotay_plugins.orgtree import scope


class OutOfScopePagesAre404:
    sotay_front = front.NOTHING  # admin pages only: nothing of a fast POST

    def __init__(self, get_response):
        self.get_response = get_response
        self._pattern = None

    def pattern(self):
        if self._pattern is None:
            prefix = reverse("wagtailadmin_explore_root")  # /quan-tri/pages/
            self._pattern = re.compile(rf"^{re.escape(prefix)}(\d+)/")
        return self._pattern

    def __call__(self, request):
        match = self.pattern().match(request.path_info)
        user = getattr(request, "user", None)
        if match and user is not None and user.is_authenticated and not scope.is_superadmin(user):
            from .permissions import explorable_pages

            if not explorable_pages(user).filter(pk=int(match[1])).exists():
                raise Http404
        return self.get_response(request)
