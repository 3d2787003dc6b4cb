"""Every admin URL, as every built-in role and as a plain member, with another unit's objects.

The rule: **no admin view answers 200 with another unit's data.** A user who holds a role at
district 1 (or no role at all) asks every URL pattern of the Wagtail admin (/quan-tri/, the
choosers, the bulk actions, the plugins' admin views), each one filled with the ids of objects
that belong to district 2: a draft and a live page, the section, a library file, an image, a
member, a meeting, a meeting material, a cell, an advisory body, a role assignment and the
account of district 2's staff. Each answer is either a refusal (403, 404, a redirect to the
login page or the dashboard) or a page that names none of those objects: each carries a
marker (``ZQXB…``) in its title or name, and the marker must not be in the body.

The URL list is the URL resolver's, not a hand list: a view added later is walked too. Ids are
chosen by the parameter's name and the view's model; query strings carry the same ids
(``?id=`` of bulk actions and of the page chooser's "chosen" endpoint). Bulk actions are
walked for every model and action registered. The objects are made once for the module; each
role (every built-in role the plugins declare, and a plain member) is one test (one login, one
walk).
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from sotay_plugins.registry import registry
from tests.factories import MemberFactory, UserFactory, ensure_site, grant, org, small_tree

pytestmark = pytest.mark.django_db

MARK = "ZQXB"
#: A marked name (MARK and its upper-case word) in a page. The four letters alone are no leak: a
#: random token on the page (a form's CSRF token, 64 letters and digits) held them once.
MARKED = re.compile(rf"{MARK}[A-Z]{{3,}}")
# Every built-in role the enabled plugins declare (the registry's, not a hand list), and a plain
# member (no role).
ROLES = [*sorted(registry.roles), None]


def _walk(resolver, prefix=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


@pytest.fixture(scope="module")
def other(django_db_setup, django_db_blocker):
    """District 2's objects (every title carries the marker), and district 1 for the roles."""
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    from editorial.models import LibraryFile, NewsPage
    from editorial.sections import section_for
    from sotay_plugins.meetings.models import Material, Meeting
    from sotay_plugins.orgtree.choices import AdvisoryKind, OrgKind
    from sotay_plugins.orgtree.models import AdvisoryBody
    from tests.factories import document_page

    with django_db_blocker.unblock(), transaction.atomic():
        ensure_site()
        t = small_tree()
        d2 = t["d2"]
        cell = org(OrgKind.CELL, t["b2"], name=f"Chi bộ {MARK}CELL")
        staff_b = UserFactory(first_name=f"{MARK}USER", last_name="B")
        assignment = grant(staff_b, "news_editor", d2)
        section = section_for(d2)
        section.title = f"Chuyên mục {MARK}SECTION"
        section.save_revision().publish()
        draft = NewsPage(
            title=f"Tin {MARK}DRAFT", issuer_org=d2, audience_org=d2, live=False, lead="x"
        )
        section.add_child(instance=draft)
        revision = draft.save_revision(user=staff_b)
        live = document_page(d2, title=f"Nghị quyết {MARK}LIVE")
        f = LibraryFile(title=f"{MARK}FILE", uploaded_by_user=staff_b, content_type="text/plain")
        f.file.save("zqxb.txt", __import__("io").BytesIO(b"x"), save=False)
        f.save()
        image = get_image_model().objects.create(
            title=f"{MARK}IMAGE", file=get_test_image_file(), uploaded_by_user=staff_b
        )
        member = MemberFactory(full_name=f"Nguyễn {MARK}MEMBER", cell=cell)
        meeting = Meeting.objects.create(
            issuer_org=cell,
            audience_org=cell,
            title=f"Sinh hoạt {MARK}MEETING",
            starts_at=timezone.make_aware(datetime(2026, 3, 5, 8, 0)),
        )
        material = Material.objects.create(
            issuer_org=d2, audience_org=d2, title=f"Tài liệu {MARK}MATERIAL"
        )
        body = AdvisoryBody.objects.create(
            org=d2, kind=AdvisoryKind.choices[0][0], name=f"Ban {MARK}BODY"
        )
        ids = {
            "page": draft.pk,
            "live": live.pk,
            "section": section.pk,
            "revision": revision.pk,
            "file": f.pk,
            "image": image.pk,
            "member": member.pk,
            "meeting": meeting.pk,
            "material": material.pk,
            "org": cell.pk,
            "body": body.pk,
            "assignment": assignment.pk,
            "user": staff_b.pk,
        }
        yield {"tree": t, "ids": ids, "home_cell": t["c11"]}
        transaction.set_rollback(True)


# model name (lower case) → which of district 2's objects a ``pk`` of that view names
BY_MODEL = {
    "page": "page",
    "librarfile": "file",
    "libraryfile": "file",
    "document": "file",
    "image": "image",
    "member": "member",
    "meeting": "meeting",
    "material": "material",
    "organisation": "org",
    "advisorybody": "body",
    "roleassignment": "assignment",
    "user": "user",
}
# parameter name → object
BY_PARAM = {
    "page_id": ["page"],
    "parent_page_id": ["section"],
    "page_to_move_id": ["page"],
    "destination_id": ["section"],
    "page_pk": ["page"],
    "document_id": ["file"],
    "doc_id": ["file"],
    "image_id": ["image"],
    "cell_id": ["org"],
    "revision_id": ["revision"],
    "task_state_id": ["revision"],
    "workflow_state_id": ["revision"],
}


def _model_key(pattern):
    cb = pattern.callback
    model = (getattr(cb, "view_initkwargs", None) or {}).get("model") or getattr(
        getattr(cb, "view_class", None), "model", None
    )
    if not hasattr(model, "_meta"):
        return None
    return BY_MODEL.get(model._meta.model_name)


def _urls(ids):
    """(url, what) for every admin URL pattern, filled with district 2's ids."""
    from wagtail.admin.views.bulk_action.registry import bulk_action_registry

    bulk_action_registry._scan_for_bulk_actions()
    all_ids = "&".join(f"id={ids[k]}" for k in ("page", "live", "section"))
    out = []
    for route, pattern in _walk(get_resolver()):
        if not route.startswith("quan-tri/") or "password_reset" in route or "failwhale" in route:
            continue
        route = route.lstrip("^").replace("^", "").replace("$", "").replace("\\", "")
        if route.endswith("logout/"):
            continue
        if "<str:action>" in route:  # bulk actions: every model and action registered
            for app, models in bulk_action_registry.actions.items():
                for model_name, actions in models.items():
                    key = BY_MODEL.get(model_name, "page")
                    for action in actions:
                        url = route.replace("<str:app_label>", app)
                        url = url.replace("<str:model_name>", model_name)
                        url = url.replace("<str:action>", action)
                        out.append((f"/{url}?id={ids[key]}", route))
            continue
        names = re.findall(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>", route)
        choices = [{}]
        key = _model_key(pattern)
        for _conv, name, regex_name in names:
            name = name or regex_name
            if name in BY_PARAM:
                values = [ids[k] for k in BY_PARAM[name]]
            elif name in ("pk", "object_id", "task_id"):
                values = [ids[key]] if key else [ids["page"], ids["member"], ids["meeting"]]
            elif name in ("content_type_app_name", "app_label", "app_name"):
                values = ["editorial"]
            elif name in ("content_type_model_name", "model_name"):
                values = ["newspage"]
            elif name == "action_name":
                values = ["approve"]
            elif name == "revision_id_a":
                values = ["earliest"]
            elif name == "revision_id_b":
                values = ["latest"]
            elif name == "filter_spec":
                values = ["original"]
            elif name == "session_id":
                values = [1]
            else:
                values = [ids["page"]]
            choices = [{**c, name: v} for c in choices for v in values]
        for choice in choices:
            url = route
            for name, value in choice.items():
                url = re.sub(rf"<(?:\w+:)?{name}>|\(\?P<{name}>[^)]*\)", str(value), url)
            if "/editing-sessions/ping/" in f"/{url}":
                url = url.replace("/editorial/newspage/", "/wagtailcore/page/")
            out.append((f"/{url}?{all_ids}", route))
    return out


def _login(client, role, world):
    """A member of district 1, or staff holding ``role`` there (verified second factor: the
    suite's ``force_login``); staff must reach the dashboard, else the walk proves nothing."""
    if role is None:
        member = MemberFactory(cell=world["home_cell"])
        client.force_login(member.user)
        return
    user = UserFactory()
    grant(user, role, world["tree"]["d1"])
    client.force_login(user)
    assert client.get("/quan-tri/").status_code == 200


@pytest.mark.parametrize("role", ROLES, ids=[r or "member" for r in ROLES])
def test_no_admin_view_shows_another_units_objects(other, role, client):
    _login(client, role, other)
    leaks = []
    urls = _urls(other["ids"])
    assert len(urls) > 150  # the resolver's list, not a hand list
    previous = None  # a refusal may leave a message that the next page shows
    answered = 0
    for url, route in urls:
        response = client.get(url)
        if response.status_code == 200:
            answered += 1
            body = b"".join(response) if response.streaming else response.content
            if MARK.encode() in body:
                text = body.decode(errors="replace")
                found = sorted(set(MARKED.findall(text)))
                if found:
                    at = text.index(found[0])
                    context = " ".join(text[max(0, at - 200) : at + 40].split())
                    leaks.append(f"{url} ({route}, after {previous}): {found} in …{context}")
        elif response.status_code == 302 and role is None:
            assert "/quan-tri/" not in response.url or "login" in response.url, url
        previous = url
    assert not leaks, "\n".join(leaks)
    assert role is None or answered > 20  # the walk reached the admin's views
