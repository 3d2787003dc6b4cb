"""Resolutions: where their pages live, who reads them, a member's reading and study status.

The study index and the editorial workflow
    Resolution pages are children of one ``StudyIndexPage`` under Wagtail's root
    (:func:`study_index`, created on demand). The province's home page carries the editorial
    workflow (the editorial board approves before publication); the index is given the SAME
    workflow (``WorkflowPage``) when it is created: the one that governs the default site's root
    page, or the workflow named by the setting ``SOTAY_STUDY_WORKFLOW``. Nothing here imports the
    editorial module: the workflow is found through Wagtail's own tables.

Reading and study (one ``ResolutionStudy`` row per member and resolution)
    - :func:`start` when the member opens the reader (the "not started" figure of the reports);
    - :func:`mark_read` when the end marker of the text scrolled into view, the audio ended, or
      the member pressed "Tôi đã đọc hết": the first time only (``read_at`` never moves), it
      sends the point rule ``study.read``;
    - :func:`mark_quiz_passed` is what the quizzes part calls when a member passes the quiz of
      their audience for the resolution;
    - when both are true the study is complete (``completed_at``, once, by a conditional UPDATE)
      and the rule ``study.completed`` is sent. Signals go after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sotay_plugins import signals
from sotay_plugins.orgtree import scope

from .models import (
    AUDIO_EXTENSIONS,
    Audience,
    ReadingVia,
    ResolutionPage,
    ResolutionStudy,
    StudyIndexPage,
)

MAX_AUDIO_SIZE = 50 * 1024 * 1024
RULE_READ = "study.read"
RULE_COMPLETED = "study.completed"
INDEX_SLUG = "hoc-tap-nghi-quyet"


def source_of(resolution_id):
    """The points ledger's source string of a resolution."""
    return f"study.resolutionpage:{resolution_id}"


# --- files ------------------------------------------------------------------------------------

AUDIO_MAGIC = (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"OggS")


def _looks_like_audio(head: bytes) -> bool:
    return head.startswith(AUDIO_MAGIC) or head[4:8] == b"ftyp"


def audio_errors(field_file):
    """A Vietnamese message when an uploaded audio file is not one we take (None: fine).

    The name must end in .mp3/.m4a/.ogg and the bytes must say audio (MP3 frame or ID3 tag,
    MP4 ``ftyp`` box, Ogg page): the name is never trusted alone."""
    name = (getattr(field_file, "name", "") or "").lower()
    if not name.endswith(AUDIO_EXTENSIONS):
        return _("Chỉ nhận tệp âm thanh MP3, M4A hoặc OGG.")
    try:
        size = field_file.size
    except (OSError, ValueError):
        return None
    if size == 0:
        return _("Tệp âm thanh rỗng.")
    if size > MAX_AUDIO_SIZE:
        return _("Tệp âm thanh quá lớn (tối đa 50 MB).")
    try:
        field_file.seek(0)
        head = field_file.read(12)
        field_file.seek(0)
    except (OSError, ValueError):
        return None
    if not _looks_like_audio(head):
        return _("Nội dung tệp không phải âm thanh MP3, M4A hoặc OGG.")
    return None


# --- the index page ---------------------------------------------------------------------------


def _site_workflow():
    from wagtail.models import Page, Site, Workflow

    name = getattr(settings, "SOTAY_STUDY_WORKFLOW", "")
    if name:
        return Workflow.objects.filter(name=name, active=True).first()
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    root = site.root_page if site else Page.objects.filter(depth=2).order_by("path").first()
    return root.get_workflow() if root is not None else None


def study_index():
    """The study index page (live), created under Wagtail's root the first time, with the
    editorial workflow of the site (see the module's docstring)."""
    existing = StudyIndexPage.objects.order_by("path").first()
    if existing is not None:
        return existing
    from wagtail.models import Page, WorkflowPage

    with transaction.atomic():
        root = Page.get_first_root_node()
        index = StudyIndexPage(title=_("Học tập nghị quyết"), slug=INDEX_SLUG, live=True)
        root.add_child(instance=index)
        workflow = _site_workflow()
        if workflow is not None:
            WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return index


# --- who reads what ---------------------------------------------------------------------------


def visible_resolutions(user):
    """Live resolutions the user may read: a member's audience, staff's units (scope engine)."""
    return scope.visible_to(user, ResolutionPage.objects.live())


def current_member(user):
    from sotay_plugins.members.services import current_member as member_of

    return member_of(user)


# --- reading and study ------------------------------------------------------------------------


@dataclass(frozen=True)
class StudyStatus:
    """Where a member stands with a resolution."""

    started: bool
    read: bool
    quiz_passed: bool
    completed: bool
    read_at: datetime | None = None
    quiz_passed_at: datetime | None = None
    completed_at: datetime | None = None

    @property
    def step(self):
        """ "done", "quiz" (read, quiz to pass), "reading" (opened) or "new"."""
        if self.completed:
            return "done"
        if self.read:
            return "quiz"
        return "reading" if self.started else "new"

    @property
    def percent(self):
        return 100 if self.completed else 50 * self.read + 50 * self.quiz_passed

    def as_dict(self):
        return {
            "started": self.started,
            "read": self.read,
            "quiz_passed": self.quiz_passed,
            "completed": self.completed,
            "read_at": self.read_at,
            "quiz_passed_at": self.quiz_passed_at,
            "completed_at": self.completed_at,
            "step": self.step,
            "percent": self.percent,
        }


NOT_STARTED = StudyStatus(False, False, False, False)


def status_of(row):
    if row is None:
        return NOT_STARTED
    return StudyStatus(
        started=True,
        read=row.read_at is not None,
        quiz_passed=row.quiz_passed_at is not None,
        completed=row.completed_at is not None,
        read_at=row.read_at,
        quiz_passed_at=row.quiz_passed_at,
        completed_at=row.completed_at,
    )


def _pk(obj):
    return getattr(obj, "pk", obj)


def study_status(member, resolution) -> StudyStatus:
    """The member's study of the resolution (``member``/``resolution``: objects or ids)."""
    row = ResolutionStudy.objects.filter(
        member_id=_pk(member), resolution_id=_pk(resolution)
    ).first()
    return status_of(row)


def statuses(member, resolution_ids):
    """{resolution id: StudyStatus} for one member (one query)."""
    rows = ResolutionStudy.objects.filter(member_id=_pk(member), resolution_id__in=resolution_ids)
    found = {row.resolution_id: status_of(row) for row in rows}
    return {pk: found.get(pk, NOT_STARTED) for pk in resolution_ids}


def _row(member_id, resolution_id):
    """The study row (created if missing), race-safe on the unique pair."""
    try:
        with transaction.atomic():
            return ResolutionStudy.objects.get_or_create(
                member_id=member_id, resolution_id=resolution_id
            )[0]
    except IntegrityError:  # a concurrent request created it first
        return ResolutionStudy.objects.get(member_id=member_id, resolution_id=resolution_id)


def start(member, resolution):
    """Record that the member opened the resolution (nothing if already recorded)."""
    return _row(_pk(member), _pk(resolution))


def _send(rule, member_id, resolution_id, at):
    def send():
        signals.points_earned.send(
            sender=ResolutionStudy,
            rule=rule,
            member_id=member_id,
            source=source_of(resolution_id),
            at=at,
        )

    transaction.on_commit(send)


def _complete_if_due(member_id, resolution_id, now):
    """Set ``completed_at`` once both conditions hold; send ``study.completed`` the one time it
    is set (a conditional UPDATE: two concurrent calls complete once)."""
    done = ResolutionStudy.objects.filter(
        member_id=member_id,
        resolution_id=resolution_id,
        read_at__isnull=False,
        quiz_passed_at__isnull=False,
        completed_at__isnull=True,
    ).update(completed_at=now)
    if done:
        _send(RULE_COMPLETED, member_id, resolution_id, now)
    return bool(done)


def mark_read(member, resolution, via=ReadingVia.TEXT, *, at=None):
    """The member reached the end of the text (or of the audio). Idempotent: only the first call
    sets ``read_at`` and sends ``study.read``. Returns ``(status, first_time)``."""
    if via not in ReadingVia.values:
        via = ReadingVia.TEXT
    member_id, resolution_id = _pk(member), _pk(resolution)
    now = at or timezone.now()
    with transaction.atomic():
        _row(member_id, resolution_id)
        first = ResolutionStudy.objects.filter(
            member_id=member_id, resolution_id=resolution_id, read_at__isnull=True
        ).update(read_at=now, read_via=via)
        if first:
            _send(RULE_READ, member_id, resolution_id, now)
            _complete_if_due(member_id, resolution_id, now)
    return study_status(member_id, resolution_id), bool(first)


def mark_quiz_passed(member_id, resolution_id, *, at=None):
    """For the quizzes part: the member passed the quiz of their audience for this resolution.
    Idempotent; completes the study (and sends ``study.completed``) if the reading is done.
    Returns True the first time it is recorded."""
    now = at or timezone.now()
    with transaction.atomic():
        _row(member_id, resolution_id)
        first = ResolutionStudy.objects.filter(
            member_id=member_id, resolution_id=resolution_id, quiz_passed_at__isnull=True
        ).update(quiz_passed_at=now)
        if first:
            _complete_if_due(member_id, resolution_id, now)
    return bool(first)


def outline_for(resolution, audience):
    """The outline of ``audience`` (or the first one there is), from prefetched outlines."""
    outlines = list(resolution.outlines.all())
    for outline in outlines:
        if outline.audience == audience:
            return outline
    return outlines[0] if outlines else None


def audience_of(member):
    """The outline and quiz audience of a member: every account here is a party member's
    (``dang_vien``); union and association members study from the outlines their secretaries
    present (``doan_vien_hoi_vien``), without an account of their own."""
    return Audience.DANG_VIEN if member is not None else None
