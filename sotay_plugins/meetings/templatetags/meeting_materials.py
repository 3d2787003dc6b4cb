"""``{% meeting_materials_for meeting as box %}``: what the meeting page's materials box shows.

Used by ``meetings/member/_materials.html``. Two queries: the meeting's materials the user may
see (materials.meeting_materials: the scope engine, minus other cells' internal ones) and
which of them the member has opened.
"""

from django import template

from sotay_plugins.orgtree import scope

from .. import materials as service
from ..models import CONVENE, MaterialOpen

register = template.Library()


@register.simple_tag(takes_context=True)
def meeting_materials_for(context, meeting):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or meeting is None:
        return {"upper": [], "internal": [], "is_convener": False}
    items = list(service.meeting_materials(meeting, user))
    member = scope.subject(user)
    opened = set()
    if member is not None and items:
        opened = set(
            MaterialOpen.objects.filter(
                member_id=member.member_id, material__in=[m.pk for m in items]
            )
            .values_list("material_id", flat=True)
            .distinct()
        )
    rows = [
        {
            "material": m,
            "level": service.level_label(m.issuer_org.kind),
            "opened": m.pk in opened,
            "internal": m.issuer_org.kind == "cell",
        }
        for m in items
    ]
    return {
        "upper": [r for r in rows if not r["internal"]],
        "internal": [r for r in rows if r["internal"]],
        "is_convener": scope.can(user, CONVENE, meeting),
        "is_member": member is not None,
    }
