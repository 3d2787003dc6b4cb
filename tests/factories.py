"""Factories for every plugin's tests, in one place. Trees are built through the services so
the nested-set fields are real."""

import itertools
from datetime import date

import factory
from django.contrib.auth import get_user_model

from sotay_plugins.members.cccd import make_cccd
from sotay_plugins.members.models import Member
from sotay_plugins.orgtree.choices import OrgKind
from sotay_plugins.orgtree.models import Organisation, Role, RoleAssignment

_codes = itertools.count(1)
_serial = itertools.count(1)


def org(kind, parent=None, name=None, code=None):
    """Create an organisation under ``parent`` (through save(), which takes the tree lock)."""
    n = next(_codes)
    code = code or (f"{parent.code}.{n:03d}" if parent else f"P{n}")
    return Organisation.objects.create(
        name=name or f"{OrgKind(kind).label} {n}", code=code, kind=kind, parent=parent
    )


def small_tree():
    """province → 2 districts → 1 base each → 2 cells each; returns a dict of named units."""
    p = org(OrgKind.PROVINCE, name="Tỉnh A")
    d1, d2 = org(OrgKind.DISTRICT, p, "Huyện 1"), org(OrgKind.DISTRICT, p, "Huyện 2")
    b1, b2 = org(OrgKind.BASE, d1, "Xã 1"), org(OrgKind.BASE, d2, "Xã 2")
    return {
        "province": p,
        "d1": d1,
        "d2": d2,
        "b1": b1,
        "b2": b2,
        "c11": org(OrgKind.CELL, b1, "Chi bộ 1.1"),
        "c12": org(OrgKind.CELL, b1, "Chi bộ 1.2"),
        "c21": org(OrgKind.CELL, b2, "Chi bộ 2.1"),
        "c22": org(OrgKind.CELL, b2, "Chi bộ 2.2"),
    }


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"canbo{n}")
    password = factory.django.Password("Matkhau@123")
    is_active = True


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    full_name = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    gender = "male"
    birth_date = date(1970, 5, 2)
    cccd = factory.LazyAttribute(lambda m: make_cccd("034", m.birth_date, m.gender, next(_serial)))
    party_record_no = factory.Sequence(lambda n: f"01.001.{n:06d}")
    user = factory.LazyAttribute(lambda m: UserFactory(username=m.cccd))
    group = "official"
    joined_on = date(2000, 1, 1)
    official_on = date(2001, 1, 1)


def grant(user, role_code, org, body=None):
    """Give ``user`` the built-in role at ``org`` and forget their cached grants."""
    from sotay_plugins.orgtree import scope

    assignment = RoleAssignment.objects.create(
        user=user, role=Role.objects.get(code=role_code), org=org, advisory_body=body
    )
    scope.forget(user)
    return assignment


def staff(role_code, org, username=None):
    """A new user holding the built-in role ``role_code`` at ``org``."""
    user = UserFactory(username=username) if username else UserFactory()
    grant(user, role_code, org)
    return user


# --- the admin, through the test client -------------------------------------------------------

BACKEND = "django.contrib.auth.backends.ModelBackend"


def login(client, user):
    """Log ``user`` in on ``client`` (with a backend named: several are installed)."""
    client.force_login(user, backend=BACKEND)
    return client


def denied(response):
    """Wagtail answers PermissionDenied with a redirect to the admin home and a message."""
    from django.urls import reverse

    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


def listed(response):
    """The primary keys an admin listing shows."""
    assert response.status_code == 200, response.status_code
    return {obj.pk for obj in response.context["object_list"]}


def ensure_site():
    """Wagtail's root page, the province's HomePage, the default site and the root collection,
    as the migrations make them: a transactional test (``django_db(transaction=True)``) flushes
    every table when it ends, and later tests that publish pages need them back."""
    from wagtail.models import Collection, Locale, Page, Site

    from editorial.models import HomePage

    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    home = HomePage.objects.order_by("path").first()
    if home is None:
        Locale.objects.get_or_create(language_code="vi")
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        home = root.add_child(instance=HomePage(title="Sổ tay đảng viên điện tử", slug="trang-chu"))
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(
            hostname="localhost",
            root_page=home,
            is_default_site=True,
            site_name="Sổ tay đảng viên điện tử",
        )
    return home


DOCUMENT_DEFAULTS = {
    "title": "Nghị quyết về xây dựng Đảng",
    "number": "15-NQ/TU",
    "kind": "nghi_quyet",
    "issued_on": date(2026, 3, 1),
    "summary": "Về tăng cường công tác xây dựng Đảng",
}
NEWS_DEFAULTS = {"title": "Hội nghị Ban Chấp hành", "category": "leadership", "lead": "Sáng nay"}


def published(page_class, org, audience=None, **fields):
    """A live news article or document issued by ``org`` (audience: ``org`` unless given), added
    to the unit's section (made on demand). ``fields`` override the defaults."""
    from editorial.models import DocumentPage, NewsPage
    from editorial.sections import section_for

    defaults = {DocumentPage: DOCUMENT_DEFAULTS, NewsPage: NEWS_DEFAULTS}.get(page_class, {})
    page = page_class(
        issuer_org=org, audience_org=audience or org, **{**defaults, "live": True, **fields}
    )
    section_for(org).add_child(instance=page)
    return page


def document_page(org, audience=None, **fields):
    from editorial.models import DocumentPage

    return published(DocumentPage, org, audience, **fields)


def news_page(org, audience=None, **fields):
    from editorial.models import NewsPage

    return published(NewsPage, org, audience, **fields)
