"""Helpers shared by the resolutions and plans tests (plain functions, no fixtures)."""

from datetime import date, timedelta

from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sotay_plugins.study.plans import services as plan_services
from sotay_plugins.study.resolutions.models import ResolutionOutline, ResolutionPage
from sotay_plugins.study.resolutions.services import study_index
from tests.factories import MemberFactory, grant, small_tree, staff

BODY = [
    {"type": "heading", "value": "I. Tình hình"},
    {"type": "paragraph", "value": "<p>Khoa học, công nghệ là đột phá quan trọng hàng đầu.</p>"},
]


def resolution(issuer, audience=None, **fields):
    """A live resolution published by ``issuer`` for ``audience`` (default: issuer)."""
    values = {
        "title": "Nghị quyết về đột phá phát triển khoa học, công nghệ",
        "number": "57-NQ/TW",
        "issued_on": date(2024, 12, 22),
        "issued_by": "Bộ Chính trị",
        "summary": "Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo.",
        "body": BODY,
        "live": True,
        **fields,
    }
    page = ResolutionPage(issuer_org=issuer, audience_org=audience or issuer, **values)
    study_index().add_child(instance=page)
    ResolutionOutline.objects.create(
        page=page, audience="dang_vien", title="Đề cương cho đảng viên", body="<p>Ý 1</p>"
    )
    ResolutionOutline.objects.create(
        page=page, audience="doan_vien_hoi_vien", title="Đề cương cho hội viên", body="<p>Ý A</p>"
    )
    return page


def world():
    tree = small_tree()
    secretary = MemberFactory(cell=tree["c11"], positions=frozenset({"bi_thu_chi_bo"}))
    grant(secretary.user, "cell_secretary", tree["c11"])
    other_secretary = MemberFactory(cell=tree["c21"], positions=frozenset({"bi_thu_chi_bo"}))
    grant(other_secretary.user, "cell_secretary", tree["c21"])
    return {
        "tree": tree,
        "a": MemberFactory(cell=tree["c11"], full_name="Đảng viên A"),
        "b": MemberFactory(cell=tree["c11"], full_name="Đảng viên B"),
        "neighbour": MemberFactory(cell=tree["c12"], full_name="Đảng viên C"),
        "far": MemberFactory(cell=tree["c21"], full_name="Đảng viên xa"),
        "exempt": MemberFactory(cell=tree["c11"], group="exempt"),
        "secretary": secretary,
        "other_secretary": other_secretary,
        "province_officer": staff("document_uploader", tree["province"]),
        "d1_officer": staff("document_uploader", tree["d1"]),
        "d2_officer": staff("document_uploader", tree["d2"]),
    }


def plan_for(w, res=None, *, issuer=None, audience=None, deadline=None, **fields):
    tree = w["tree"]
    res = res or resolution(tree["province"])
    return plan_services.announce_plan(
        w["province_officer"] if issuer is None else fields.pop("by", w["province_officer"]),
        issuer_org=issuer or tree["province"],
        audience_org=audience or tree["province"],
        resolution=res,
        title=fields.pop("title", "Kế hoạch học tập Nghị quyết 57"),
        deadline=deadline or timezone.localdate() + timedelta(days=30),
        **fields,
    )


def api_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client
