"""Junk posted to every form of the member shell and of the admin (our models), as each role.

The forms are found, not listed: every URL of the member shell, and every admin URL whose view
lives in our own apps, is opened (GET) as a member, a cell secretary, district staff and a full
admin, with its integer arguments filled with real objects; each page that holds a
``<form method="post">`` is then sent junk built from that form's own field names:

- nothing at all (every required field missing);
- a 100,000-character string in every field;
- lists where one value is expected, with Unicode look-alikes of a CCCD's digits (fullwidth,
  Arabic-Indic) and words where numbers and dates are expected;
- a 10 MB body (once per form).

Never a 500. A refused form (re-shown: 200 or 400) says why in Vietnamese and changes nothing
(row counts of our apps' models, before and after). Delete confirmations and signing out are
left out: they take no fields and are meant to act on an empty POST.

What it found, and the causes fixed (before → after):
- ``POST /chu-lon/`` (large type) and ``POST /doc-sau/<id>/`` with ``next=abc``: 500
  (NoReverseMatch: ``redirect("abc")`` takes a bare word for a view name) → 302 to the checked
  address itself (HttpResponseRedirect).
- Admin forms with the organisation chooser (``/quan-tri/sinh-hoat/new/``, members, materials)
  posted with a word as the unit: 500 (ValueError: the widget re-shown with the errors looked the
  word up as an id) → the form again, with its Vietnamese error
  (sotay_plugins.orgtree.admin.chooser.OrganisationChooser.get_instance).
"""

import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from sotay_plugins.meetings import services
from sotay_plugins.orgtree.models import AdvisoryBody
from tests.factories import MemberFactory, UserFactory, document_page, grant

OUR_APPS = ("orgtree", "members", "meetings", "editorial", "sotay_plugins")
SKIP_NAMES = ("delete", "logout")
SHELL_SKIP_PREFIXES = ("quan-tri/", "api/", "django-rq/", "i18n/", "trang/", "__")
FORM = re.compile(r"<form\b[^>]*method=[\"']?post[\"']?[^>]*>(.*?)</form>", re.I | re.S)
ACTION = re.compile(r"\baction=[\"']([^\"']*)[\"']", re.I)
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=[\"']([^\"']+)[\"']", re.I)
LOOKALIKES = ["０３４０７０００００３８", "٠٣٤٠٧٠٠٠٠٠٣٨", "O34O7OOOOO38", "abc", "2026-13-45"]
TEN_MB = 10 * 1024 * 1024
ERROR_MARK = re.compile(
    r"<(\w+)[^>]*class=\"[^\"]*(?:errorlist|error-message|w-field__errors|messages? error|"
    r"help-critical)[^\"]*\"[^>]*>(.*?)</\1>",
    re.S,
)
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern, namespace


def view_module(pattern):
    view = getattr(pattern.callback, "view_class", None) or pattern.callback
    return getattr(view, "__module__", "")


def candidate_routes():
    """(route, namespace) of the member shell's pages and of our apps' admin pages."""
    for route, pattern, namespace in walk(get_resolver().url_patterns):
        name = pattern.name or ""
        if any(skip in name for skip in SKIP_NAMES) or route.startswith("^"):
            continue
        if route.startswith("quan-tri/"):
            if view_module(pattern).split(".")[0] in ("sotay_plugins", "editorial"):
                yield route, namespace
        elif not route.startswith(SHELL_SKIP_PREFIXES) and "<slug:" not in route:
            yield route, namespace


@pytest.fixture
def world(tree):
    from datetime import timedelta

    secretary = MemberFactory(cell=tree["c11"], positions=frozenset({"bi_thu_chi_bo"}))
    grant(secretary.user, "cell_secretary", tree["c11"])
    member = MemberFactory(cell=tree["c11"])
    district = UserFactory()
    role = grant(district, "member_updater", tree["d1"])
    grant(district, "viewer", tree["d1"])
    admin = UserFactory()
    grant(admin, "full_admin", tree["province"])
    meeting = services.convene(
        tree["c11"],
        secretary.user,
        title="Sinh hoạt thường kỳ",
        starts_at=timezone.now() + timedelta(days=2),
        place="Hội trường",
    )
    body = AdvisoryBody.objects.create(org=tree["province"], name="Ban Tuyên giáo")
    page = document_page(tree["d1"])
    ids = {
        "cell_id": tree["c11"].pk,
        "page_id": page.pk,
        "orgtree_organisation": tree["c11"].pk,
        "orgtree_organisation_chooser": tree["c11"].pk,
        "orgtree_advisorybody": body.pk,
        "orgtree_roleassignment": role.pk,
        "members_member": member.pk,
        "meetings_meeting": meeting.pk,
        "meetings_materials_admin": meeting.pk,
        "meetings": meeting.pk,
    }
    users = {
        "member": member.user,
        "secretary": secretary.user,
        "district": district,
        "admin": admin,
    }
    return {"ids": ids, "users": users}


def fill(route, ids, namespace):
    def arg(match):
        name = match.group(1)
        return str(ids.get(name) or ids.get(namespace) or 999999)

    return "/" + re.sub(r"<(?:int|str):(\w+)>", arg, route)


def fingerprint():
    models = [m for m in apps.get_models() if m._meta.app_label in OUR_APPS]
    return {m._meta.label: m._default_manager.count() for m in models}


def junk_payloads(fields):
    yield "missing", {}
    yield "huge", {name: "x" * 100_000 for name in fields}
    yield "lists", {name: LOOKALIKES for name in fields}


def error_texts(response):
    """The texts of the page's error marks (Django's errorlist, Wagtail's field errors and
    error messages); none: the form was not refused."""
    if "html" not in response.get("Content-Type", ""):
        return []
    html = response.content.decode(errors="replace")
    return [
        re.sub(r"<[^>]+>", " ", text)
        for _tag, text in ERROR_MARK.findall(html)
        if re.sub(r"<[^>]+>|\s", "", text)
    ]


def test_junk_to_every_form_as_each_role(client, world):
    routes = list(candidate_routes())
    assert any(r.startswith("quan-tri/dang-vien/new") for r, _ in routes)  # the walk finds them
    forms_seen, refused = set(), set()
    for role, user in world["users"].items():
        client.force_login(user)
        for route, namespace in routes:
            url = fill(route, world["ids"], namespace)
            page = client.get(url)
            assert page.status_code != 500, (role, url)
            if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
                continue
            for form in FORM.finditer(page.content.decode(errors="replace")):
                action = ACTION.search(form.group(0))
                target = action.group(1) if action and action.group(1).startswith("/") else url
                if "dang-xuat" in target or "delete" in target:
                    continue
                fields = sorted(set(FIELD.findall(form.group(1))) - {"csrfmiddlewaretoken"})
                for kind, data in junk_payloads(fields):
                    before = fingerprint()
                    response = client.post(target, data)
                    assert response.status_code != 500, (role, target, kind)
                    errors = error_texts(response)
                    if response.status_code == 400 or errors:  # refused
                        assert fingerprint() == before, (role, target, kind)
                        assert any(VIETNAMESE.search(e) for e in errors), (role, target, kind)
                        refused.add(target)
                if target not in forms_seen:
                    forms_seen.add(target)
                    before = fingerprint()
                    response = client.post(
                        target, "f=" + "x" * TEN_MB, "application/x-www-form-urlencoded"
                    )
                    # 400 from Django once the view reads the body; a view that reads none
                    # (a confirmation) never sees it
                    assert response.status_code != 500, (role, target, "10 MB")
                    if response.status_code == 400:
                        assert fingerprint() == before, (role, target, "10 MB")
        client.logout()
    assert len(forms_seen) >= 5, forms_seen
    assert len(refused) >= 3, refused
