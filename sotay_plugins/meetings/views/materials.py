"""Member pages of meeting materials: a material's page and its file.

Both read the material through ``materials.visible_materials`` (the scope engine, minus other
cells' internal materials): anything else answers 404. Opening either records an open of the
material by the member (once per day, counted). Files live in private storage and have no
public URL: they are served here after the check, through nginx (X-Accel-Redirect) in production.
"""

from __future__ import annotations

import os

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sotay_plugins import files
from sotay_plugins.orgtree import scope
from sotay_plugins.prefetch import is_prefetch

from .. import materials as service
from ..models import Meeting


def serve_file(material):
    """The material's file (the caller has checked scope): see ``sotay_plugins.files``."""
    return files.serve_private(
        material.file, content_type=service.content_type_of(material) if material.file else None
    )


def _material(request, pk):
    queryset = service.visible_materials(request.user).select_related("issuer_org", "audience_org")
    return get_object_or_404(queryset, pk=pk)


def _record(request, material):
    member = scope.subject(request.user)
    if member is not None and not is_prefetch(request):  # kept for offline reading: no open
        service.record_open(material, member.member_id)


def _from_meeting(request):
    """The meeting page the member came from (``?sinh-hoat=<id>``), if they may see it."""
    pk = request.GET.get("sinh-hoat", "")
    if not pk.isdigit():
        return None
    return (
        scope.visible_to(request.user, Meeting.objects.only("pk", "title", "starts_at"))
        .filter(pk=int(pk))
        .first()
    )


@never_cache
@login_required
@require_GET
def material_list(request):
    """Materials that reach the member: newest first (upper levels' and the cell's own)."""
    items = list(
        service.visible_materials(request.user)
        .select_related("issuer_org")
        .order_by("-created_at", "-pk")[:50]
    )
    return render(request, "meetings/materials/list.html", {"materials": items})


@never_cache
@login_required
@require_GET
def material_detail(request, pk):
    material = _material(request, pk)
    _record(request, material)
    return render(
        request,
        "meetings/materials/detail.html",
        {
            "material": material,
            "level": service.level_label(material.issuer_org.kind),
            "meeting": _from_meeting(request),
            "content_type": service.content_type_of(material) if material.file else "",
            "filename": os.path.basename(material.file.name) if material.file else "",
        },
    )


@never_cache
@login_required
@require_GET
def material_download(request, pk):
    material = _material(request, pk)
    if not material.file:
        raise Http404
    _record(request, material)
    return serve_file(material)
