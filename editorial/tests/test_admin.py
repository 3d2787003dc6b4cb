"""The Wagtail admin of the newsroom and the library, cut by the scope engine: an editor of
district A sees, edits and chooses only district A's pages, files and units; an uploader only
their advisory body's documents; MẬT documents, audiences wider than the issuer and bad files
are refused in Vietnamese with nothing stored; titles are escaped."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents.forms import get_document_form
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from editorial.models import (
    DocumentFile,
    DocumentPage,
    LibraryFile,
    NewsAttachment,
    NewsPage,
    SectionPage,
)
from editorial.sections import home_page, section_for
from sotay_plugins.orgtree.choices import AdvisoryKind
from sotay_plugins.orgtree.models import AdvisoryBody
from tests.factories import UserFactory, grant, small_tree

BACKEND = "django.contrib.auth.backends.ModelBackend"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="van-ban.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def library_file(user, title):
    f = LibraryFile(title=title, uploaded_by_user=user, content_type="application/pdf")
    f.file.save(f"{title}.pdf", pdf_upload(), save=False)
    f.save()
    return f


def news(org, title, *, live=True, **fields):
    page = NewsPage(title=title, issuer_org=org, audience_org=org, live=live, **fields)
    section_for(org).add_child(instance=page)
    return page


def document(org, title, *, body=None, live=True, **fields):
    values = {
        "number": "15-NQ/HU",
        "kind": "nghi_quyet",
        "issued_on": date(2026, 3, 1),
        "summary": "Trích yếu",
    }
    values.update(fields)
    page = DocumentPage(
        title=title, issuer_org=org, audience_org=org, advisory_body=body, live=live, **values
    )
    section_for(org).add_child(instance=page)
    return page


def staff(role, org, body=None):
    user = UserFactory()
    grant(user, role, org, body=body)
    return user


def login(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def refused(response):
    """Wagtail answers a page the user has no right to with a redirect to the dashboard (and a
    message) or a 403/404; never with the page."""
    if response.status_code == 302:
        return response.url.rstrip("/").endswith("/quan-tri")
    return response.status_code in (403, 404)


@pytest.fixture
def w(db):
    t = small_tree()
    w = dict(t)
    w["body_x"] = AdvisoryBody.objects.create(
        org=t["d1"], kind=AdvisoryKind.choices[0][0], name="Ban Tuyên giáo"
    )
    w["body_y"] = AdvisoryBody.objects.create(
        org=t["d1"], kind=AdvisoryKind.choices[0][0], name="Ban Tổ chức"
    )
    w["editor_a"] = staff("news_editor", t["d1"])
    w["editor_b"] = staff("news_editor", t["d2"])
    w["uploader_x"] = staff("document_uploader", t["d1"], body=w["body_x"])
    w["board_a"] = staff("editorial_board", t["d1"])
    w["sec_a"], w["sec_b"] = section_for(t["d1"]), section_for(t["d2"])
    w["news_a"] = news(t["d1"], "Tin huyện A: hội nghị")
    w["news_b"] = news(t["d2"], "Tin huyện B: riêng tư")
    w["doc_x"] = document(t["d1"], "Nghị quyết của Ban Tuyên giáo", body=w["body_x"])
    w["doc_y"] = document(
        t["d1"], "Hướng dẫn của Ban Tổ chức", body=w["body_y"], number="02-HD/BTC"
    )
    w["file_a"] = library_file(w["editor_a"], "tep-cua-huyen-a")
    w["file_b"] = library_file(w["editor_b"], "tep-cua-huyen-b")
    NewsAttachment.objects.create(page=w["news_b"], file=w["file_b"])
    return w


# --- page rights ----------------------------------------------------------------------------


def test_page_rights_follow_the_scope(w):
    editor, uploader, board = w["editor_a"], w["uploader_x"], w["board_a"]
    assert w["news_a"].permissions_for_user(editor).can_edit()
    assert not w["news_b"].permissions_for_user(editor).can_edit()
    assert not w["news_a"].permissions_for_user(editor).can_publish()  # the board publishes
    assert w["news_a"].permissions_for_user(board).can_publish()
    assert w["sec_a"].permissions_for_user(editor).can_add_subpage()
    assert not w["sec_b"].permissions_for_user(editor).can_add_subpage()
    assert w["doc_x"].permissions_for_user(uploader).can_edit()
    assert not w["doc_y"].permissions_for_user(uploader).can_edit()  # another body's document
    assert not w["doc_x"].permissions_for_user(editor).can_edit()
    home = home_page()
    assert not home.permissions_for_user(editor).can_edit()
    assert not home.permissions_for_user(board).can_publish()
    assert not w["news_a"].permissions_for_user(editor).can_move()
    # through a plain Page row (listings), too
    assert Page.objects.get(pk=w["news_a"].pk).permissions_for_user(editor).can_edit()


def test_explorer_lists_only_the_editors_units(w, client):
    login(client, w["editor_a"])
    home = client.get(reverse("wagtailadmin_explore", args=[home_page().pk]))
    assert home.status_code == 200
    assert "Huyện 1" in home.content.decode() and "Huyện 2" not in home.content.decode()
    section = client.get(reverse("wagtailadmin_explore", args=[w["sec_a"].pk])).content.decode()
    assert "Tin huyện A" in section
    other = client.get(reverse("wagtailadmin_explore", args=[w["sec_b"].pk]))
    assert "Tin huyện B" not in other.content.decode()
    found = client.get(reverse("wagtailadmin_pages:search"), {"q": "Tin"}).content.decode()
    assert "Tin huyện A" in found and "Tin huyện B" not in found


def test_out_of_scope_pages_cannot_be_edited_or_deleted(w, client):
    login(client, w["editor_a"])
    assert client.get(reverse("wagtailadmin_pages:edit", args=[w["news_a"].pk])).status_code == 200
    # Another district's page answers exactly as a page that does not exist: 404.
    response = client.get(reverse("wagtailadmin_pages:edit", args=[w["news_b"].pk]))
    assert response.status_code == 404
    assert client.get(reverse("wagtailadmin_pages:edit", args=[10**9])).status_code == 404
    assert "Tin huyện B" not in response.content.decode()
    assert (
        client.get(reverse("wagtailadmin_pages:delete", args=[w["news_b"].pk])).status_code == 404
    )
    assert (
        client.post(reverse("wagtailadmin_pages:delete", args=[w["news_b"].pk])).status_code == 404
    )
    for name in (
        "history",
        "workflow_history",
        "usage",
        "unpublish",
        "move",
        "copy",
        "lock",
        "add_subpage",
    ):
        page = w["sec_b"] if name == "add_subpage" else w["news_b"]
        response = client.get(reverse(f"wagtailadmin_pages:{name}", args=[page.pk]))
        assert response.status_code == 404, name
        assert "Tin huyện B" not in response.content.decode(), name
    assert client.get(reverse("wagtailadmin_explore", args=[w["sec_b"].pk])).status_code == 404
    assert NewsPage.objects.filter(pk=w["news_b"].pk).exists()
    # the uploader of body X reaches body X's document, not body Y's
    login(client, w["uploader_x"])
    assert client.get(reverse("wagtailadmin_pages:edit", args=[w["doc_x"].pk])).status_code == 200
    assert refused(client.get(reverse("wagtailadmin_pages:edit", args=[w["doc_y"].pk])))


def test_page_chooser_offers_only_pages_in_scope(w, client):
    login(client, w["editor_a"])
    browse = client.get(reverse("wagtailadmin_choose_page_child", args=[home_page().pk])).json()[
        "html"
    ]
    assert "Huyện 1" in browse and "Huyện 2" not in browse
    found = client.get(reverse("wagtailadmin_choose_page_search"), {"q": "Tin"})
    found = (
        found.json()["html"]
        if found["Content-Type"].startswith("application/json")
        else found.content.decode()
    )
    assert "Tin huyện A" in found and "Tin huyện B" not in found
    # another unit's section is not a parent the chooser may browse (it would name it): 404
    inside_b = client.get(reverse("wagtailadmin_choose_page_child", args=[w["sec_b"].pk]))
    assert inside_b.status_code == 404 and "Tin huyện B" not in inside_b.content.decode()


def test_document_chooser_and_index_show_only_the_editors_files(w, client):
    login(client, w["editor_a"])
    chooser = client.get(reverse("wagtaildocs_chooser:choose")).json()["html"]
    assert "tep-cua-huyen-a" in chooser and "tep-cua-huyen-b" not in chooser
    index = client.get(reverse("wagtaildocs:index")).content.decode()
    assert "tep-cua-huyen-a" in index and "tep-cua-huyen-b" not in index
    chosen = client.get(reverse("wagtaildocs_chooser:chosen", args=[w["file_b"].pk]))
    assert refused(chosen)
    assert refused(client.get(reverse("wagtaildocs:edit", args=[w["file_b"].pk])))
    # district B's editor sees the file attached to their page
    login(client, w["editor_b"])
    assert "tep-cua-huyen-b" in client.get(reverse("wagtaildocs_chooser:choose")).json()["html"]


def test_reports_show_only_pages_in_scope(w, client):
    from wagtail.log_actions import log

    for page in (w["news_a"], w["news_b"]):
        page.save_revision().publish(skip_permission_checks=True)
        log(page, "wagtail.edit", user=w["board_a"])
    login(client, w["board_a"])
    for name in ("wagtailadmin_reports:aging_pages", "wagtailadmin_reports:site_history"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "Tin huyện B" not in response.content.decode(), name
    assert "Tin huyện A" in client.get(reverse("wagtailadmin_reports:aging_pages")).content.decode()
    # the page types report names pages site-wide: superusers only
    response = client.get(reverse("wagtailadmin_reports:page_types_usage"))
    assert refused(response)


def test_titles_are_escaped_in_the_listing(w, client):
    news(w["d1"], '<script>alert("xss")</script>', live=False)
    login(client, w["editor_a"])
    content = client.get(reverse("wagtailadmin_explore", args=[w["sec_a"].pk])).content.decode()
    assert '<script>alert("xss")</script>' not in content
    assert "&lt;script&gt;" in content


# --- creating pages -------------------------------------------------------------------------


def document_form(w, **overrides):
    data = {
        "title": "Nghị quyết mới",
        "slug": "nghi-quyet-moi",
        "number": "20-NQ/HU",
        "kind": "nghi_quyet",
        "issued_on": "01/03/2026",
        "advisory_body": w["body_x"].pk,
        "summary": "Về công tác tuyên truyền",
        "audience_org": w["d1"].pk,
        "files": inline_formset([{"file": w["upload"].pk, "label": ""}]),
        "links": inline_formset([]),
        "comments": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def add_url(model, parent):
    return reverse("wagtailadmin_pages:add", args=["editorial", model, parent.pk])


@pytest.fixture
def uploading(w, client):
    w["upload"] = library_file(w["uploader_x"], "tep-moi")
    login(client, w["uploader_x"])
    return w


def test_an_uploader_creates_a_document_of_their_body(uploading, client):
    w = uploading
    response = client.post(add_url("documentpage", w["sec_a"]), document_form(w))
    assert response.status_code == 302, (
        response.context["form"].errors if response.context else response
    )
    page = DocumentPage.objects.get(slug="nghi-quyet-moi")
    assert page.issuer_org == w["d1"] and page.advisory_body == w["body_x"] and not page.live
    assert DocumentFile.objects.filter(page=page, file=w["upload"]).exists()


def test_an_uploader_cannot_create_a_document_for_another_body(uploading, client):
    w = uploading
    before = DocumentPage.objects.count()
    response = client.post(
        add_url("documentpage", w["sec_a"]), document_form(w, advisory_body=w["body_y"].pk)
    )
    assert response.status_code == 200
    assert "advisory_body" in response.context["form"].errors
    assert DocumentPage.objects.count() == before
    # nor in another district's section (not even the form)
    assert refused(client.get(add_url("documentpage", w["sec_b"])))
    assert refused(client.post(add_url("documentpage", w["sec_b"]), document_form(w)))
    assert DocumentPage.objects.count() == before


def test_a_news_editor_cannot_create_a_document(w, client):
    login(client, w["editor_a"])
    response = client.get(add_url("documentpage", w["sec_a"]))
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("không được đăng văn bản" in m for m in messages)


@pytest.mark.parametrize("overrides", [{"number": "12-NQ/TU MẬT"}, {"is_classified": "on"}])
def test_a_classified_document_is_refused_and_nothing_saved(uploading, client, overrides):
    w = uploading
    before = DocumentPage.objects.count()
    response = client.post(add_url("documentpage", w["sec_a"]), document_form(w, **overrides))
    assert response.status_code == 200
    content = response.content.decode()
    assert "MẬT" in content or "mật" in content
    assert DocumentPage.objects.count() == before


def test_an_audience_wider_than_the_issuer_is_refused(uploading, client):
    w = uploading
    before = DocumentPage.objects.count()
    response = client.post(
        add_url("documentpage", w["sec_a"]), document_form(w, audience_org=w["province"].pk)
    )
    assert response.status_code == 200
    assert "audience_org" in response.context["form"].errors
    assert DocumentPage.objects.count() == before


def test_a_link_to_a_document_out_of_scope_is_refused(uploading, client):
    w = uploading
    elsewhere = document(w["d2"], "Văn bản huyện B", number="09-NQ/HU")
    before = DocumentPage.objects.count()
    data = document_form(w, links=inline_formset([{"kind": "implements", "target": elsewhere.pk}]))
    response = client.post(add_url("documentpage", w["sec_a"]), data)
    assert response.status_code == 200
    assert DocumentPage.objects.count() == before
    # a province document addressed to the whole province may be linked
    province_doc = document(w["province"], "Nghị quyết của Tỉnh ủy", number="01-NQ/TU")
    data = document_form(
        w, links=inline_formset([{"kind": "implements", "target": province_doc.pk}])
    )
    assert client.post(add_url("documentpage", w["sec_a"]), data).status_code == 302


def test_sections_only_for_managed_units(w, client):
    login(client, w["editor_a"])
    url = add_url("sectionpage", home_page())
    form = client.get(url).context["form"]
    choices = set(form.fields["organisation"].queryset.values_list("pk", flat=True))
    assert w["b1"].pk in choices and w["c11"].pk in choices
    assert not choices & {
        w["d1"].pk,
        w["d2"].pk,
        w["b2"].pk,
        w["province"].pk,
    }  # d1 has one already
    data = nested_form_data(
        {
            "title": "Xã 2",
            "slug": "xa-2",
            "organisation": w["b2"].pk,
            "intro": rich_text(""),
            "comments": inline_formset([]),
        }
    )
    assert client.post(url, data).status_code == 200
    assert not SectionPage.objects.filter(organisation=w["b2"]).exists()
    data = nested_form_data(
        {
            "title": "Xã 1",
            "slug": "xa-1",
            "organisation": w["b1"].pk,
            "intro": rich_text(""),
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )
    assert client.post(url, data).status_code == 302
    assert SectionPage.objects.get(organisation=w["b1"]).live
    # someone who writes nowhere cannot open a section at all
    login(client, staff("viewer", w["d1"]))
    assert refused(client.get(url))


# --- files ------------------------------------------------------------------------------------


def test_a_200_mb_upload_is_refused_and_nothing_stored(w):
    upload = pdf_upload("lon.pdf")
    upload.size = 200 * 1024 * 1024  # what check_file reads; the bytes themselves stay small
    form = get_document_form(LibraryFile)(
        data={"title": "Tệp lớn"}, files={"file": upload}, user=w["editor_a"]
    )
    assert not form.is_valid()
    assert "quá lớn" in form.errors["file"][0]
    assert not LibraryFile.objects.filter(title="Tệp lớn").exists()


def test_a_file_whose_content_is_not_its_extension_is_refused(w, client):
    login(client, w["editor_a"])
    before = LibraryFile.objects.count()
    fake = SimpleUploadedFile(
        "bao-cao.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf"
    )
    response = client.post(
        reverse("wagtaildocs_chooser:create"),
        {"document-chooser-upload-title": "Giả", "document-chooser-upload-file": fake},
    )
    assert response.status_code == 200
    assert "Nội dung tệp không phải là tệp PDF" in response.json()["htmlFragment"]
    fake.seek(0)
    response = client.post(reverse("wagtaildocs:add"), {"title": "Giả", "file": fake})
    assert response.status_code == 200
    assert "Nội dung tệp không phải là tệp PDF" in response.content.decode()
    assert LibraryFile.objects.count() == before


def test_a_good_upload_stores_its_content_type(w, client):
    login(client, w["editor_a"])
    response = client.post(
        reverse("wagtaildocs:add"), {"title": "Nghị quyết", "file": pdf_upload()}
    )
    assert response.status_code == 302
    stored = LibraryFile.objects.get(title="Nghị quyết")
    assert stored.content_type == "application/pdf" and stored.uploaded_by_user == w["editor_a"]


@pytest.mark.parametrize("who", ["editor_a", "uploader_x", "board_a"])
def test_every_admin_screen_an_editor_reaches_renders(w, client, who):
    login(client, w[who])
    urls = [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore", args=[w["sec_a"].pk]),
        reverse("wagtailadmin_pages:add_subpage", args=[w["sec_a"].pk]),
        reverse("wagtailadmin_reports:workflow"),
        reverse("wagtailadmin_reports:workflow_tasks"),
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs:add_multiple"),
        reverse("wagtailimages:index"),
        reverse("wagtailimages_chooser:choose"),
        reverse(
            "wagtailadmin_pages:history", args=[w["doc_x" if who == "uploader_x" else "news_a"].pk]
        ),
    ]
    if who == "board_a":  # the board may unlock: it has the locked pages report
        urls.append(reverse("wagtailadmin_reports:locked_pages"))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert "Tin huyện B" not in response.content.decode(), url
