"""Demo news and documents for ``seed_demo`` (registered by ``register_demo``): a living library.

``seed(scale=, seed=, stdout=)`` runs after ``seed_demo`` has built the province (units, advisory
bodies, members, staff). For a given ``--seed`` (and day: dates are relative to today) it writes
the same data:

- a section (``sections.section_for``) for the province, every district-level unit and some base
  organisations;
- news in the five categories (title, sapo, StreamField body, author, source, some featured) and
  documents of every kind (number such as "15-NQ/TU", "08-CT/HU", "120-KH/ĐU"; trích yếu;
  issued_on; the issuer's advisory body when it has one; audience = the issuer or one of its
  sub-units; a few with position or member-group filters; district and base plans "implement"
  provincial resolutions), each document with a real PDF (reportlab, Vietnamese font) in private
  storage;
- read receipts over the last 60 days, recent and provincial items read more.

Scales: ``tiny`` (~30 news, ~40 documents, each with its own PDF: ``make run`` on SQLite),
``small`` (a few hundred), ``province`` (~2,000 news, ~20,000 documents, ~2,000,000 receipts).

Speed: pages are not added one by one with ``add_child`` (tens of milliseconds each). The
section's children get their treebeard paths computed here, the ``wagtailcore_page`` rows go in
with ``bulk_create`` and the child table rows (``editorial_documentpage``…) with multi-row
INSERTs (Django's ``bulk_create`` refuses multi-table inheritance); then the section's
``numchild`` is set. Pages are live without revisions (Wagtail's editor opens them: it starts a
revision on the first save). Files: at ``small`` and ``province`` one PDF per kind and level is
stored, and every document gets its own ``LibraryFile`` row pointing at it. Receipts on
PostgreSQL: one ``INSERT … SELECT … generate_series``; elsewhere (SQLite, the tiny demo) rows
from Python.
"""

from __future__ import annotations

import hashlib
import io
import random
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Collection, Page

from sotay_plugins.members.models import Member
from sotay_plugins.orgtree.choices import AdvisoryKind, MemberGroup, OrgKind, Position
from sotay_plugins.orgtree.models import AdvisoryBody, Organisation
from sotay_plugins.storage import private_storage
from sotay_plugins.text import fold

from .choices import DocumentKind, LinkKind, NewsCategory
from .models import DocumentFile, DocumentLink, DocumentPage, LibraryFile, NewsPage, ReadReceipt
from .sections import home_page, section_for

#: news, documents, base organisations with a section, read receipts, days of history,
#: one PDF per document (else one per kind and level)
SCALES = {
    "tiny": dict(news=30, documents=40, base_sections=2, receipts=400, days=365, own_pdf=True),
    "small": dict(
        news=240, documents=400, base_sections=10, receipts=20_000, days=730, own_pdf=False
    ),
    "province": dict(
        news=2_000,
        documents=20_000,
        base_sections=120,
        receipts=2_000_000,
        days=1095,
        own_pdf=False,
    ),
}
LEVELS = ("province", "district", "base")
#: share of the documents and news issued at each level
DOC_SHARE = {"province": 0.15, "district": 0.55, "base": 0.30}
NEWS_SHARE = {"province": 0.30, "district": 0.45, "base": 0.25}
#: how much more an item of a level is read (receipts)
READ_WEIGHT = {"province": 6.0, "district": 2.5, "base": 1.0}
RECEIPT_DAYS = 60

K = DocumentKind
ABBREV = {
    K.RESOLUTION: "NQ",
    K.DIRECTIVE: "CT",
    K.REGULATION: "QĐi",
    K.CONCLUSION: "KL",
    K.GUIDANCE: "HD",
    K.PLAN: "KH",
    K.NOTICE: "TB",
    K.DISPATCH: "CV",
}
KIND_WEIGHTS = {
    "province": {
        K.RESOLUTION: 12,
        K.DIRECTIVE: 8,
        K.REGULATION: 6,
        K.CONCLUSION: 8,
        K.GUIDANCE: 14,
        K.PLAN: 18,
        K.NOTICE: 16,
        K.DISPATCH: 18,
    },
    "district": {
        K.RESOLUTION: 10,
        K.DIRECTIVE: 6,
        K.REGULATION: 3,
        K.CONCLUSION: 6,
        K.GUIDANCE: 12,
        K.PLAN: 25,
        K.NOTICE: 18,
        K.DISPATCH: 20,
    },
    "base": {
        K.RESOLUTION: 15,
        K.DIRECTIVE: 3,
        K.REGULATION: 2,
        K.CONCLUSION: 3,
        K.GUIDANCE: 5,
        K.PLAN: 30,
        K.NOTICE: 22,
        K.DISPATCH: 20,
    },
}
#: which advisory bodies issue which kinds (the committee itself issues the rest)
BODY_KINDS = {
    K.GUIDANCE: [
        (AdvisoryKind.TUYEN_GIAO, 5),
        (AdvisoryKind.TO_CHUC, 3),
        (AdvisoryKind.KIEM_TRA, 1),
        (AdvisoryKind.DAN_VAN, 1),
    ],
    K.PLAN: [(None, 5), (AdvisoryKind.TUYEN_GIAO, 3), (AdvisoryKind.TO_CHUC, 2)],
    K.NOTICE: [(None, 7), (AdvisoryKind.VAN_PHONG, 3)],
    K.DISPATCH: [(None, 5), (AdvisoryKind.VAN_PHONG, 5)],
}
BODY_PREFIX = {
    AdvisoryKind.TUYEN_GIAO: "BTG",
    AdvisoryKind.TO_CHUC: "BTC",
    AdvisoryKind.VAN_PHONG: "VP",
    AdvisoryKind.KIEM_TRA: "UBKT",
    AdvisoryKind.DAN_VAN: "BDV",
    AdvisoryKind.NOI_CHINH: "BNC",
}

#: topics of documents: "{kind} {topic}"; {year}, {n} (years since the Party's founding) filled in
TOPICS = [
    "về đẩy mạnh chuyển đổi số trong công tác xây dựng Đảng giai đoạn 2025 – 2030",
    "về tăng cường công tác xây dựng, chỉnh đốn Đảng và hệ thống chính trị trong sạch, vững mạnh",
    "về nâng cao chất lượng sinh hoạt chi bộ",
    "về phát triển nông nghiệp sinh thái gắn với xây dựng nông thôn mới kiểu mẫu",
    "về công tác phát triển đảng viên năm {year}",
    "về lãnh đạo tổ chức đại hội đảng bộ các cấp nhiệm kỳ 2025 – 2030",
    "về học tập, quán triệt và triển khai thực hiện các nghị quyết của Trung ương",
    "về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm {year}",
    "về chương trình kiểm tra, giám sát năm {year}",
    "về tăng cường công tác phòng, chống tham nhũng, lãng phí, tiêu cực",
    "về triển khai sử dụng Sổ tay đảng viên điện tử trong toàn Đảng bộ",
    "về nâng cao hiệu quả công tác dân vận trong tình hình mới",
    "về sắp xếp tổ chức bộ máy tinh gọn, hoạt động hiệu lực, hiệu quả",
    "về bảo vệ nền tảng tư tưởng của Đảng, đấu tranh phản bác các quan điểm sai trái, thù địch",
    "về công tác phòng, chống thiên tai và tìm kiếm cứu nạn mùa mưa bão năm {year}",
    "về tổ chức các hoạt động kỷ niệm {n} năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 – 03/02/{year})",
    "về tăng cường công tác bảo vệ môi trường, ứng phó với biến đổi khí hậu",
    "về phát triển kinh tế biển bền vững",
    "về lãnh đạo công tác tuyển chọn và gọi công dân nhập ngũ năm {year}",
    "về kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm {year}",
    "về thu, nộp, quản lý và sử dụng đảng phí",
    "về công tác bảo vệ chính trị nội bộ",
    "về xây dựng đội ngũ cán bộ các cấp, nhất là cán bộ chủ chốt và người đứng đầu",
    "về xét tặng Huy hiệu Đảng đợt 03/02 và 19/5 năm {year}",
    "về tổ chức đón Tết Nguyên đán vui tươi, lành mạnh, an toàn, tiết kiệm",
    "về đẩy mạnh cải cách hành chính, cải thiện môi trường đầu tư, kinh doanh",
    "về công tác thông tin đối ngoại năm {year}",
    "về thực hiện dân chủ ở cơ sở",
    "về công tác giáo dục chính trị, tư tưởng cho đảng viên trẻ",
    "về phát triển công nghiệp, thương mại và dịch vụ đến năm 2030",
    "về nâng cao chất lượng giáo dục và đào tạo",
    "về bảo đảm an ninh trật tự, an toàn giao thông dịp cuối năm {year}",
]
SUMMARY = {
    K.RESOLUTION: "Nghị quyết của {committee} {topic}: quan điểm, mục tiêu, nhiệm vụ và giải pháp chủ yếu đến năm 2030.",
    K.DIRECTIVE: "Chỉ thị của Ban Thường vụ {committee} {topic}, yêu cầu các cấp ủy, tổ chức đảng tập trung lãnh đạo, chỉ đạo thực hiện.",
    K.REGULATION: "Quy định của {committee} {topic}: phạm vi, đối tượng áp dụng, trách nhiệm của tổ chức đảng và đảng viên.",
    K.CONCLUSION: "Kết luận của Ban Thường vụ {committee} {topic}, đánh giá kết quả thực hiện và định hướng thời gian tới.",
    K.GUIDANCE: "Hướng dẫn của {issuer} {topic}: nội dung, cách thức tổ chức thực hiện ở các chi bộ, đảng bộ cơ sở.",
    K.PLAN: "Kế hoạch của {issuer} {topic}: mục đích, yêu cầu, nội dung, thời gian và phân công thực hiện.",
    K.NOTICE: "Thông báo của {issuer} {topic}.",
    K.DISPATCH: "Công văn của {issuer} {topic}, đề nghị các cấp ủy trực thuộc triển khai và báo cáo kết quả.",
}
PDF_SECTIONS = [
    (
        "I. MỤC ĐÍCH, YÊU CẦU",
        "Quán triệt sâu sắc, tạo sự thống nhất cao trong nhận thức và hành động của cán bộ, đảng viên; gắn việc "
        "triển khai với nhiệm vụ chính trị của từng địa phương, cơ quan, đơn vị; bảo đảm thiết thực, hiệu quả.",
    ),
    (
        "II. NỘI DUNG",
        "Các cấp ủy, tổ chức đảng tổ chức học tập, quán triệt đến toàn thể cán bộ, đảng viên; xây dựng chương "
        "trình hành động cụ thể; phát huy vai trò nêu gương của người đứng đầu; tăng cường kiểm tra, giám sát.",
    ),
    (
        "III. TỔ CHỨC THỰC HIỆN",
        "Văn phòng và các ban xây dựng đảng theo dõi, đôn đốc, định kỳ tổng hợp kết quả báo cáo cấp ủy. Trong "
        "quá trình thực hiện, nếu có vướng mắc, các đơn vị phản ánh về cơ quan thường trực để được hướng dẫn.",
    ),
]

NEWS_TITLES = {
    NewsCategory.LEADERSHIP: [
        "{committee} tổ chức hội nghị sơ kết công tác xây dựng Đảng 6 tháng đầu năm {year}",
        "{committee} quán triệt, triển khai các nghị quyết, chỉ thị mới của Trung ương",
        "Hội nghị Ban Chấp hành {org} lần thứ {n}",
        "Thường trực {committee} làm việc với {sub} về tình hình thực hiện nhiệm vụ chính trị",
        "{committee} kiểm tra công tác chuẩn bị đại hội chi bộ nhiệm kỳ 2025 – 2027",
        "{committee} trao Huy hiệu Đảng cho các đảng viên lão thành",
        "{committee} tổng kết công tác năm {year} và triển khai nhiệm vụ năm {next_year}",
    ],
    NewsCategory.CURRENT: [
        "{place}: ra quân làm đường giao thông nông thôn, chỉnh trang khu dân cư",
        "Nông dân {place} thu hoạch lúa xuân, năng suất ước đạt trên 70 tạ/ha",
        "{place} đẩy mạnh tiêm chủng và phòng, chống dịch bệnh cho gia súc, gia cầm",
        "Khánh thành nhà văn hóa thôn tại {place}",
        "{place} chủ động phương án phòng, chống bão, bảo đảm an toàn cho người dân",
        "Ngày hội Đại đoàn kết toàn dân tộc tại {place}",
        "Thái Bình: thu ngân sách năm {year} vượt dự toán",
        "Đường ven biển Thái Bình: tiến độ giải phóng mặt bằng các đoạn qua {place}",
    ],
    NewsCategory.INTERNATIONAL: [
        "Việt Nam – Lào tăng cường hợp tác giáo dục và đào tạo cán bộ",
        "Đoàn đại biểu tỉnh Thái Bình thăm và làm việc tại tỉnh Hủa Phăn (Lào)",
        "Hợp tác kinh tế Việt Nam – Hàn Quốc: cơ hội cho doanh nghiệp địa phương",
        "ASEAN thúc đẩy kết nối kinh tế số trong khu vực",
        "Việt Nam đóng góp tích cực vào hoạt động gìn giữ hòa bình của Liên hợp quốc",
        "Thái Bình tiếp đoàn nhà đầu tư Nhật Bản tìm hiểu khu công nghiệp",
    ],
    NewsCategory.USEFUL: [
        "Hướng dẫn cài đặt và sử dụng Sổ tay đảng viên điện tử trên điện thoại",
        "Cách tìm và đọc văn bản của cấp ủy trên Sổ tay đảng viên điện tử",
        "Những điều đảng viên cần biết về đóng đảng phí",
        "Cảnh giác với thủ đoạn lừa đảo qua điện thoại và mạng xã hội",
        "Lịch tiếp công dân của {committee} tháng {month}/{year}",
        "Hỏi – đáp về chuyển sinh hoạt đảng tạm thời",
        "Bật chế độ chữ lớn để đọc văn bản dễ dàng hơn",
    ],
    NewsCategory.BULLETIN: [
        "Bản tin nội bộ số {n}/{year} của {committee}",
        "Thông tin chuyên đề tháng {month}/{year}: học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "Bản tin sinh hoạt chi bộ tháng {month}/{year}",
        "Định hướng tuyên truyền tháng {month}/{year}",
    ],
}
NEWS_LEADS = {
    NewsCategory.LEADERSHIP: [
        "Ngày {day}, {committee} đã tổ chức hội nghị với sự tham dự của các đồng chí trong Ban Thường vụ, lãnh đạo "
        "các ban xây dựng đảng và bí thư các tổ chức cơ sở đảng trực thuộc.",
        "Thực hiện chương trình công tác năm {year}, các cấp ủy, tổ chức đảng trong {org} đã triển khai đồng bộ nhiều "
        "giải pháp, đạt kết quả tích cực.",
    ],
    NewsCategory.CURRENT: [
        "Với tinh thần chủ động, sáng tạo, cán bộ, đảng viên và nhân dân {place} đã chung sức thực hiện thắng lợi các "
        "chỉ tiêu đề ra.",
        "Những ngày này, tại {place}, các chi bộ phát huy vai trò hạt nhân lãnh đạo, vận động nhân dân cùng tham gia.",
    ],
    NewsCategory.INTERNATIONAL: [
        "Trong khuôn khổ hợp tác song phương, hai bên đã trao đổi kinh nghiệm và thống nhất nhiều nội dung hợp tác "
        "thiết thực trong thời gian tới.",
    ],
    NewsCategory.USEFUL: [
        "Sổ tay đảng viên điện tử giúp đảng viên tiếp cận thông tin chính thống nhanh chóng, học tập nghị quyết mọi "
        "lúc, mọi nơi.",
        "Bài viết tổng hợp những điều đảng viên cần biết, trình bày ngắn gọn để dễ tra cứu trên điện thoại.",
    ],
    NewsCategory.BULLETIN: [
        "Bản tin tổng hợp hoạt động nổi bật của các cấp ủy, tổ chức đảng trong {org} thời gian qua; đề nghị các chi bộ "
        "phổ biến tại kỳ sinh hoạt gần nhất.",
    ],
}
NEWS_PARAGRAPHS = [
    "Phát biểu chỉ đạo, đồng chí Bí thư đề nghị các cấp ủy tiếp tục đổi mới nội dung, phương thức lãnh đạo, nâng "
    "cao chất lượng sinh hoạt chi bộ, phát huy vai trò tiền phong, gương mẫu của cán bộ, đảng viên.",
    "Theo báo cáo, từ đầu năm đến nay, toàn Đảng bộ đã kết nạp thêm nhiều đảng viên mới; trên 90% đảng viên có "
    "điện thoại thông minh đã cài đặt và sử dụng Sổ tay đảng viên điện tử trong học tập và sinh hoạt đảng.",
    "Các đại biểu đã thảo luận, làm rõ những kết quả đạt được, chỉ ra hạn chế, nguyên nhân và đề xuất nhiều giải "
    "pháp thiết thực để thực hiện thắng lợi nhiệm vụ chính trị những tháng cuối năm.",
    "Sổ tay đảng viên điện tử là một quyển tài liệu chứa nhiều nội dung liên quan đến công tác Đảng; đảng viên có "
    "thể xem bất cứ lúc nào, kể cả văn bản của nhiều năm trước.",
    "Chi bộ thôn đã bám sát nghị quyết của đảng ủy xã, vận động nhân dân hiến đất, góp công làm đường, chỉnh trang "
    "khuôn viên nhà văn hóa, tạo diện mạo mới cho khu dân cư.",
    "Đảng viên sinh hoạt ở chi bộ nông thôn, tổ dân phố và đảng viên đã nghỉ hưu nay có thể nhận thông báo, văn bản "
    "của cấp ủy ngay trên điện thoại, không phải chờ đến kỳ sinh hoạt.",
    "Hội nghị đã biểu quyết thông qua nghị quyết về nhiệm vụ trọng tâm thời gian tới, trong đó chú trọng công tác "
    "cán bộ, công tác kiểm tra, giám sát và chuyển đổi số trong các cơ quan đảng.",
    "Để bảo vệ tài khoản, đảng viên không cung cấp mật khẩu, mã xác thực cho bất kỳ ai; khi quên mật khẩu, liên hệ "
    "bí thư chi bộ để được hướng dẫn cấp lại.",
    "Cấp ủy yêu cầu các chi bộ định kỳ đánh giá việc khai thác, sử dụng phần mềm, đưa vào tiêu chí đánh giá, xếp "
    "loại đảng viên cuối năm.",
]
NEWS_QUOTES = [
    (
        "Mỗi đảng viên phải là một tuyên truyền viên tích cực, gần dân, hiểu dân và có trách nhiệm với dân.",
        "Bí thư cấp ủy",
    ),
    (
        "Chuyển đổi số trong công tác Đảng bắt đầu từ chính thói quen đọc văn bản, học nghị quyết trên điện thoại.",
        "",
    ),
    (
        "Chi bộ mạnh thì đảng bộ mới mạnh; sinh hoạt chi bộ phải thiết thực, tránh hình thức.",
        "Phát biểu tại hội nghị",
    ),
]
NEWS_SOURCES = [
    "Báo Thái Bình",
    "Cổng Thông tin điện tử Đảng bộ tỉnh",
    "Thông tấn xã Việt Nam",
    "Báo Nhân Dân",
    "Đài Phát thanh và Truyền hình Thái Bình",
    "Tạp chí Cộng sản",
]
AUTHOR_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Vũ", "Đỗ", "Bùi", "Hoàng"]
AUTHOR_GIVEN = [
    "Minh Thu",
    "Thanh Hà",
    "Quang Huy",
    "Ngọc Lan",
    "Đức Anh",
    "Thu Trang",
    "Văn Thịnh",
    "Hồng Nhung",
]


def _rng(name):
    """A reproducible generator per purpose (demo data, not secrets)."""
    return random.Random(name)  # noqa: S311


# --- the plan: what to write, computed from the units alone (pure for a seed and a day) ----------


@dataclass
class DocSpec:
    level: str
    org: Organisation
    kind: str
    body: AdvisoryBody | None
    issued_on: date
    published_at: datetime
    topic: str
    title: str = ""
    summary: str = ""
    number: str = ""
    audience: Organisation | None = None
    positions: frozenset = frozenset()
    groups: frozenset = frozenset()
    links: list = field(default_factory=list)  # (LinkKind, DocSpec)
    page_id: int | None = None


@dataclass
class NewsSpec:
    level: str
    org: Organisation
    category: str
    title: str
    lead: str
    body: list
    author: str
    source: str
    featured: bool
    published_at: datetime
    audience: Organisation
    page_id: int | None = None


@dataclass
class Units:
    """The province's units that publish, read from the database once."""

    province: Organisation
    districts: list
    bases: list
    children: dict  # org id → its direct sub-units (active, not cells for the province/districts)
    bodies: dict  # org id → {AdvisoryKind: AdvisoryBody}

    @classmethod
    def load(cls, base_sections, rng):
        orgs = list(
            Organisation.objects.filter(is_active=True)
            .exclude(kind=OrgKind.CELL)
            .order_by("tree_id", "lft")
        )
        province = next((o for o in orgs if o.kind == OrgKind.PROVINCE), None)
        if province is None:
            return None
        orgs = [o for o in orgs if o.tree_id == province.tree_id]
        children = {}
        for org in orgs:
            children.setdefault(org.parent_id, []).append(org)
        cells = Organisation.objects.filter(
            tree_id=province.tree_id, kind=OrgKind.CELL, is_active=True
        ).order_by("lft")
        for cell in cells.only("id", "parent_id", "name", "lft", "rght", "tree_id", "kind", "code"):
            children.setdefault(cell.parent_id, []).append(cell)
        districts = [o for o in orgs if o.kind == OrgKind.DISTRICT]
        bases = [o for o in orgs if o.kind == OrgKind.BASE]
        bases = sorted(
            rng.sample(bases, min(base_sections, len(bases))), key=lambda o: (o.lft, o.pk)
        )
        bodies = {}
        for body in AdvisoryBody.objects.filter(
            org__in=[province, *districts], is_active=True
        ).order_by("pk"):
            bodies.setdefault(body.org_id, {}).setdefault(body.kind, body)
        return cls(province, districts, bases, children, bodies)

    def level_orgs(self, level):
        return {"province": [self.province], "district": self.districts, "base": self.bases}[level]


def committee_name(org):
    return org.short_name or org.name


def committee_suffix(org):
    """ "TU" for the provincial committee, "HU" / "ThU" / "ĐUK" / "ĐU" below it."""
    short = org.short_name or org.name
    if org.kind == OrgKind.PROVINCE:
        return "TU"
    if short.startswith("Huyện ủy"):
        return "HU"
    if short.startswith("Thành ủy") or short.startswith("Thị ủy"):
        return "ThU"
    if short.startswith("Đảng ủy Khối"):
        return "ĐUK"
    return "ĐU"


def fmt_date(day):
    return f"{day:%d/%m/%Y}"


def _day_back(rng, today, span):
    """A day within ``span`` days before today, recent days likelier."""
    return today - timedelta(days=int(span * rng.random() ** 1.6))


def _published(rng, day, now):
    at = timezone.make_aware(datetime.combine(day, dtime(rng.randint(7, 16), rng.randint(0, 59))))
    return min(at, now - timedelta(minutes=rng.randint(1, 30)))


def _fill(text, *, org, rng, year, place="", sub=""):
    return text.format(
        committee=committee_name(org),
        org=org.name,
        year=year,
        next_year=year + 1,
        n=rng.randint(5, 30),
        month=rng.randint(1, 12),
        place=place,
        sub=sub or org.name,
        day=f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}",
    )


def _topic(rng, year):
    return rng.choice(TOPICS).format(year=year, n=year - 1930)


def _pick(rng, weighted):
    items = list(weighted.items()) if isinstance(weighted, dict) else weighted
    return rng.choices([k for k, _w in items], weights=[w for _k, w in items])[0]


def _split(total, shares):
    counts = {level: int(round(total * share)) for level, share in shares.items()}
    counts["base"] += total - sum(counts.values())
    return counts


def plan_documents(units, cfg, rng, today, now):
    specs = []
    counts = _split(cfg["documents"], DOC_SHARE)
    provincial_targets = []
    for level in LEVELS:
        orgs = units.level_orgs(level)
        if not orgs:
            continue
        level_specs = []
        for i in range(counts[level]):
            org = orgs[i % len(orgs)] if i < len(orgs) else rng.choice(orgs)  # every unit gets some
            kind = _pick(rng, KIND_WEIGHTS[level])
            issued = _day_back(rng, today, cfg["days"])
            if (
                level == "province" and i == 0
            ):  # at least one resolution that district plans implement
                kind, issued = (
                    K.RESOLUTION,
                    today - timedelta(days=rng.randint(30, max(31, cfg["days"] // 2))),
                )
            force_link = level == "district" and i < len(orgs)
            if force_link:
                kind = K.PLAN
            body = None
            bodies = units.bodies.get(org.pk, {})
            if kind in BODY_KINDS and bodies:
                wanted = _pick(rng, BODY_KINDS[kind])
                body = bodies.get(wanted) if wanted else None
            spec = DocSpec(
                level,
                org,
                kind,
                body,
                issued,
                _published(rng, issued + timedelta(days=rng.randint(0, 3)), now),
                _topic(rng, issued.year),
            )
            spec.audience = org
            subs = [
                c
                for c in units.children.get(org.pk, [])
                if c.kind != OrgKind.CELL or level == "base"
            ]
            if subs and rng.random() < 0.1:
                spec.audience = rng.choice(subs)
            if kind == K.GUIDANCE and rng.random() < 0.25:
                spec.positions = frozenset(
                    {Position.BI_THU_CHI_BO, Position.PHO_BI_THU_CHI_BO, Position.CHI_UY_VIEN}
                )
            elif rng.random() < 0.01:
                spec.groups = frozenset({MemberGroup.RETIRED})
            # a plan below the province implementing a provincial resolution or directive
            if (
                level != "province"
                and kind == K.PLAN
                and provincial_targets
                and (force_link or rng.random() < 0.5)
            ):
                target = rng.choice(provincial_targets)
                if target.issued_on + timedelta(days=7) <= today:
                    spec.issued_on = min(
                        today, target.issued_on + timedelta(days=rng.randint(7, 60))
                    )
                    spec.published_at = _published(rng, spec.issued_on, now)
                    spec.topic = target.topic
                    spec.links.append((LinkKind.IMPLEMENTS, target))
            level_specs.append(spec)
        _number(level_specs, rng)
        for spec in level_specs:
            _texts(spec, rng)
        if level == "province":
            provincial_targets = [
                s for s in level_specs if s.kind in (K.RESOLUTION, K.DIRECTIVE, K.CONCLUSION)
            ]
            regulations = sorted(
                (s for s in level_specs if s.kind == K.REGULATION), key=lambda s: s.issued_on
            )
            for older, newer in zip(regulations, regulations[1:], strict=False):
                if rng.random() < 0.15 and older.issued_on < newer.issued_on:
                    newer.links.append((LinkKind.REPLACES, older))
        specs.extend(level_specs)
    return specs


def _number(specs, rng):
    """Numbers run per issuer (committee or advisory body), kind and year, in date order."""
    series = {}
    for spec in sorted(specs, key=lambda s: (s.issued_on, s.published_at)):
        key = (spec.org.pk, spec.body.pk if spec.body else None, spec.kind, spec.issued_on.year)
        step = rng.randint(1, 12) if spec.kind in (K.DISPATCH, K.NOTICE) else rng.randint(1, 2)
        series[key] = series.get(key, rng.randint(0, 5)) + step
        suffix = committee_suffix(spec.org)
        if spec.body is not None:
            suffix = BODY_PREFIX.get(spec.body.kind, "") + suffix
        spec.number = f"{series[key]:02d}-{ABBREV[spec.kind]}/{suffix}"


def _texts(spec, rng):
    label = DocumentKind(spec.kind).label
    issuer = spec.body.name if spec.body else committee_name(spec.org)
    links = [target for kind, target in spec.links if kind == LinkKind.IMPLEMENTS]
    if links:
        target = links[0]
        spec.title = (
            f"Kế hoạch thực hiện {DocumentKind(target.kind).label} số {target.number} ngày "
            f"{fmt_date(target.issued_on)} của {committee_name(target.org)} {target.topic}"
        )
    else:
        spec.title = f"{label} {spec.topic}"
    spec.title = spec.title[:250]
    spec.summary = SUMMARY[spec.kind].format(
        committee=committee_name(spec.org), issuer=issuer, topic=spec.topic
    )
    if spec.positions:
        spec.summary += " Dành cho bí thư, phó bí thư và chi ủy viên các chi bộ."


def plan_news(units, cfg, rng, today, now):
    specs = []
    counts = _split(cfg["news"], NEWS_SHARE)
    categories = {
        NewsCategory.LEADERSHIP: 30,
        NewsCategory.CURRENT: 30,
        NewsCategory.INTERNATIONAL: 8,
        NewsCategory.USEFUL: 14,
        NewsCategory.BULLETIN: 18,
    }
    for level in LEVELS:
        orgs = units.level_orgs(level)
        if not orgs:
            continue
        for i in range(counts[level]):
            org = orgs[i % len(orgs)] if i < len(orgs) else rng.choice(orgs)
            category = _pick(rng, categories)
            if level != "province" and category == NewsCategory.INTERNATIONAL:
                category = NewsCategory.CURRENT
            day = _day_back(rng, today, min(cfg["days"], 365))
            subs = [c for c in units.children.get(org.pk, []) if c.kind != OrgKind.CELL] or [org]
            sub = rng.choice(subs)
            place = sub.name.replace("Đảng bộ ", "")
            title = _fill(
                rng.choice(NEWS_TITLES[category]),
                org=org,
                rng=rng,
                year=day.year,
                place=place,
                sub=sub.name,
            )
            title = title[:1].upper() + title[1:]
            lead = _fill(
                rng.choice(NEWS_LEADS[category]), org=org, rng=rng, year=day.year, place=place
            )
            paragraphs = rng.sample(NEWS_PARAGRAPHS, rng.randint(3, 5))
            body = []
            for j, text in enumerate(paragraphs):
                if j == 2 and rng.random() < 0.4:
                    quote, attribution = rng.choice(NEWS_QUOTES)
                    body.append(
                        {"type": "quote", "value": {"text": quote, "attribution": attribution}}
                    )
                if j == 1 and rng.random() < 0.3:
                    body.append({"type": "heading", "value": "Nhiều kết quả nổi bật"})
                body.append({"type": "paragraph", "value": f"<p>{text}</p>"})
            for block in body:
                block["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            own = category in (NewsCategory.BULLETIN, NewsCategory.LEADERSHIP) or rng.random() < 0.4
            author = f"{rng.choice(AUTHOR_FAMILY)} {rng.choice(AUTHOR_GIVEN)}"
            source = f"Ban Tuyên giáo {committee_name(org)}" if own else rng.choice(NEWS_SOURCES)
            audience = sub if sub is not org and rng.random() < 0.1 else org
            specs.append(
                NewsSpec(
                    level,
                    org,
                    category,
                    title[:250],
                    lead,
                    body,
                    author,
                    source,
                    featured=rng.random() < 0.08,
                    published_at=_published(rng, day, now),
                    audience=audience,
                )
            )
    if specs and not any(s.featured for s in specs):
        specs[0].featured = True
    return specs


def plan(scale, seed, units=None):
    """(document specs, news specs) for ``scale`` and ``seed``: the same for the same units and day."""
    cfg = SCALES[scale]
    rng = _rng(f"editorial-demo-{seed}")
    units = units or Units.load(cfg["base_sections"], rng)
    if units is None:
        return [], []
    today, now = timezone.localdate(), timezone.now()
    documents = plan_documents(units, cfg, _rng(f"documents-{seed}"), today, now)
    news = plan_news(units, cfg, _rng(f"news-{seed}"), today, now)
    return documents, news


# --- PDFs --------------------------------------------------------------------------------------

PDF_FONT = "SotayDocument"


def _font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from sotay_plugins.members.cards import font_path

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(PDF_FONT, str(font_path())))
    return PDF_FONT


def document_pdf(*, issuer, kind_label, number, issued_on, summary, place="Thái Bình"):
    """A one-page A4 party document in the usual layout (issuer and number left, the Party's
    name right, the kind, the summary, three sections), marked as demo data. Deterministic bytes."""
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    base = ParagraphStyle(
        "base",
        fontName=font,
        fontSize=11.5,
        leading=16,
        alignment=TA_JUSTIFY,
        firstLineIndent=8 * mm,
    )
    center = ParagraphStyle("center", parent=base, alignment=TA_CENTER, firstLineIndent=0)
    title = ParagraphStyle("title", parent=center, fontSize=15, leading=20, spaceBefore=8)
    head = ParagraphStyle("head", parent=base, firstLineIndent=0, spaceBefore=8)
    note = ParagraphStyle("note", parent=center, fontSize=8.5, leading=11)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{kind_label} {number}",
        author=issuer,
        subject="Văn bản mẫu — Sổ tay đảng viên điện tử",
        invariant=1,
    )
    when = (
        f"{place}, ngày {issued_on.day:02d} tháng {issued_on.month:02d} năm {issued_on.year}"
        if issued_on
        else f"{place}, ngày … tháng … năm …"
    )
    header = Table(
        [
            [Paragraph(issuer.upper(), center), Paragraph("ĐẢNG CỘNG SẢN VIỆT NAM", center)],
            [Paragraph("*", center), Paragraph("—————", center)],
            [Paragraph(f"Số {number}", center), Paragraph(f"<i>{when}</i>", center)],
        ],
        colWidths=[75 * mm, 92 * mm],
    )
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story = [
        header,
        Spacer(1, 8 * mm),
        Paragraph(kind_label.upper(), title),
        Paragraph(summary, center),
        Spacer(1, 6 * mm),
    ]
    for heading, text in PDF_SECTIONS:
        story += [Paragraph(heading, head), Paragraph(text, base)]
    story += [
        Spacer(1, 14 * mm),
        Paragraph(
            "VĂN BẢN MẪU — DỮ LIỆU TRÌNH DIỄN CỦA SỔ TAY ĐẢNG VIÊN ĐIỆN TỬ, "
            "KHÔNG PHẢI VĂN BẢN THẬT",
            note,
        ),
    ]
    doc.build(story)
    return out.getvalue()


def store_pdf(name, data):
    """Write ``data`` at ``name`` in private storage (replacing a different file of that name)."""
    storage = private_storage()
    if storage.exists(name):
        with storage.open(name, "rb") as fh:
            if fh.read() == data:
                return name
        storage.delete(name)
    return storage.save(name, ContentFile(data, name=name.rsplit("/", 1)[-1]))


# --- writing -------------------------------------------------------------------------------------


def _insert_rows(model, objs):
    """INSERT the rows of ``model``'s own table (a multi-table child: ``page_ptr_id`` set)."""
    fields = model._meta.local_concrete_fields
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch = max(
        1,
        connection.ops.bulk_batch_size(fields, objs)
        if connection.vendor == "sqlite"
        else 60000 // len(fields),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            params = [
                f.get_db_prep_save(getattr(obj, f.attname), connection)
                for obj in chunk
                for f in fields
            ]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))}",  # noqa: S608
                params,
            )


def bulk_pages(section, objs, rng):
    """Add ``objs`` (unsaved NewsPage/DocumentPage instances, in order) as live children of
    ``section``: treebeard paths computed here, one ``bulk_create`` of the base rows, multi-row
    INSERTs of the child rows, the section's ``numchild`` set."""
    if not objs:
        return
    siblings = Page.objects.filter(path__startswith=section.path, depth=section.depth + 1)
    last = (
        siblings.order_by("-path").values_list("path", flat=True).first()
        if section.numchild
        else None
    )
    start = Page._str2int(last[-Page.steplen :]) + 1 if last else 1
    base_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
    slugs = set(siblings.values_list("slug", flat=True)) if section.numchild else set()
    for i, obj in enumerate(objs):
        obj.path = Page._get_path(section.path, section.depth + 1, start + i)
        obj.depth = section.depth + 1
        obj.numchild = 0
        slug = slugify(fold(obj.title))[:80].strip("-") or "bai"
        candidate, n = slug, 1
        while candidate in slugs:
            n += 1
            candidate = f"{slug}-{n}"
        slugs.add(candidate)
        obj.slug = candidate
        obj.url_path = f"{section.url_path}{candidate}/"
        obj.locale_id = section.locale_id
        obj.translation_key = uuid.UUID(int=rng.getrandbits(128), version=4)
        obj.draft_title = obj.title
        obj.live, obj.has_unpublished_changes = True, False
        obj.first_published_at = obj.last_published_at = obj.latest_revision_created_at = (
            obj.published_at
        )
        obj.search_folded = obj.folded_text()
    bases = Page.objects.bulk_create(
        [Page(**{f.attname: getattr(obj, f.attname) for f in base_fields}) for obj in objs],
        batch_size=1000,
    )
    for obj, row in zip(objs, bases, strict=True):
        obj.pk = obj.id = obj.page_ptr_id = row.pk
    _insert_rows(type(objs[0]), objs)
    Page.objects.filter(pk=section.pk).update(numchild=section.numchild + len(objs))
    section.numchild += len(objs)


def seed(*, scale="tiny", seed=1, stdout=None):
    """Write the demo newsroom and library (the ``DemoSeeder`` registered by ``register_demo``)."""
    started = time.monotonic()
    cfg = SCALES[scale]
    home = home_page()
    documents, news = plan(scale, seed)
    if home is None or not (documents or news):
        if stdout:
            stdout.write("Không có trang chủ hoặc tổ chức: bỏ qua tin bài, văn bản mẫu.")
        return None
    rng = _rng(f"pages-{seed}")
    with transaction.atomic():
        sections = {}
        for spec in [*documents, *news]:
            if spec.org.pk not in sections:
                sections[spec.org.pk] = section_for(spec.org, home=home)
        children = {}
        doc_ct = ContentType.objects.get_for_model(DocumentPage)
        news_ct = ContentType.objects.get_for_model(NewsPage)
        for spec in documents:
            page = DocumentPage(
                title=spec.title,
                content_type=doc_ct,
                issuer_org=spec.org,
                audience_org=spec.audience,
                audience_positions=spec.positions,
                audience_groups=spec.groups,
                published_at=spec.published_at,
                number=spec.number,
                kind=spec.kind,
                issued_on=spec.issued_on,
                advisory_body=spec.body,
                summary=spec.summary,
                is_classified=False,
            )
            children.setdefault(spec.org.pk, []).append((spec, page))
        for spec in news:
            page = NewsPage(
                title=spec.title,
                content_type=news_ct,
                issuer_org=spec.org,
                audience_org=spec.audience,
                published_at=spec.published_at,
                category=spec.category,
                lead=spec.lead,
                body=spec.body,
                author=spec.author,
                source=spec.source,
                featured=spec.featured,
            )
            children.setdefault(spec.org.pk, []).append((spec, page))
        for org_id in sorted(children):
            items = sorted(children[org_id], key=lambda item: (item[1].published_at, item[1].title))
            for model in (DocumentPage, NewsPage):
                of_kind = [item for item in items if isinstance(item[1], model)]
                bulk_pages(sections[org_id], [page for _spec, page in of_kind], rng)
                for spec, page in of_kind:
                    spec.page_id = page.pk
        files = attach_files(documents, cfg, seed)
        links = [
            DocumentLink(page_id=spec.page_id, target_id=target.page_id, kind=kind, sort_order=i)
            for spec in documents
            for i, (kind, target) in enumerate(spec.links)
        ]
        DocumentLink.objects.bulk_create(links, batch_size=5000)
        receipts = add_receipts(documents, news, cfg["receipts"], seed)
    analyze()
    elapsed = time.monotonic() - started
    if stdout:
        stdout.write(
            f"Đã tạo {len(sections)} chuyên mục, {len(news)} tin bài, {len(documents)} văn bản "
            f"({files} tệp PDF), {receipts} lượt đọc trong {elapsed:.1f} giây."
        )
    return {
        "sections": len(sections),
        "news": len(news),
        "documents": len(documents),
        "pdfs": files,
        "receipts": receipts,
    }


def attach_files(documents, cfg, seed):
    """One LibraryFile and one DocumentFile row per document; the PDFs: one per document (tiny)
    or one per kind and level, shared by the rows. Returns the number of PDFs stored."""
    collection_id = Collection.get_first_root_node().pk
    stored = {}
    rows = []
    for spec in documents:
        label = DocumentKind(spec.kind).label
        if cfg["own_pdf"]:
            key = spec.page_id
            name = f"library/demo/{slugify(fold(spec.number))}-{spec.page_id}.pdf"
        else:
            key = (spec.kind, spec.level)
            name = f"library/demo/{spec.kind}-{spec.level}.pdf"
        if key not in stored:
            if cfg["own_pdf"]:
                data = document_pdf(
                    issuer=spec.body.name if spec.body else committee_name(spec.org),
                    kind_label=label,
                    number=spec.number,
                    issued_on=spec.issued_on,
                    summary=spec.summary,
                )
            else:
                level_name = {"province": "TỈNH ỦY", "district": "HUYỆN ỦY", "base": "ĐẢNG ỦY"}[
                    spec.level
                ]
                data = document_pdf(
                    issuer=level_name,
                    kind_label=label,
                    number=f"…-{ABBREV[spec.kind]}/…",
                    issued_on=None,
                    summary=f"{label} mẫu (dùng chung cho dữ liệu trình diễn)",
                )
            stored[key] = (store_pdf(name, data), len(data), hashlib.sha1(data).hexdigest())  # noqa: S324 (Wagtail's file_hash)
        path, size, digest = stored[key]
        rows.append(
            LibraryFile(
                title=f"{label} {spec.number}",
                file=path,
                file_size=size,
                file_hash=digest,
                content_type="application/pdf",
                collection_id=collection_id,
            )
        )
    LibraryFile.objects.bulk_create(rows, batch_size=2000)
    DocumentFile.objects.bulk_create(
        [
            DocumentFile(page_id=spec.page_id, file_id=row.pk, sort_order=0, label=row.title)
            for spec, row in zip(documents, rows, strict=True)
        ],
        batch_size=2000,
    )
    return len(stored)


# --- read receipts ---------------------------------------------------------------------------------


def _reads(specs, total, today):
    """Page id → how many receipts it gets: provincial and recent items more (a skew, not a model)."""
    weights = {}
    for spec in specs:
        if getattr(spec, "positions", None) or getattr(spec, "groups", None):
            continue  # narrow audiences: leave them unread rather than read by the wrong members
        age = max(0, (today - timezone.localtime(spec.published_at).date()).days)
        weights[spec.page_id] = (
            READ_WEIGHT[spec.level] * (0.5 if isinstance(spec, NewsSpec) else 1.0) / (1 + age / 45)
        )
    scale = total / (sum(weights.values()) or 1)
    return {page_id: int(round(w * scale)) for page_id, w in weights.items()}


def add_receipts(documents, news, total, seed):
    specs = [*documents, *news]
    reads = _reads(specs, total, timezone.localdate())
    if connection.vendor == "postgresql":
        return _receipts_sql(specs, reads, seed)
    return _receipts_python(specs, reads, seed)


def _receipts_sql(specs, reads, seed):
    """All receipts in one INSERT … SELECT: members numbered in tree order (so each audience's
    members are one range of numbers), each page draws its count of (member, day) pairs."""
    tz = settings.TIME_ZONE
    receipts, members, orgs = (
        ReadReceipt._meta.db_table,
        Member._meta.db_table,
        Organisation._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS demo_reader, demo_read, demo_range, demo_pick")
        cursor.execute(
            f"CREATE TEMP TABLE demo_reader AS SELECT (row_number() OVER (ORDER BY o.tree_id, o.lft, m.id))::int AS rn, "  # noqa: S608
            f"m.id AS member_id, o.tree_id, o.lft FROM {members} m JOIN {orgs} o ON o.id = m.cell_id "
            f"WHERE m.status = 'active'"
        )
        cursor.execute(
            "CREATE UNIQUE INDEX ON demo_reader (rn); CREATE INDEX ON demo_reader (tree_id, lft, rn)"
        )
        cursor.execute(
            "CREATE TEMP TABLE demo_read (page_id int, audience_id int, k int, published timestamptz)"
        )
        rows = [
            (spec.page_id, spec.audience.pk, reads[spec.page_id], spec.published_at)
            for spec in specs
            if reads.get(spec.page_id)
        ]
        for start in range(0, len(rows), 5000):
            chunk = rows[start : start + 5000]
            cursor.execute(
                "INSERT INTO demo_read VALUES " + ", ".join(["(%s, %s, %s, %s)"] * len(chunk)),  # noqa: S608
                [v for row in chunk for v in row],
            )
        cursor.execute("ANALYZE demo_reader; ANALYZE demo_read")
        # each audience's members: rn from lo to hi (first and last member under it in tree order)
        cursor.execute(f"""
            CREATE TEMP TABLE demo_range AS
            SELECT a.id AS audience_id,
                   (SELECT r.rn FROM demo_reader r WHERE r.tree_id = a.tree_id AND r.lft BETWEEN a.lft AND a.rght
                    ORDER BY r.tree_id, r.lft, r.rn LIMIT 1) AS lo,
                   (SELECT r.rn FROM demo_reader r WHERE r.tree_id = a.tree_id AND r.lft BETWEEN a.lft AND a.rght
                    ORDER BY r.tree_id DESC, r.lft DESC, r.rn DESC LIMIT 1) AS hi
            FROM {orgs} a WHERE a.id IN (SELECT DISTINCT audience_id FROM demo_read)
        """)  # noqa: S608
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cursor.execute("""
            CREATE TEMP TABLE demo_pick AS
            SELECT d.page_id, d.published, x.lo + floor(random() * (x.hi - x.lo + 1))::int AS rn,
                   random() AS r_day, random() AS r_time, random() AS r_more
            FROM demo_read d JOIN demo_range x ON x.audience_id = d.audience_id AND x.lo IS NOT NULL
            CROSS JOIN LATERAL generate_series(1, LEAST(d.k, (x.hi - x.lo + 1) * 3))
        """)
        cursor.execute("ANALYZE demo_pick")
    with _bulk_load(ReadReceipt), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {receipts} (page_id, member_id, day, first_at, last_at, opens, downloads)
            SELECT page_id, member_id, day, t, LEAST(%(now)s, t + r_more * interval '40 minutes'),
                   1 + (r_more < 0.25)::int + (r_more < 0.08)::int, (r_more > 0.7)::int
            FROM (
                SELECT s.*, LEAST(%(now)s, GREATEST(s.published, ((s.day + time '06:00' + s.r_time * interval '16 hours')
                                                                 AT TIME ZONE %(tz)s))) AS t
                FROM (
                    SELECT p.page_id, r.member_id, p.r_time, p.r_more, p.published,
                           (%(today)s::date - floor(power(p.r_day, 2) * (%(today)s::date - GREATEST(
                               (p.published AT TIME ZONE %(tz)s)::date, %(today)s::date - {RECEIPT_DAYS - 1}) + 1))::int) AS day
                    FROM demo_pick p JOIN demo_reader r ON r.rn = p.rn
                ) s
            ) u
            ORDER BY page_id, member_id, day
            ON CONFLICT DO NOTHING
        """,  # noqa: S608 (table names from _meta)
            {"tz": tz, "today": timezone.localdate(), "now": timezone.now()},
        )
        count = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE demo_reader, demo_read, demo_range, demo_pick")
    return count


@contextmanager
def _bulk_load(model):
    """Load an EMPTY PostgreSQL table fast, as pg_restore does: its foreign keys and plain
    indexes are dropped, the rows go in, then the indexes are built in one sort each and the
    foreign keys re-added (one validating join each) with their exact definitions. Millions of
    rows would otherwise queue one deferred foreign-key check each until the commit. A table
    that has rows already is loaded as it is."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")  # noqa: S608
        if cursor.fetchone()[0]:
            yield
            return
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [table],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [table],
        )
        indexes = cursor.fetchall()
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # run the checks queued so far: ALTER refuses to wait
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, _definition in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}"
            )
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(
                f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )


def _receipts_python(specs, reads, seed):
    rng = _rng(f"receipts-{seed}")
    today, now = timezone.localdate(), timezone.now()
    readers = sorted(
        Member.objects.filter(status="active").values_list("cell__tree_id", "cell__lft", "id")
    )
    rows, seen = [], set()
    for spec in specs:
        k = reads.get(spec.page_id)
        if not k:
            continue
        a = spec.audience
        pool = [m for tree, lft, m in readers if tree == a.tree_id and a.lft <= lft <= a.rght]
        if not pool:
            continue
        first_day = max(
            timezone.localtime(spec.published_at).date(), today - timedelta(days=RECEIPT_DAYS - 1)
        )
        span = (today - first_day).days + 1
        for _ in range(min(k, len(pool) * 3)):
            member = rng.choice(pool)
            day = today - timedelta(days=int(span * rng.random() ** 2))
            if (spec.page_id, member, day) in seen:
                continue
            seen.add((spec.page_id, member, day))
            at = max(
                spec.published_at,
                timezone.make_aware(datetime.combine(day, dtime(6)))
                + timedelta(seconds=rng.randint(0, 16 * 3600)),
            )
            at = min(at, now)
            more = rng.random()
            rows.append(
                ReadReceipt(
                    page_id=spec.page_id,
                    member_id=member,
                    day=day,
                    first_at=at,
                    last_at=min(now, at + timedelta(minutes=int(more * 40))),
                    opens=1 + (more < 0.25) + (more < 0.08),
                    downloads=int(more > 0.7),
                )
            )
    ReadReceipt.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def analyze():
    """Planner statistics for the tables filled in bulk (PostgreSQL; autovacuum may be off)."""
    if connection.vendor != "postgresql":
        return
    models = [Page, DocumentPage, NewsPage, LibraryFile, DocumentFile, DocumentLink, ReadReceipt]
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
