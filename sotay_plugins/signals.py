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

#: A member did something that may earn points (a registered point rule: attending a meeting or
#: a study session, reading a document, completing a study, passing a quiz). The points ledger
#: applies the rule as it stands at ``at`` (its points, its caps per day and per item); the same
#: (``rule``, ``member_id``, ``source``) twice earns once. Send it after commit.
#: kwargs: ``rule`` (a registered point rule key), ``member_id``, ``source`` (a string naming the
#: item, "<app_label>.<model>:<pk>"), ``at`` (aware datetime); optional ``item`` (same form), the
#: item the event is about when the source is finer (an attempt of a quiz: the quiz), for the
#: rule's cap per item (default: the source). No other kwarg: the points come from the rule only,
#: and an event naming its own points is refused as forged.
points_earned = Signal()
