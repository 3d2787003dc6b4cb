"""Signals between plugins, declared once here. A plugin never imports another's internals;
where one must react to another, it listens to one of these.
"""

from django.dispatch import Signal

#: Sent inside the tree lock after ``orgtree.services.move_org``.
#: kwargs: ``org``, ``old_parent``, ``new_parent``, ``actor``.
org_moved = Signal()

#: Sent inside the tree lock while ``orgtree.services.merge_orgs`` runs, after the children
#: have moved and before ``source`` is closed. Receivers re-point what they own from ``source``
#: to ``target`` (members, open items); history stays attached to ``source``.
#: kwargs: ``source``, ``target``, ``actor``.
org_merged = Signal()

#: Sent before a unit is dissolved. Receivers return a list of Vietnamese reasons that block it
#: (e.g. "Còn 12 đảng viên đang sinh hoạt"); an empty list lets it go ahead.
#: kwargs: ``org``.
org_dissolving = Signal()

#: Sent after a member's official or temporary transfer is recorded.
#: kwargs: ``member``, ``transfer``.
member_transferred = Signal()

#: Ask for a notification to members (the notices plugin delivers it: in-app, web push, digest;
#: until one is enabled, nothing listens and nothing is sent). Send it after commit.
#: kwargs: ``kind`` (a registered NoticeKind key), ``member_ids`` (iterable of Member ids),
#: ``title``, ``body`` (Vietnamese), ``url`` (where the notice leads), ``dedupe_key`` (the same
#: key twice is one notice), ``send_at`` (aware datetime or None: now).
notice_requested = Signal()
