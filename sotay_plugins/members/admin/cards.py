"""Wagtail admin page of the printable QR cards (cards.py draws them; this stays thin).

    /quan-tri/the-qr/             pick a cell (among those where the user may issue credentials)
    /quan-tri/the-qr/<cell>.pdf   that cell's cards: A4, 8 a page, every member still in activity

Needs ``members.issue_activation`` at the cell (cell secretaries, member updaters above);
another cell answers 404. ``wagtail_hooks.py`` routes :data:`urlpatterns` and adds the menu item.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import OrgKind

from .. import cards
from ..models import Member
from ..services import VISIBLE_STATUSES

CAPABILITY = "members.issue_activation"


def cells_for(user):
    return (
        scope.managed_orgs(user, CAPABILITY)
        .filter(kind=OrgKind.CELL, is_active=True)
        .order_by("tree_id", "lft")
    )


class CardsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "members/qr/cards_admin.html"
    page_title = gettext_lazy("In thẻ QR điểm danh")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not scope.can(request.user, CAPABILITY):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cells"] = cells_for(self.request.user)[:500]
        return context


def cards_pdf(request, cell_id):
    cell = cells_for(request.user).filter(pk=cell_id).first()
    if cell is None:
        raise Http404
    members = (
        Member.objects.filter(cell=cell, status__in=VISIBLE_STATUSES)
        .order_by("full_name", "pk")
        .only("pk", "full_name", "qr_version")
    )
    body = cards.cards_pdf(members, cell_name=cell.name)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="the-qr-{cell.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("", CardsView.as_view(), name="index"),
    path("<int:cell_id>.pdf", cards_pdf, name="pdf"),
]


class CardsMenuItem(MenuItem):
    def is_shown(self, request):
        return scope.can(request.user, CAPABILITY)


def menu_item():
    return CardsMenuItem(
        gettext_lazy("In thẻ QR điểm danh"),
        reverse("members_cards:index"),
        name="the-qr",
        icon_name="doc-full",
        order=320,
    )
