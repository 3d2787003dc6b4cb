"""The members plugin's signal receivers, connected once from ``MembersConfig.ready``.

- a unit merged into another: its members follow (``services.on_org_merged``);
- a unit moved: party-record numbers follow its new codes (``services.on_org_moved``);
- a unit about to be dissolved: members still there block it (``services.on_org_dissolving``);
- an account or a member record saved or deleted: the person's kept pages and account go stale
  (``services.touch_person``, ``sotay_plugins.pagecache``);
- a sign-in by ``ModelBackend``: the session is served by ``backends.KeptAccountBackend``.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_save

from sotay_plugins import signals

from . import backends, services
from .models import Member


def connect():
    signals.org_merged.connect(services.on_org_merged, dispatch_uid="members.org_merged")
    signals.org_moved.connect(services.on_org_moved, dispatch_uid="members.org_moved")
    signals.org_dissolving.connect(
        services.on_org_dissolving, dispatch_uid="members.org_dissolving"
    )
    for model in (get_user_model(), Member):
        name = model.__name__
        post_save.connect(
            services.touch_person, sender=model, dispatch_uid=f"members.touch.save.{name}"
        )
        post_delete.connect(
            services.touch_person, sender=model, dispatch_uid=f"members.touch.delete.{name}"
        )
    user_logged_in.connect(backends.serve_session, dispatch_uid="members.kept_account")
