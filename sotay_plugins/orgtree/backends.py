"""Lets Django's permission checks see rights held at an organisation.

Wagtail asks ``user.has_perm("wagtailadmin.access_admin")`` before showing its admin; holding
any staff role anywhere answers yes. What the user then sees inside is filtered per unit by the
scope engine (permission policies and querysets), not by Django's global permissions.
"""

from . import scope
from .roles import STAFF_CAPABILITY


class CapabilityBackend:
    def authenticate(self, request, **credentials):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        if perm == "wagtailadmin.access_admin":
            return scope.can(user_obj, STAFF_CAPABILITY)
        return False

    def get_user(self, user_id):
        return None
