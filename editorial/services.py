"""Who may write what in the newsroom and the library, and what may never be stored.

Every rule asks the scope engine (``orgtree.scope``); nothing here re-implements it:

- news of a unit: ``WRITE_NEWS`` held at the unit (or above it);
- documents of an advisory body: ``UPLOAD_DOCUMENT`` held *for that body* (the body's 1–2
  uploaders: a role assignment with ``advisory_body`` set), or held above the body's committee
  with no body attached (an administrator above it); documents the committee issues itself (no
  body): ``UPLOAD_DOCUMENT`` held at the committee with no body attached;
- the editorial board approves with ``APPROVE`` held at the issuing unit (``workflows``);
- a classified (MẬT) document is refused whatever the right: the system never stores one.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import AdvisoryBody, Organisation
from sotay_plugins.text import tokens

from .models import APPROVE, UPLOAD_DOCUMENT, VIEW_LIBRARY, WRITE_NEWS, DocumentPage, NewsPage

#: Words of a document number (folded) that say it is classified: "MẬT", "TỐI MẬT", "TUYỆT MẬT".
CLASSIFIED_WORDS = {"mat"}


def is_classified_number(number):
    return any(word in CLASSIFIED_WORDS for word in tokens(number))


def classified_errors(document):
    """Field → Vietnamese error for a document the system must not store (empty: none)."""
    errors = {}
    if document.is_classified:
        errors["is_classified"] = _("Không được đăng văn bản mật (MẬT) lên hệ thống.")
    if is_classified_number(document.number):
        errors["number"] = _(
            "Số hiệu cho thấy đây là văn bản mật (MẬT): không được đăng lên hệ thống."
        )
    return errors


def _org(target):
    return scope.org_of(target) if not isinstance(target, Organisation) else target


def may_write_news(user, org):
    return org is not None and org.is_active and scope.can(user, WRITE_NEWS, org)


def may_upload(user, org, body=None):
    """May ``user`` upload documents issued by ``org`` (for ``body``, an advisory body of it)?"""
    if org is None or not org.is_active:
        return False
    if scope.is_superadmin(user):
        return True
    for grant in scope.grants(user):
        if not grant.allows(UPLOAD_DOCUMENT) or not grant.covers(org):
            continue
        if grant.body_id is None:
            return True  # an administrator (or uploader) of the unit itself or above it
        if body is not None and grant.body_id == getattr(body, "pk", body):
            return True
    return False


def upload_bodies(user, org):
    """The advisory bodies of ``org`` the user may upload documents for."""
    bodies = AdvisoryBody.objects.filter(org=org, is_active=True).order_by("name")
    if scope.is_superadmin(user):
        return bodies
    if any(
        g.allows(UPLOAD_DOCUMENT) and g.body_id is None and g.covers(org)
        for g in scope.grants(user)
    ):
        return bodies
    return bodies.filter(
        pk__in=[
            g.body_id
            for g in scope.grants(user)
            if g.allows(UPLOAD_DOCUMENT) and g.body_id and g.covers(org)
        ]
    )


def may_edit(user, page):
    """May ``user`` write (create, edit, submit, delete) this news article or document?"""
    page = getattr(page, "specific", page)
    org = page.issuer_org if page.issuer_org_id else None
    if isinstance(page, DocumentPage):
        return may_upload(user, org, page.advisory_body_id)
    if isinstance(page, NewsPage):
        return may_write_news(user, org)
    return False


def may_approve(user, page):
    page = getattr(page, "specific", page)
    return bool(getattr(page, "issuer_org_id", None)) and scope.can(user, APPROVE, page.issuer_org)


def writer_orgs(user):
    """Units where the user may write news or upload documents (admin choosers)."""
    return scope.managed_orgs(user, WRITE_NEWS) | scope.managed_orgs(user, UPLOAD_DOCUMENT)


def staff_orgs(user):
    """Units whose pages the user may list in the admin (write, approve or view rights)."""
    ranges = scope.managed_ranges(user, WRITE_NEWS, UPLOAD_DOCUMENT, APPROVE, VIEW_LIBRARY)
    return ranges
