"""What a member's phone may keep for reading offline, and which of it they may still read.

- :func:`manifest` gathers the items every enabled module offers
  (``registry.offline_sources``), each already limited by the scope engine in its module, with
  the id the phone keeps them under (``<source>:<local id>``) and a version that changes when
  the phone should fetch them again.
- :func:`still_visible` answers the re-check: of the ids a phone holds, those the member may still
  read. Junk is refused (:class:`BadIds`, a Vietnamese message) before any query; ids of an
  unknown source, or that their module does not recognise, are simply not visible.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from sotay_plugins.registry import registry

#: The most ids one re-check may name (a phone keeps a few tens of items).
MOST_IDS = 500
ID_RE = re.compile(r"^([a-z][a-z_]{0,30}):([A-Za-z0-9_-]{1,40})$")


class BadIds(ValidationError):
    pass


def member_tag(user):
    """Who the kept items belong to, without naming them: another account on the same phone
    (a new tag) makes the worker drop everything kept before."""
    return salted_hmac("sotay.offline.member", str(user.pk)).hexdigest()[:24]


def manifest(user):
    items = []
    for source in registry.ordered_offline_sources():
        for item in source.items(user):
            items.append(
                {
                    "id": f"{source.key}:{item.local_id}",
                    "title": item.title,
                    "url": item.url,
                    "kind": item.kind,
                    "files": list(item.files),
                    "version": item.version,
                    "stands_for": list(item.stands_for),
                }
            )
    return {"member": member_tag(user), "items": items}


def parse_ids(raw):
    """The ids of a re-check request as ``{source: [local ids]}``; raises :class:`BadIds`."""
    if not isinstance(raw, list):
        raise BadIds(_("Trường “ids” phải là một danh sách mã mục."), code="not_list")
    if len(raw) > MOST_IDS:
        raise BadIds(
            _("Quá nhiều mục (%(n)s); mỗi lần kiểm tra tối đa %(most)s mục.")
            % {"n": len(raw), "most": MOST_IDS},
            code="too_many",
        )
    grouped = {}
    for value in raw:
        found = ID_RE.match(value) if isinstance(value, str) else None
        if found is None:
            raise BadIds(
                _("Mã mục không hợp lệ: %(value)s.") % {"value": str(value)[:60]}, code="bad_id"
            )
        grouped.setdefault(found.group(1), []).append(found.group(2))
    return grouped


def still_visible(user, raw):
    """The ids of ``raw`` the user may still read, in the order given."""
    grouped = parse_ids(raw)
    kept = set()
    for key, local_ids in grouped.items():
        source = registry.offline_sources.get(key)
        if source is None:
            continue
        kept.update(f"{key}:{local}" for local in source.visible(user, local_ids))
    return [value for value in dict.fromkeys(raw) if value in kept]
