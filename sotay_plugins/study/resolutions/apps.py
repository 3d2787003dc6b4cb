"""What the resolutions part registers (called from the plugin's ``StudyConfig.register``)."""

import re
from html import unescape

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

#: Who prepares the study: the document uploaders of a unit's advisory bodies (Ban Tuyên giáo
#: prepares resolutions for study), no role of its own (a new built-in role changes the list
#: every deployment's administrators choose from; tests/test_plugins.py pins it).
STUDY_OFFICER = "document_uploader"
#: The editorial board's role (declared by the editorial module): it publishes resolutions too.
#: Named by its code only; while no enabled plugin declares it, it bundles nothing.
EDITORIAL_BOARD_ROLE = "editorial_board"


def register(registry):
    from sotay_plugins.orgtree.roles import CELL_SECRETARY, VIEWER
    from sotay_plugins.registry import (
        ScopedPageType,
        SearchableKind,
        ShellTab,
        SpokenKind,
    )

    from .api import ResolutionViewSet
    from .demo import register_seeder
    from .models import (
        MANAGE_STUDY,
        PUBLISH_STUDY,
        VIEW_STUDY,
        ResolutionOutline,
        ResolutionPage,
        StudyIndexPage,
    )

    registry.add_capability(
        VIEW_STUDY,
        _("Xem kết quả học tập nghị quyết của các đơn vị trực thuộc"),
        roles=[STUDY_OFFICER, VIEWER, CELL_SECRETARY],
    )
    registry.add_capability(
        MANAGE_STUDY,
        _("Soạn nghị quyết, ban hành kế hoạch và tổ chức buổi học tập"),
        roles=[STUDY_OFFICER],
    )
    registry.add_capability(
        PUBLISH_STUDY,
        _("Đăng nghị quyết để học tập (Ban Biên tập)"),
        roles=[EDITORIAL_BOARD_ROLE],
    )
    # The resolution page in the admin and the workflow: written by MANAGE_STUDY at its issuing
    # unit, approved (and published) by PUBLISH_STUDY there, i.e. that unit's editorial board;
    # the module owning the page policy and the workflow lists and judges it by this declaration.
    registry.add_scoped_page(
        ScopedPageType(
            key="study.resolution",
            model=ResolutionPage,
            write_capability=MANAGE_STUDY,
            approve_capability=PUBLISH_STUDY,
            org_field="issuer_org",
            parent_model=StudyIndexPage,
        )
    )
    registry.add_shell_tab(ShellTab("study", _("Học tập"), "study:home", icon="✎", order=250))
    registry.add_api_route("resolutions", ResolutionViewSet, "resolution")
    # Found by the one search (its number, summary, full text and outlines), scoped like the
    # reader: the search module indexes it through the extension point, knowing no model here.
    registry.add_searchable(
        SearchableKind(
            "study.resolution",
            _("Nghị quyết"),
            ResolutionPage,
            date_field="issued_on",
            date_label=_("Ban hành"),
            queryset=lambda: ResolutionPage.objects.live(),
            url=lambda page: reverse("study:resolution", args=[page.pk]),
            order=15,
            number_field="number",
            text=_resolution_text,
            related=((ResolutionOutline, "page_id"),),
            prefetch=("outlines",),
        )
    )
    # An audio version made on the server (``sotay_plugins.speech``) for phones without a
    # Vietnamese voice, unless the resolution has a recorded reading; served by the reader's
    # audio view after its scope check.
    registry.add_spoken_kind(
        SpokenKind(
            "study.resolution",
            _("Nghị quyết"),
            ResolutionPage,
            spoken_text,
            lambda: ResolutionPage.objects.live().order_by("pk"),
            order=15,
        )
    )
    # Studying resolutions per cell and month, for the reports' roll-ups (issue 16).
    from .statistics import provider as statistics_provider

    registry.add_statistic(statistics_provider())
    register_seeder(registry)


def _resolution_text(page):
    """What the search indexes of a resolution besides its title and number."""
    parts = [page.summary, strip_tags(str(page.body)) if page.body else ""]
    parts += [f"{o.title} {strip_tags(o.body or '')}" for o in page.outlines.all()]
    return " ".join(p for p in parts if p)


_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote)>|<br\s*/?>", re.IGNORECASE)


def _plain(html):
    return unescape(strip_tags(_BLOCK_END.sub("\n", html or "")))


def spoken_text(page):
    """What the server reads aloud of a resolution: its number, title, issuing body, summary and
    full text (headings and paragraphs), as the reader shows them. Empty (no audio made) when the
    resolution has a recorded reading of its own (a file or a link)."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext

    if page.audio or page.audio_url:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [gettext("Nghị quyết số %(number)s") % {"number": page.number}, f"{page.title}."]
        if page.issued_by:
            lines.append(gettext("Cơ quan ban hành: %(body)s.") % {"body": page.issued_by})
        lines += [gettext("Trích yếu:"), page.summary]
    for block in page.body or []:
        if block.block_type == "heading":
            lines.append(f"{block.value}.")
        elif block.block_type == "paragraph":
            lines.append(_plain(block.value.source))
    return "\n".join(lines)
