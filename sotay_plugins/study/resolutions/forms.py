"""The resolution page's admin form: its unit is one where the writer prepares the study.

The issuing unit (``issuer_org``) and the audience (``audience_org``) offered to a non-superuser
are the units where they hold ``MANAGE_STUDY`` (whole subtrees), plus the page's current ones
(the editorial board reviewing a draft keeps them); a form posted by hand with another unit gets
the field's error, nothing saved. ``Published.clean`` keeps the audience under the issuer.
"""

from __future__ import annotations

from django.db.models import Q
from wagtail.admin.forms import WagtailAdminPageForm


class ResolutionPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from sotay_plugins.orgtree import scope
        from sotay_plugins.orgtree.models import Organisation

        from .models import MANAGE_STUDY

        user = self.for_user
        if user is None or scope.is_superadmin(user):
            return
        managed = scope.managed_orgs(user, MANAGE_STUDY).filter(is_active=True).values("pk")
        for name in ("issuer_org", "audience_org"):
            if name not in self.fields:
                continue
            current = getattr(self.instance, f"{name}_id", None)
            allowed = Q(pk__in=managed) | (Q(pk=current) if current else Q(pk__in=[]))
            self.fields[name].queryset = Organisation.objects.filter(allowed).order_by(
                "tree_id", "lft"
            )
