"""Nothing is kept from a refused save (issue 17): a classified (MẬT) document refused with the
file its editor uploaded for it through the chooser; Wagtail's multiple uploader refusing a form
for another field than the file (documents and images); a meeting material whose save fails
after its file was written. Each test compares the storages' files before and after."""

import io
import os
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from wagtail.models import UploadedFile
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from editorial.models import DocumentFile, DocumentPage, LibraryFile
from editorial.sections import section_for
from sotay_plugins.orgtree.choices import AdvisoryKind
from sotay_plugins.orgtree.models import AdvisoryBody
from tests.factories import UserFactory, grant, small_tree

BACKEND = "django.contrib.auth.backends.ModelBackend"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def stored_files():
    """Every file under the public media root and the private storage's root."""
    roots = {Path(settings.MEDIA_ROOT), Path(storages["private"].location)}
    found = set()
    for root in roots:
        for folder, _dirs, names in os.walk(root):
            found |= {str(Path(folder, name)) for name in names}
    return found


def png():
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def w(db, client):
    t = small_tree()
    body = AdvisoryBody.objects.create(
        org=t["d1"], kind=AdvisoryKind.choices[0][0], name="Ban Tuyên giáo"
    )
    uploader = UserFactory()
    grant(uploader, "document_uploader", t["d1"], body=body)
    client.force_login(uploader, backend=BACKEND)
    return {**t, "body": body, "uploader": uploader, "section": section_for(t["d1"])}


def document_form(w, upload_pk, **overrides):
    data = {
        "title": "Nghị quyết mật",
        "slug": "nghi-quyet-mat",
        "number": "20-NQ/HU",
        "kind": "nghi_quyet",
        "issued_on": "01/03/2026",
        "advisory_body": w["body"].pk,
        "summary": "Về công tác quốc phòng",
        "audience_org": w["d1"].pk,
        "files": inline_formset([{"file": upload_pk, "label": ""}]),
        "links": inline_formset([]),
        "comments": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def add_url(w):
    return reverse("wagtailadmin_pages:add", args=["editorial", "documentpage", w["section"].pk])


def chooser_upload(client, name="nghi-quyet-mat.pdf"):
    response = client.post(
        reverse("wagtaildocs_chooser:create"),
        {
            "document-chooser-upload-title": "Nghị quyết mật",
            "document-chooser-upload-file": SimpleUploadedFile(name, PDF, "application/pdf"),
        },
    )
    assert response.status_code == 200, response.content[:300]
    return LibraryFile.objects.order_by("-pk").first()


@pytest.mark.parametrize("overrides", [{"number": "12-NQ/TU MẬT"}, {"is_classified": "on"}])
def test_a_refused_classified_document_keeps_nothing_of_its_file(w, client, overrides):
    before = stored_files()
    upload = chooser_upload(client)
    assert upload is not None and stored_files() != before  # the chooser stored it
    response = client.post(add_url(w), document_form(w, upload.pk, **overrides))
    assert response.status_code == 200
    content = response.content.decode()
    assert "đã bị xóa khỏi hệ thống" in content
    assert not DocumentPage.objects.filter(slug="nghi-quyet-mat").exists()
    assert not LibraryFile.objects.filter(pk=upload.pk).exists()
    assert stored_files() == before


def test_a_file_already_used_by_a_page_stays(w, client):
    upload = chooser_upload(client, "dung-roi.pdf")
    response = client.post(add_url(w), document_form(w, upload.pk, slug="ban-dau"))
    assert response.status_code == 302
    assert DocumentFile.objects.filter(file=upload).exists()
    kept = stored_files()
    response = client.post(add_url(w), document_form(w, upload.pk, is_classified="on"))
    assert response.status_code == 200
    assert LibraryFile.objects.filter(pk=upload.pk).exists() and stored_files() == kept


def test_a_valid_document_keeps_its_file(w, client):
    upload = chooser_upload(client, "hop-le.pdf")
    response = client.post(add_url(w), document_form(w, upload.pk, slug="hop-le"))
    assert response.status_code == 302
    assert LibraryFile.objects.filter(pk=upload.pk).exists()


@pytest.mark.parametrize(
    "url,name,content,kind",
    [
        ("wagtaildocs:add_multiple", "a" * 300 + ".pdf", PDF, "application/pdf"),
        ("wagtailimages:add_multiple", "b" * 300 + ".png", None, "image/png"),
    ],
    ids=["document", "image"],
)
def test_the_multiple_uploader_keeps_no_file_of_a_refused_form(
    client, db, url, name, content, kind
):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin, backend=BACKEND)
    before, uploads = stored_files(), UploadedFile.objects.count()
    response = client.post(
        reverse(url),
        {  # the title comes from the name (the uploader's script, or a hand-made post)
            "title": name,
            "files[]": SimpleUploadedFile(name, content or png(), kind),
        },
    )
    data = response.json()
    assert data["success"] is False and "Tệp chưa được lưu" in data["error_message"]
    assert UploadedFile.objects.count() == uploads
    assert stored_files() == before


def test_a_material_whose_save_fails_keeps_no_file(db, monkeypatch):
    from django.db import IntegrityError

    from sotay_plugins.meetings import materials
    from sotay_plugins.meetings.models import Material

    t = small_tree()
    office = UserFactory()
    grant(office, "full_admin", t["province"])
    real_save_base = Material.save_base

    def failing_save_base(self, *args, **kwargs):
        # the file field's pre_save has written the file: the row is refused afterwards
        for field in self._meta.local_concrete_fields:
            field.pre_save(self, True)
        raise IntegrityError("refused by the database")

    monkeypatch.setattr(Material, "save_base", failing_save_base)
    before = stored_files()
    material = Material(
        issuer_org=t["province"],
        audience_org=t["province"],
        title="Tài liệu",
        month=date(2026, 3, 1),
    )
    with pytest.raises(IntegrityError):
        materials.save_material(
            material,
            user=office,
            upload=SimpleUploadedFile("tai-lieu.pdf", PDF, "application/pdf"),
        )
    assert stored_files() == before
    monkeypatch.setattr(Material, "save_base", real_save_base)
