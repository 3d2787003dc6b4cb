"""A published item with an issuer and an audience, the shape every scoped kind of content has."""

from django.db import models

from sotay_plugins.flags import FlagSetField
from sotay_plugins.orgtree.choices import MemberGroup, Position
from sotay_plugins.orgtree.scope import ScopeSpec

VIEW_ITEM = "scopeapp.view_item"


class ScopedItem(models.Model):
    title = models.CharField("tiêu đề", max_length=120)
    issuer_org = models.ForeignKey(
        "orgtree.Organisation",
        verbose_name="đơn vị ban hành",
        on_delete=models.CASCADE,
        related_name="+",
    )
    audience_org = models.ForeignKey(
        "orgtree.Organisation", verbose_name="phạm vi", on_delete=models.CASCADE, related_name="+"
    )
    audience_positions = FlagSetField("chức vụ", choices=Position.choices, blank=True)
    audience_groups = FlagSetField("nhóm đảng viên", choices=MemberGroup.choices, blank=True)

    scope = ScopeSpec(org_field="issuer_org", view_capability=VIEW_ITEM, audience=True)

    def __str__(self):
        return self.title
