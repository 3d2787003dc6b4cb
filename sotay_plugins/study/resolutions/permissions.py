"""Who may do what to a resolution page in the Wagtail admin: the scope engine, not Wagtail
groups (superusers keep Wagtail's own rules).

- ``MANAGE_STUDY`` held at (or above) the page's issuing unit → add and change (draft, submit to
  the workflow);
- ``PUBLISH_STUDY`` held there (the unit's editorial board) → publish, lock, unlock; everyone
  else goes through the workflow assigned to the study index (``services.study_index``);
- the index page: ``add`` for anyone who manages the study of some unit; nobody scoped edits,
  moves or deletes it.

This tester answers the per-page questions; the admin's listings, explorer, choosers, "add a
page" and the editorial board's workflow step read the ``ScopedPageType`` declared in ``apps``
(``registry.add_scoped_page``: the same capabilities at ``issuer_org``).
"""

from __future__ import annotations

from wagtail.models.pages import PagePermissionTester

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation

from .models import MANAGE_STUDY, PUBLISH_STUDY, ResolutionPage, StudyIndexPage

PUBLISH_ACTIONS = {"publish", "lock", "unlock"}


def _staff(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _issuer(user, page):
    org_id = page.__dict__.get("issuer_org_id")
    if org_id is None and "issuer_org_id" in page.get_deferred_fields():
        page.refresh_from_db(fields=["issuer_org"])
        org_id = page.issuer_org_id
    if not org_id:
        return None
    cache = user.__dict__.setdefault("_study_orgs", {})
    if org_id not in cache:
        cache[org_id] = Organisation.objects.filter(pk=org_id).first()
    return cache[org_id]


def page_rights(user, page):
    """The Wagtail actions the (non-superuser) user holds on a study page."""
    if not _staff(user):
        return set()
    if isinstance(page, StudyIndexPage):
        return {"add"} if scope.managed_orgs(user, MANAGE_STUDY).exists() else set()
    rights = set()
    if isinstance(page, ResolutionPage):
        org = _issuer(user, page)
        if org is None:
            return rights
        if scope.can(user, MANAGE_STUDY, org):
            rights.add("change")
        if scope.can(user, PUBLISH_STUDY, org):
            rights |= {"change"} | PUBLISH_ACTIONS
    return rights


class ResolutionPagePermissionTester(PagePermissionTester):
    """Wagtail's tester whose permission set comes from ``page_rights`` (superusers: Wagtail's)."""

    def __init__(self, user, page):
        super().__init__(user, page)
        self.scoped = bool(user.is_active and not user.is_superuser)
        if self.scoped:
            self.permissions = page_rights(user, page)

    def _is_index(self):
        return isinstance(self.page, StudyIndexPage)

    def can_edit(self):
        return not (self.scoped and self._is_index()) and super().can_edit()

    def can_publish(self):
        return not (self.scoped and self._is_index()) and super().can_publish()

    def can_unpublish(self):
        return not (self.scoped and self._is_index()) and super().can_unpublish()

    def can_delete(self, ignore_bulk=False):
        if not self.scoped:
            return super().can_delete(ignore_bulk=ignore_bulk)
        if self._is_index() or self.page_locked():
            return False
        return "change" in self.permissions and (
            not self.page.live or "publish" in self.permissions
        )

    def can_move(self):
        return not self.scoped and super().can_move()

    def can_move_to(self, destination):
        return not self.scoped and super().can_move_to(destination)

    def can_copy(self):
        return not self.scoped and super().can_copy()

    def can_copy_to(self, destination, recursive=False):
        return not self.scoped and super().can_copy_to(destination, recursive=recursive)

    def can_set_view_restrictions(self):
        return not self.scoped and super().can_set_view_restrictions()
