"""django-axes' handler with one limit per lockout parameter (see sotay_plugins.authentication).

Apart from authentication.py because it loads axes' models, which DRF's start-up must not."""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


def lockout_limits():
    """One limit per entry of ``AXES_LOCKOUT_PARAMETERS`` (failures within the cool-off time)."""
    limits = list(getattr(settings, "SOTAY_LOCKOUT_LIMITS", None) or [settings.AXES_FAILURE_LIMIT])
    parameters = settings.AXES_LOCKOUT_PARAMETERS
    return limits + [limits[-1]] * (len(parameters) - len(limits))


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit per lockout parameter.

    Axes compares one number, the largest failure count over its parameters, with one limit
    (``AXES_FAILURE_LIMIT``). Each count is scaled here to that limit: a count reaches it exactly
    when it reaches its own limit (``count * first // own >= first`` ⇔ ``count >= own``)."""

    def get_failures(self, request, credentials=None) -> int:
        first = settings.AXES_FAILURE_LIMIT
        failures = 0
        for attempts, own in zip(
            self.get_user_attempts(request, credentials), lockout_limits(), strict=False
        ):
            count = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            failures = max(failures, count * first // own)
        return failures
