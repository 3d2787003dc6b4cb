"""The gate in front of the Wagtail admin: staff prove a second factor once per session.

Placed after ``django_otp.middleware.OTPMiddleware`` (which gives ``request.user.is_verified``).
Only paths under the admin are asked; of those, login, logout and password reset pass (they
need no second factor: a login is what leads here). A staff session not verified is redirected
to enrolment (no confirmed authenticator) or verification, with ``next`` to come back.
"""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from sotay_plugins import front

from . import is_enrolled, needs_two_factor

OPEN_ADMIN_URLS = ("wagtailadmin_login", "wagtailadmin_logout")


class StaffTwoFactorGate:
    sotay_front = front.NOTHING  # admin pages only: nothing of a fast POST

    def __init__(self, get_response):
        self.get_response = get_response
        self._paths = None

    def paths(self):
        if self._paths is None:
            prefix = reverse("wagtailadmin_home")
            self._paths = (
                prefix,
                tuple(reverse(name) for name in OPEN_ADMIN_URLS)
                + (reverse("wagtailadmin_password_reset"),),
            )
        return self._paths

    def __call__(self, request):
        prefix, open_paths = self.paths()
        path = request.path_info
        if path.startswith(prefix) and not path.startswith(open_paths):
            user = getattr(request, "user", None)
            if needs_two_factor(user) and not user.is_verified():
                name = "twofactor_verify" if is_enrolled(user) else "twofactor_enrol"
                target = reverse(f"members:{name}")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
