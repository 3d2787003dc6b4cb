"""Resolutions are found by the one search (registered through the searchable-kinds extension
point), by their number however it is typed and by the words of their text and outlines, and
only by the members they are published to."""

from io import StringIO

import pytest
from django.core.management import call_command

from .resolutions_helpers import api_for, resolution, world

pytestmark = pytest.mark.django_db


def reindex():
    call_command("reindex_search", "--database-only", stdout=StringIO(), stderr=StringIO())


def hits(user, q):
    response = api_for(user).get("/api/v1/search/", {"q": q})
    assert response.status_code == 200, response.content
    return [(h["kind"], h["id"]) for h in response.json()["results"]]


def test_a_resolution_is_found_by_number_and_words_within_its_audience_only():
    w = world()
    tree = w["tree"]
    page = resolution(tree["d1"])
    reindex()
    found = ("study.resolution", page.pk)
    for q in ("57-NQ/TW", "57/NQ-TW", "nghi quyet 57", "dot pha khoa hoc", "Đề cương"):
        assert found in hits(w["a"].user, q), q
    # a member of another district never finds it, not even by its exact number
    assert found not in hits(w["far"].user, "57-NQ/TW")
    assert found not in hits(w["far"].user, "dot pha khoa hoc")


def test_a_withdrawn_resolution_leaves_the_results():
    w = world()
    page = resolution(w["tree"]["province"])
    reindex()
    assert ("study.resolution", page.pk) in hits(w["a"].user, "57-NQ/TW")
    page.unpublish()
    reindex()
    assert ("study.resolution", page.pk) not in hits(w["a"].user, "57-NQ/TW")


def test_the_member_search_page_lists_a_resolution_and_its_link_opens_it(client):
    """A kind whose key holds a dot ("study.resolution") goes through the page's hit links: the
    results page once failed to build them (500) whenever a resolution was among the hits."""
    w = world()
    page = resolution(w["tree"]["d1"])
    reindex()
    client.force_login(w["a"].user)
    answer = client.get("/tim-kiem/", {"q": "57-NQ/TW"})
    assert answer.status_code == 200
    link = f"/tim-kiem/mo/study.resolution/{page.pk}/"
    assert f'href="{link}"' in answer.content.decode()
    opened = client.get(link)
    assert opened.status_code == 302 and opened["Location"] == f"/hoc-tap/nghi-quyet/{page.pk}/"
    # out of scope: the same link is a 404 for a member of another district
    client.force_login(w["far"].user)
    assert client.get(link).status_code == 404
