"""Page and file rights in the Wagtail admin, from the scope engine, not from Wagtail groups.

Staff rights are capabilities held at an organisation (RoleAssignment): ``WRITE_NEWS`` (news
editors and the board), ``UPLOAD_DOCUMENT`` (the 1–2 uploaders of an advisory body, or an
administrator above it), ``APPROVE`` (the editorial board). Wagtail asks two things about pages,
and both are answered here:

- **the page permission policy** (``policy_registry.get_by_type(Page)``): Wagtail 8 asks it
  every model-level question and for every listing queryset: the explorer and its search, the
  "Pages" menu, the reports (locked pages, aging pages, workflows, site history / page logs,
  page types), the admin API. ``ScopedPagePermissionPolicy`` (registered for ``Page`` in ``ready``)
  answers with querysets built on ``scope.managed_orgs`` / ``scope.grants``;
- **the page permission tester** (``page.permissions_for_user(user)``): the per-page questions
  (edit, publish, delete, lock, add a child). The newsroom's page classes return
  ``ScopedPagePermissionTester``, which computes the page's rights with ``services`` (may_edit,
  may_write_news, may_upload, may_approve) and reuses Wagtail's own logic for the rest
  (locks, workflows, "submit for moderation").

Why not a Wagtail Group with add/change/publish at the HomePage, narrowed per page: group page
permissions flow down the *page* tree by path, but sections are flat children of the HomePage
while rights follow the *organisation* tree. The group would grant every section to every editor
and each listing, report and chooser would have to be filtered again (and a second source of
rights kept in step with RoleAssignment). With the policy and the tester Wagtail has one source,
the scope engine, and its own views need no patching. Superusers keep Wagtail's defaults.

Two gaps remain where Wagtail loads a page before asking anything, and both ask this module's
rule: views whose URL (or the page chooser's ``id``s) names a page answer 404 for a page outside
``explorable_pages`` / ``choosable_pages`` (``editorial.middleware``); bulk actions drop every id
outside ``admin_visible`` before loading (``_scoped_actionable_objects``), so their confirmation
page cannot list another unit's titles as "no permission".

The rights, per page:

============  ===========================  ==========================  =====================
page          add (a child)                change                      publish / lock
============  ===========================  ==========================  =====================
home          writer anywhere (a section)  –                           –
section(org)  writer at org                writer or board at org      board at org
news          –                            WRITE_NEWS at the issuer    board at the issuer
document      –                            may_upload(issuer, body)    board at the issuer
============  ===========================  ==========================  =====================

A plugin's page types registered as ``ScopedPageType`` (``registry.add_scoped_page``: a
resolution of the study plugin) are listed, opened and approved here by the same rule: the
type's write capability at the page's unit → change (and add under its index page), its approve
capability there → publish / lock and the workflow's approval (``workflows``); the type's index
page is explorable for whoever holds either anywhere. The per-page tester stays the plugin's.

Scoped users never move, copy, set view restrictions (reading is the scope engine's), delete a
section or the home page, or delete a live page without the right to publish it.

Files (``LibraryFile``, Wagtail's document model): ``ScopedLibraryFilePolicy`` lets writers
upload, and lists/chooses only the files they uploaded or that are attached to pages they may
edit (the documents index, the chooser, the multiple upload). Images (a news article's lead
image and body images) cannot be cut by organisation: Wagtail's images belong to collections,
not units, and are not attached to pages by a relation we could follow. ``ScopedImagePolicy``
therefore lets writers upload images and shows them (index and chooser) only the images they
uploaded themselves; superusers see all.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.models import Collection, GroupPagePermission, Page
from wagtail.models.pages import PagePermissionTester
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import policy_registry, register_permission_policy

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import Organisation
from sotay_plugins.registry import registry

from . import services
from .models import (
    APPROVE,
    UPLOAD_DOCUMENT,
    WRITE_NEWS,
    DocumentFile,
    DocumentPage,
    HomePage,
    LibraryFile,
    NewsAttachment,
    NewsPage,
    ScopedPage,
    SectionPage,
)

WRITE_ACTIONS = {"add", "change"}
APPROVE_ACTIONS = {"publish", "lock", "unlock"}


def _staff(user):
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_writer(user):
    """Does the user write news or documents anywhere?"""
    return scope.can(user, WRITE_NEWS) or scope.can(user, UPLOAD_DOCUMENT)


def is_approver(user):
    return scope.can(user, APPROVE)


# --- the plugins' scoped page types (``registry.add_scoped_page``) --------------------------


def page_types():
    return tuple(registry.scoped_pages.values())


def writes_page_types(user):
    """The registered page types the user writes somewhere."""
    return [kind for kind in page_types() if scope.can(user, kind.write_capability)]


def approves_page_types(user):
    """The registered page types the user approves somewhere."""
    return [kind for kind in page_types() if scope.can(user, kind.approve_capability)]


def is_page_staff(user):
    """Does the user write or approve any page (the newsroom's or a registered type)?"""
    return (
        is_writer(user)
        or is_approver(user)
        or bool(writes_page_types(user))
        or bool(approves_page_types(user))
    )


def registered_pages(user, actions):
    """The pages of registered types on which the user may do any of ``actions``: ``change``
    with the write or approve capability at the page's unit, publish / lock / unlock with the
    approve capability there, ``add`` on the type's index page with the write capability
    anywhere. A Q on Page."""
    actions = set(actions)
    q = Q(pk__in=[])
    for kind in page_types():
        within = f"{kind.org_field}__in"
        caps = []
        if "change" in actions:
            caps.append(kind.write_capability)
        if actions & (APPROVE_ACTIONS | {"change"}):
            caps.append(kind.approve_capability)
        for cap in caps:
            if scope.can(user, cap):
                q |= Q(pk__in=kind.model.objects.filter(**{within: _orgs(user, cap)}).values("pk"))
        if "add" in actions and kind.parent_model is not None:
            if scope.can(user, kind.write_capability):
                q |= Q(pk__in=kind.parent_model.objects.values("pk"))
    return q


def registered_indexes(user):
    """The index pages of the registered types the user writes or approves (a Q on Page)."""
    q = Q(pk__in=[])
    kinds = {kind.key: kind for kind in writes_page_types(user) + approves_page_types(user)}
    for kind in kinds.values():
        if kind.parent_model is not None:
            q |= Q(pk__in=kind.parent_model.objects.values("pk"))
    return q


# --- querysets ----------------------------------------------------------------------------


def _orgs(user, capability):
    return scope.managed_orgs(user, capability).values("pk")


def writable_news(user):
    return NewsPage.objects.filter(issuer_org__in=_orgs(user, WRITE_NEWS))


def writable_documents(user):
    """Documents the user may write: ``services.may_upload`` as a queryset. A body's uploader
    writes that body's documents (a body belongs to the issuing unit: ``DocumentPage.clean``);
    an uploader with no body attached writes every document issued under their unit."""
    q = Q(pk__in=[])
    body_ids = []
    for grant in scope.grants(user):
        if not grant.allows(UPLOAD_DOCUMENT):
            continue
        if grant.body_id is None:
            q |= scope.within(grant, "issuer_org")
        else:
            body_ids.append(grant.body_id)
    if body_ids:
        q |= Q(advisory_body_id__in=body_ids, issuer_org__in=_orgs(user, UPLOAD_DOCUMENT))
    return DocumentPage.objects.filter(q)


def approvable_pages(user):
    """Pages whose unit's board the user sits on (news, documents and sections), and the
    registered types' pages whose unit they approve."""
    orgs = _orgs(user, APPROVE)
    return Page.objects.filter(
        Q(pk__in=NewsPage.objects.filter(issuer_org__in=orgs).values("pk"))
        | Q(pk__in=DocumentPage.objects.filter(issuer_org__in=orgs).values("pk"))
        | Q(pk__in=SectionPage.objects.filter(organisation__in=orgs).values("pk"))
        | registered_pages(user, APPROVE_ACTIONS)
    )


def section_orgs(user):
    """Units where the user may open a section: those they write for that have none yet."""
    orgs = scope.managed_orgs(user, WRITE_NEWS) | scope.managed_orgs(user, UPLOAD_DOCUMENT)
    return Organisation.objects.filter(pk__in=orgs.values("pk"), is_active=True).exclude(
        pk__in=SectionPage.objects.values("organisation_id")
    )


def writer_sections(user):
    orgs = scope.managed_orgs(user, WRITE_NEWS) | scope.managed_orgs(user, UPLOAD_DOCUMENT)
    return SectionPage.objects.filter(organisation__in=orgs.values("pk"))


def managed_pages(user, actions):
    """The pages on which the user may do any of ``actions`` (a lazy Page queryset)."""
    if scope.is_superadmin(user):
        return Page.objects.all()
    if not _staff(user):
        return Page.objects.none()
    actions = set(actions)
    q = Q(pk__in=[])
    if actions & WRITE_ACTIONS and is_writer(user):
        q |= Q(pk__in=writer_sections(user).values("pk"))
        if "change" in actions:
            q |= Q(pk__in=writable_news(user).values("pk")) | Q(
                pk__in=writable_documents(user).values("pk")
            )
        if "add" in actions:
            q |= Q(pk__in=HomePage.objects.values("pk"))
    # The board acts on its units' pages (it edits a page under review, ``workflows``): listings and
    # reports of what it may change include them.
    if actions & (APPROVE_ACTIONS | {"change"}) and is_approver(user):
        q |= Q(pk__in=approvable_pages(user).values("pk"))
    q |= registered_pages(user, actions)
    return Page.objects.filter(q)


def explorable_pages(user):
    """What the explorer, its search and the reports may show the user: the pages they manage,
    and the home page above them."""
    if scope.is_superadmin(user):
        return Page.objects.all()
    pages = managed_pages(user, WRITE_ACTIONS | APPROVE_ACTIONS)
    if is_writer(user) or is_approver(user):
        pages = pages | Page.objects.filter(pk__in=HomePage.objects.values("pk"))
    if page_types():
        pages = pages | Page.objects.filter(registered_indexes(user))
    return pages


def choosable_pages(user):
    """What a page chooser may offer (links in rich text, a document's related documents):
    the pages the user manages, the live news and documents they may read, and live ones
    addressed to a unit where they work (a province resolution their district implements),
    with the sections and home page above those."""
    from . import reading

    if scope.is_superadmin(user):
        return Page.objects.all()
    if not _staff(user):
        return Page.objects.none()
    addressed = Q(pk__in=[])
    for grant in scope.grants(user):
        if any(grant.allows(cap) for cap in (WRITE_NEWS, UPLOAD_DOCUMENT, APPROVE)):
            addressed |= scope.containing(grant, "audience_org")
    items = Q(pk__in=explorable_pages(user).values("pk"))
    sections = Q(pk__in=[])
    for model in (NewsPage, DocumentPage):
        readable = model.objects.live().filter(
            Q(pk__in=reading.readable(user, model).values("pk")) | addressed
        )
        items |= Q(pk__in=readable.values("pk"))
        sections |= Q(organisation__in=readable.values("issuer_org_id"))
    sections = SectionPage.objects.filter(sections).values("pk")
    return Page.objects.filter(
        items | Q(pk__in=sections) | Q(pk__in=HomePage.objects.values("pk")) | Q(depth=1)
    )


def linkable_documents(user):
    """Documents a document may link to ("implements", "amends", "replaces")."""
    return DocumentPage.objects.filter(pk__in=choosable_pages(user).values("pk"))


# --- the page permission policy ------------------------------------------------------------


class ScopedPagePermissionPolicy(PagePermissionPolicy):
    """Wagtail's page policy with the scope engine as the only source of rights."""

    def get_all_permissions_for_user(self, user):
        return GroupPagePermission.objects.none()  # Wagtail groups grant no page rights here

    def user_has_any_permission(self, user, actions):
        base = self._base_user_has_permission(user)
        if base is not None:
            return base
        actions = set(actions)
        if actions & WRITE_ACTIONS and (is_writer(user) or writes_page_types(user)):
            return True
        return bool(actions & (APPROVE_ACTIONS | {"change"})) and (
            is_approver(user) or bool(approves_page_types(user))
        )

    def user_has_any_permission_for_instance(self, user, actions, instance):
        base = self._base_user_has_permission(user)
        if base is not None:
            return base
        return bool(set(actions) & instance.permissions_for_user(user).permissions)

    def instances_user_has_any_permission_for(self, user, actions):
        base = self._base_queryset_for_user(user)
        if base is not None:
            return base
        return managed_pages(user, actions)

    def instances_with_direct_explore_permission(self, user):
        if user.is_superuser:
            return super().instances_with_direct_explore_permission(user)
        pages = []
        if is_writer(user) or is_approver(user):
            pages = list(HomePage.objects.order_by("path")[:1])
        if page_types():
            pages += list(Page.objects.filter(registered_indexes(user)).order_by("path"))
        return pages

    def explorable_instances(self, user):
        base = self._base_queryset_for_user(user)
        if base is not None:
            return base
        return explorable_pages(user)

    def _holders(self, actions, org=None, kind=None):
        """Who holds ``actions`` (at ``org``): the newsroom's capabilities, or those of a
        registered page type ``kind``."""
        from sotay_plugins.orgtree.admin.scoped import ScopePermissionPolicy

        capabilities = {}
        if set(actions) & WRITE_ACTIONS:
            if kind is None:
                capabilities.update(write_news=WRITE_NEWS, upload=UPLOAD_DOCUMENT)
            else:
                capabilities["write"] = kind.write_capability
        if set(actions) & (APPROVE_ACTIONS | {"change"}):
            capabilities["approve"] = APPROVE if kind is None else kind.approve_capability
        if not capabilities:
            return get_user_model().objects.filter(is_active=True, is_superuser=True)
        policy = ScopePermissionPolicy(Organisation, capabilities)
        if org is None:
            return policy.users_with_any_permission(list(capabilities))
        return policy.users_with_any_permission_for_instance(list(capabilities), org)

    def users_with_any_permission(self, actions, include_superusers=True):
        return self._holders(actions)

    def users_with_any_permission_for_instance(self, actions, instance, include_superusers=True):
        from .workflows import page_org

        org = page_org(instance)
        if org is None:
            return get_user_model().objects.filter(is_active=True, is_superuser=True)
        return self._holders(actions, org, registry.scoped_page_type(instance.specific))


# --- the page permission tester ------------------------------------------------------------


def _load(page, *attnames):
    """The page's fields, reading the deferred ones in one query (listings pass deferred pages)."""
    deferred = page.get_deferred_fields()
    missing = [name for name in attnames if name in deferred]
    if missing and page.pk:
        page.refresh_from_db(fields=missing)
    return [getattr(page, name) for name in attnames]


def _org(user, org_id):
    """The organisation, read once per request (kept on the user object, like the grants)."""
    if not org_id:
        return None
    cache = user.__dict__.setdefault("_editorial_orgs", {})
    if org_id not in cache:
        cache[org_id] = Organisation.objects.filter(pk=org_id).first()
    return cache[org_id]


def page_rights(user, page):
    """The Wagtail actions (add, change, publish, lock, unlock) the user holds on ``page``."""
    if not _staff(user):
        return set()
    if isinstance(page, HomePage):
        return {"add"} if is_writer(user) else set()
    rights = set()
    if isinstance(page, SectionPage):
        org = _org(user, _load(page, "organisation_id")[0])
        if org is None:
            return rights
        if services.may_write_news(user, org) or (
            org.is_active
            and (services.may_upload(user, org) or services.upload_bodies(user, org).exists())
        ):
            rights |= {"add", "change"}
        if scope.can(user, APPROVE, org):
            rights |= {"change", "publish"}
        return rights
    if isinstance(page, ScopedPage):
        fields = (
            ("issuer_org_id", "advisory_body_id")
            if isinstance(page, DocumentPage)
            else ("issuer_org_id",)
        )
        values = _load(page, *fields)
        org = _org(user, values[0])
        if org is None:
            return rights
        writes = (
            services.may_upload(user, org, values[1])
            if isinstance(page, DocumentPage)
            else services.may_write_news(user, org)
        )
        if writes:
            rights.add("change")
        if scope.can(user, APPROVE, org):
            rights |= APPROVE_ACTIONS
    return rights


class ScopedPagePermissionTester(PagePermissionTester):
    """Wagtail's tester whose permission set comes from ``page_rights`` (superusers: Wagtail's)."""

    def __init__(self, user, page):
        super().__init__(user, page)
        self.scoped = bool(user.is_active and not user.is_superuser)
        if self.scoped:
            self.permissions = page_rights(user, page)

    def _is_home(self):
        return isinstance(self.page, HomePage)

    def can_edit(self):
        if self.scoped and self._is_home():
            return False
        return super().can_edit()

    def can_publish(self):
        if self.scoped and self._is_home():
            return False
        return super().can_publish()

    def can_unpublish(self):
        if self.scoped and self._is_home():
            return False
        return super().can_unpublish()

    def can_publish_subpage(self):
        if self.scoped and self._is_home():  # a section is a container: its writer opens it live
            return "add" in self.permissions and self.can_add_subpage()
        return super().can_publish_subpage()

    def can_delete(self, ignore_bulk=False):
        if not self.scoped:
            return super().can_delete(ignore_bulk=ignore_bulk)
        if not isinstance(self.page, ScopedPage) or self.page_locked():
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


# --- the library's files ---------------------------------------------------------------------


def files_for(user):
    """Library files the user may see, choose and edit in the admin: the ones they uploaded, and
    the ones attached to a page they may edit."""
    if scope.is_superadmin(user):
        return LibraryFile.objects.all()
    if not _staff(user) or not is_writer(user):
        return LibraryFile.objects.none()
    pages = managed_pages(user, {"change"}).values("pk")
    return LibraryFile.objects.filter(
        Q(uploaded_by_user=user)
        | Q(pk__in=DocumentFile.objects.filter(page__in=pages).values("file_id"))
        | Q(pk__in=NewsAttachment.objects.filter(page__in=pages).values("file_id"))
    )


class ScopedLibraryFilePolicy(CollectionOwnershipPermissionPolicy):
    """Writers upload files and act on ``files_for`` theirs; Wagtail groups grant nothing."""

    ACTIONS = {"add", "change", "delete", "choose"}

    def __init__(self):
        super().__init__(
            LibraryFile, auth_model="wagtaildocs.Document", owner_field_name="uploaded_by_user"
        )

    def get_all_permissions_for_user(self, user):
        return super().get_all_permissions_for_user(user).none()

    def user_has_permission(self, user, action):
        return self.user_has_any_permission(user, [action])

    def user_has_any_permission(self, user, actions):
        if scope.is_superadmin(user):
            return True
        return bool(set(actions) & self.ACTIONS) and _staff(user) and is_writer(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if scope.is_superadmin(user):
            return True
        if not set(actions) & self.ACTIONS:
            return False
        return files_for(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if scope.is_superadmin(user):
            return LibraryFile.objects.all()
        if not set(actions) & self.ACTIONS:
            return LibraryFile.objects.none()
        return files_for(user)

    def collections_user_has_any_permission_for(self, user, actions):
        if scope.is_superadmin(user):
            return Collection.objects.all()
        if self.user_has_any_permission(user, actions):
            return Collection.objects.filter(depth=1)  # one collection: the form hides the field
        return Collection.objects.none()

    def users_with_any_permission(self, actions):
        return get_user_model().objects.filter(is_active=True, is_superuser=True)

    def users_with_any_permission_for_instance(self, actions, instance):
        users = Q(is_superuser=True)
        if instance.uploaded_by_user_id:
            users |= Q(pk=instance.uploaded_by_user_id)
        return get_user_model().objects.filter(users, is_active=True)


class ScopedImagePolicy(ScopedLibraryFilePolicy):
    """Writers upload images and see only their own (images carry no organisation)."""

    def __init__(self):
        from wagtail.images import get_image_model

        CollectionOwnershipPermissionPolicy.__init__(
            self,
            get_image_model(),
            auth_model="wagtailimages.Image",
            owner_field_name="uploaded_by_user",
        )

    def _own(self, user):
        if scope.is_superadmin(user):
            return self.model._default_manager.all()
        if not _staff(user) or not (is_writer(user) or writes_page_types(user)):
            return self.model._default_manager.none()
        return self.model._default_manager.filter(uploaded_by_user=user)

    def user_has_any_permission(self, user, actions):
        if super().user_has_any_permission(user, actions):
            return True
        return bool(set(actions) & self.ACTIONS) and _staff(user) and bool(writes_page_types(user))

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if scope.is_superadmin(user):
            return True
        return bool(set(actions) & self.ACTIONS) and self._own(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if not scope.is_superadmin(user) and not set(actions) & self.ACTIONS:
            return self.model._default_manager.none()
        return self._own(user)


# --- what an admin view may name -------------------------------------------------------------

ADMIN_ACTIONS = ["add", "change", "delete", "choose", "publish", "lock", "unlock"]


def admin_visible(user, model):
    """The objects of ``model`` that any admin view may name to ``user``: for pages the
    explorer's rule (``explorable_pages``); for any other model, what its permission policy
    lets the user act on (the library's files and images: ``files_for`` and the user's own
    images; Wagtail's users, groups, sites…: everything for whoever holds Django's rights on
    them, i.e. superusers, else nothing)."""
    if issubclass(model, Page):
        return model.objects.filter(pk__in=explorable_pages(user).values("pk"))
    policy = policy_registry.get_by_type(model)
    return policy.instances_user_has_any_permission_for(user, ADMIN_ACTIONS)


def _scoped_actionable_objects(self):
    """``BulkAction.get_actionable_objects`` asking ``admin_visible`` first.

    Wagtail's bulk actions load every id of the query string (or every child of ``childOf``)
    and list those the user may not act on by title, as "no permission": another unit's drafts
    included. Here ids outside the user's scope are dropped before anything is loaded, as if
    they did not exist (none left: 404, Wagtail's answer to unknown ids)."""
    request = self.request
    ids = request.GET.getlist("id")
    if "all" in ids:
        ids = self.get_all_objects_in_listing_query(request.GET.get("childOf"))
    ids = [str(pk) for pk in ids]
    if not scope.is_superadmin(request.user):
        visible = admin_visible(request.user, self.model).filter(
            pk__in=[i for i in ids if i.isdigit()]
        )
        ids = [str(pk) for pk in visible.values_list("pk", flat=True)]
    objects, no_access = [], []
    for obj in self.get_queryset(self.model, ids):
        (objects if self.check_perm(obj) else no_access).append(obj)
    return objects, {"items_with_no_access": no_access}


def scope_bulk_actions():
    from wagtail.admin.views.bulk_action import BulkAction

    BulkAction.get_actionable_objects = _scoped_actionable_objects


def register_policies():
    """Put the scoped policies in Wagtail's registry (idempotent; ``EditorialConfig.ready``
    calls it, before any view asks Wagtail for a policy), and cut Wagtail's bulk actions to them
    (``_scoped_actionable_objects``)."""
    scope_bulk_actions()
    if not isinstance(
        policy_registry.get_by_type(Page, fallback=False), ScopedPagePermissionPolicy
    ):
        register_permission_policy(Page, ScopedPagePermissionPolicy(Page))
    if not isinstance(
        policy_registry.get_by_type(LibraryFile, fallback=False), ScopedLibraryFilePolicy
    ):
        register_permission_policy(LibraryFile, ScopedLibraryFilePolicy(), exact_class=True)
    from wagtail.images import get_image_model

    image_model = get_image_model()
    if not isinstance(policy_registry.get_by_type(image_model, fallback=False), ScopedImagePolicy):
        register_permission_policy(image_model, ScopedImagePolicy(), exact_class=True)
