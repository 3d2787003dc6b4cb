"""The admin as staff read it (issue 17): inspect views show no Python values ("None", "True"),
the member search folds diacritics as the member search does, the chrome strings that were
English are Vietnamese, and the help menu's guide says it is in English."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from sotay_plugins.members.models import Member
from sotay_plugins.orgtree.roles import MEMBER_UPDATER, VIEWER
from tests.factories import MemberFactory, UserFactory, listed, login, staff

INDEX = "members_member:index"


@pytest.fixture
def people(tree):
    return {
        "lan": MemberFactory(cell=tree["c11"], full_name="Trần Thị Lan", phone=""),
        "dung": MemberFactory(cell=tree["c11"], full_name="Đỗ Thị Dung", has_smartphone=True),
        "binh": MemberFactory(cell=tree["c12"], full_name="Lê Văn Bình"),
    }


def test_inspect_shows_no_python_values(client, tree, people):
    member = people["dung"]
    Member.objects.filter(pk=member.pk).update(official_on=None, home_town="")
    for user in (staff(VIEWER, tree["province"]), staff(MEMBER_UPDATER, tree["d1"])):
        login(client, user)
        html = client.get(reverse("members_member:inspect", args=[member.pk])).content.decode()
        values = re.findall(r"<dd[^>]*>\s*(.*?)\s*</dd>", html, re.S)
        assert values, html[:500]
        for python in ("None", "True", "False", "[]", "set()", "frozenset"):
            assert python not in values, (python, values)
        assert "—" in values and "Có" in values


@pytest.mark.parametrize(
    "query,expected",
    [
        ("do thi dung", {"dung"}),
        ("ĐỖ THỊ", {"dung"}),
        ("dung", {"dung"}),
        ("van binh", {"binh"}),
        ("Lê Văn", {"binh"}),
        ("thi", {"lan", "dung"}),
    ],
)
def test_the_admin_member_search_folds_diacritics(client, tree, people, query, expected):
    login(client, staff(MEMBER_UPDATER, tree["province"]))
    found = listed(client.get(reverse(INDEX), {"q": query}))
    assert found == {people[k].pk for k in expected}


def test_the_members_api_search_folds_too(tree, people):
    api = APIClient()
    api.force_authenticate(staff(MEMBER_UPDATER, tree["province"]))
    data = api.get("/api/v1/members/", {"q": "tran thi lan"}).json()
    assert [row["id"] for row in data["results"]] == [people["lan"].pk]


def test_admin_strings_that_were_english_are_vietnamese():
    with translation.override("vi"):
        for english in (
            "Visible to all",
            "Change privacy",
            "Sort the order of child pages within '%(parent)s' by '%(label)s' in ascending order.",
            "Started at",
            "Requested by",
            "The slug '%(page_slug)s' is already in use within the parent page.",
            "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
            "Preview in mobile size",
        ):
            assert translation.gettext(english) != english, english


@pytest.mark.django_db
def test_the_help_menu_says_the_wagtail_guide_is_in_english(rf):
    from wagtail.admin.menu import help_menu

    request = rf.get("/quan-tri/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    with translation.override("vi"):
        labels = {item.name: str(item.label) for item in help_menu.menu_items_for_request(request)}
    assert labels["editor-guide"] == "Hướng dẫn biên tập của Wagtail (tiếng Anh)"
