"""What a member's phone keeps of their cell's meetings for reading offline (issue 18): the page
of their next meeting and the materials picked for it, with their files
(``registry.OfflineSource``, registered in ``apps.py``).

Only what the member may see now: the meeting through ``services.next_meeting`` (the scope
engine's ``visible_to``, their own cell), the materials through ``materials.meeting_materials``
(the audience filters; another cell's internal material never). The phone asks :func:`visible`
again when it is back online and deletes what left their scope.
"""

from __future__ import annotations

from django.urls import reverse

from sotay_plugins.registry import OfflineItem

from . import materials, services
from .models import Meeting

MOST_MATERIALS = 20


def items(user):
    """The next meeting of the member's cell and its materials (3 queries)."""
    meeting = services.next_meeting(user)
    if meeting is None:
        return []
    picked = list(
        materials.meeting_materials(meeting, user).only(
            "pk", "title", "file", "created_at", "issuer_org__level", "issuer_org__name"
        )[:MOST_MATERIALS]
    )
    found = [
        OfflineItem(
            local_id=f"m{meeting.pk}",
            title=meeting.title,
            url=reverse("meetings:detail", args=[meeting.pk]),
            kind="meeting",
            version=f"{meeting.starts_at.isoformat()}|{meeting.state}|"
            + ",".join(str(m.pk) for m in picked),
        )
    ]
    for material in picked:
        page = reverse("meetings:material", args=[material.pk])
        files = (reverse("meetings:material_file", args=[material.pk]),) if material.file else ()
        found.append(
            OfflineItem(
                local_id=f"t{material.pk}",
                title=material.title,
                url=f"{page}?sinh-hoat={meeting.pk}",
                kind="material",
                files=files,
                version=f"{material.file.name}|{material.created_at.isoformat()}",
                stands_for=(page,),
            )
        )
    return found


def _ids(local_ids, prefix):
    found = set()
    for local in local_ids:
        text = str(local)
        rest = text[len(prefix) :]
        if text.startswith(prefix) and rest.isascii() and rest.isdigit() and len(rest) < 19:
            found.add(int(rest))
    return found


def visible(user, local_ids):
    """Of ``local_ids`` (``m<meeting>``, ``t<material>``), those the user may still see."""
    kept = set()
    meetings = _ids(local_ids, "m")
    if meetings:
        kept.update(
            f"m{pk}"
            for pk in services.visible_meetings(user)
            .filter(pk__in=meetings)
            .exclude(state=Meeting.State.CANCELLED)
            .values_list("pk", flat=True)
        )
    wanted = _ids(local_ids, "t")
    if wanted:
        kept.update(
            f"t{pk}"
            for pk in materials.visible_materials(user)
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
    return kept
