"""New pages get ASCII slugs, Vietnamese folded (issue 17): from the admin form (typed slug, or
the title when the slug is left empty, as without JavaScript) and from code."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from editorial.models import NewsPage
from editorial.sections import section_for
from sotay_plugins.text import ascii_slug
from tests.factories import UserFactory, grant, small_tree

BACKEND = "django.contrib.auth.backends.ModelBackend"


def test_ascii_slug_folds_vietnamese():
    assert ascii_slug("Nghị quyết Đảng bộ tỉnh số 5") == "nghi-quyet-dang-bo-tinh-so-5"
    assert ascii_slug("  Đ-đ  ") == "d-d"


@pytest.fixture
def editor(db, client):
    t = small_tree()
    user = UserFactory()
    grant(user, "news_editor", t["d1"])
    client.force_login(user, backend=BACKEND)
    return {**t, "section": section_for(t["d1"]), "user": user}


def news_form(**overrides):
    data = {
        "title": "Đảng bộ huyện tổng kết công tác năm",
        "slug": "",
        "category": "current",
        "lead": "Sapo",
        "body": streamfield([]),
        "author": "",
        "source": "",
        "audience_org": None,
        "attachments": inline_formset([]),
        "comments": inline_formset([]),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "slug,expected",
    [
        ("", "dang-bo-huyen-tong-ket-cong-tac-nam"),  # no JavaScript: from the title
        ("Tổng kết năm 2026", "tong-ket-nam-2026"),  # typed in Vietnamese
        ("đại-hội", "dai-hoi"),
    ],
)
def test_the_admin_form_makes_ascii_slugs(editor, client, slug, expected):
    url = reverse("wagtailadmin_pages:add", args=["editorial", "newspage", editor["section"].pk])
    form = client.get(url).content.decode()
    assert "data-w-slug-formatters-value" in form  # the browser folds as the server does
    data = news_form(slug=slug, audience_org=editor["d1"].pk)
    response = client.post(url, nested_form_data(data))
    assert response.status_code == 302, response.context["form"].errors
    page = NewsPage.objects.get(title=data["title"])
    assert page.slug == expected and page.slug.isascii()
    assert "%" not in page.url


def test_pages_saved_from_code_get_folded_slugs(editor):
    page = NewsPage(
        title="Đại hội Đảng bộ", issuer_org=editor["d1"], audience_org=editor["d1"], live=True
    )
    editor["section"].add_child(instance=page)
    assert page.slug == "dai-hoi-dang-bo"
    twin = NewsPage(
        title="Đại hội Đảng bộ", issuer_org=editor["d1"], audience_org=editor["d1"], live=True
    )
    editor["section"].add_child(instance=twin)
    assert twin.slug == "dai-hoi-dang-bo-2"
