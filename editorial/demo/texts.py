"""What the demo writes about: scales, shares, document numbers and kinds, topics, titles,
leads and paragraphs of news, authors (Vietnamese text only; no code that touches the database)."""

from __future__ import annotations

from sotay_plugins.orgtree.choices import AdvisoryKind

from ..choices import DocumentKind, NewsCategory

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
    "về tổ chức các hoạt động kỷ niệm {n} năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 – "
    "03/02/{year})",
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
    K.RESOLUTION: (
        "Nghị quyết của {committee} {topic}: quan điểm, mục tiêu, nhiệm vụ và giải pháp "
        "chủ yếu đến năm 2030."
    ),
    K.DIRECTIVE: (
        "Chỉ thị của Ban Thường vụ {committee} {topic}, yêu cầu các cấp ủy, tổ chức đảng "
        "tập trung lãnh đạo, chỉ đạo thực hiện."
    ),
    K.REGULATION: (
        "Quy định của {committee} {topic}: phạm vi, đối tượng áp dụng, trách nhiệm của "
        "tổ chức đảng và đảng viên."
    ),
    K.CONCLUSION: (
        "Kết luận của Ban Thường vụ {committee} {topic}, đánh giá kết quả thực hiện và "
        "định hướng thời gian tới."
    ),
    K.GUIDANCE: (
        "Hướng dẫn của {issuer} {topic}: nội dung, cách thức tổ chức thực hiện ở các chi "
        "bộ, đảng bộ cơ sở."
    ),
    K.PLAN: (
        "Kế hoạch của {issuer} {topic}: mục đích, yêu cầu, nội dung, thời gian và phân công "
        "thực hiện."
    ),
    K.NOTICE: "Thông báo của {issuer} {topic}.",
    K.DISPATCH: (
        "Công văn của {issuer} {topic}, đề nghị các cấp ủy trực thuộc triển khai và báo "
        "cáo kết quả."
    ),
}
PDF_SECTIONS = [
    (
        "I. MỤC ĐÍCH, YÊU CẦU",
        "Quán triệt sâu sắc, tạo sự thống nhất cao trong nhận thức và hành động của cán bộ, đảng "
        "viên; gắn việc triển khai với nhiệm vụ chính trị của từng địa phương, cơ quan, đơn vị; "
        "bảo đảm thiết thực, hiệu quả.",
    ),
    (
        "II. NỘI DUNG",
        "Các cấp ủy, tổ chức đảng tổ chức học tập, quán triệt đến toàn thể cán bộ, đảng viên; xây "
        "dựng chương trình hành động cụ thể; phát huy vai trò nêu gương của người đứng đầu; tăng "
        "cường kiểm tra, giám sát.",
    ),
    (
        "III. TỔ CHỨC THỰC HIỆN",
        "Văn phòng và các ban xây dựng đảng theo dõi, đôn đốc, định kỳ tổng hợp kết quả báo cáo "
        "cấp ủy. Trong quá trình thực hiện, nếu có vướng mắc, các đơn vị phản ánh về cơ quan "
        "thường trực để được hướng dẫn.",
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
        "Thông tin chuyên đề tháng {month}/{year}: học tập và làm theo tư tưởng, đạo đức, phong "
        "cách Hồ Chí Minh",
        "Bản tin sinh hoạt chi bộ tháng {month}/{year}",
        "Định hướng tuyên truyền tháng {month}/{year}",
    ],
}
NEWS_LEADS = {
    NewsCategory.LEADERSHIP: [
        "Ngày {day}, {committee} đã tổ chức hội nghị với sự tham dự của các đồng chí trong Ban "
        "Thường vụ, lãnh đạo các ban xây dựng đảng và bí thư các tổ chức cơ sở đảng trực thuộc.",
        "Thực hiện chương trình công tác năm {year}, các cấp ủy, tổ chức đảng trong {org} đã triển "
        "khai đồng bộ nhiều giải pháp, đạt kết quả tích cực.",
    ],
    NewsCategory.CURRENT: [
        "Với tinh thần chủ động, sáng tạo, cán bộ, đảng viên và nhân dân {place} đã chung sức thực "
        "hiện thắng lợi các chỉ tiêu đề ra.",
        "Những ngày này, tại {place}, các chi bộ phát huy vai trò hạt nhân lãnh đạo, vận động nhân "
        "dân cùng tham gia.",
    ],
    NewsCategory.INTERNATIONAL: [
        "Trong khuôn khổ hợp tác song phương, hai bên đã trao đổi kinh nghiệm và thống nhất nhiều "
        "nội dung hợp tác thiết thực trong thời gian tới.",
    ],
    NewsCategory.USEFUL: [
        "Sổ tay đảng viên điện tử giúp đảng viên tiếp cận thông tin chính thống nhanh chóng, học "
        "tập nghị quyết mọi lúc, mọi nơi.",
        "Bài viết tổng hợp những điều đảng viên cần biết, trình bày ngắn gọn để dễ tra cứu trên "
        "điện thoại.",
    ],
    NewsCategory.BULLETIN: [
        "Bản tin tổng hợp hoạt động nổi bật của các cấp ủy, tổ chức đảng trong {org} thời gian "
        "qua; đề nghị các chi bộ phổ biến tại kỳ sinh hoạt gần nhất.",
    ],
}
NEWS_PARAGRAPHS = [
    "Phát biểu chỉ đạo, đồng chí Bí thư đề nghị các cấp ủy tiếp tục đổi mới nội dung, phương thức "
    "lãnh đạo, nâng cao chất lượng sinh hoạt chi bộ, phát huy vai trò tiền phong, gương mẫu của "
    "cán bộ, đảng viên.",
    "Theo báo cáo, từ đầu năm đến nay, toàn Đảng bộ đã kết nạp thêm nhiều đảng viên mới; trên 90% "
    "đảng viên có điện thoại thông minh đã cài đặt và sử dụng Sổ tay đảng viên điện tử trong học "
    "tập và sinh hoạt đảng.",
    "Các đại biểu đã thảo luận, làm rõ những kết quả đạt được, chỉ ra hạn chế, nguyên nhân và đề "
    "xuất nhiều giải pháp thiết thực để thực hiện thắng lợi nhiệm vụ chính trị những tháng cuối "
    "năm.",
    "Sổ tay đảng viên điện tử là một quyển tài liệu chứa nhiều nội dung liên quan đến công tác "
    "Đảng; đảng viên có thể xem bất cứ lúc nào, kể cả văn bản của nhiều năm trước.",
    "Chi bộ thôn đã bám sát nghị quyết của đảng ủy xã, vận động nhân dân hiến đất, góp công làm "
    "đường, chỉnh trang khuôn viên nhà văn hóa, tạo diện mạo mới cho khu dân cư.",
    "Đảng viên sinh hoạt ở chi bộ nông thôn, tổ dân phố và đảng viên đã nghỉ hưu nay có thể nhận "
    "thông báo, văn bản của cấp ủy ngay trên điện thoại, không phải chờ đến kỳ sinh hoạt.",
    "Hội nghị đã biểu quyết thông qua nghị quyết về nhiệm vụ trọng tâm thời gian tới, trong đó chú "
    "trọng công tác cán bộ, công tác kiểm tra, giám sát và chuyển đổi số trong các cơ quan đảng.",
    "Để bảo vệ tài khoản, đảng viên không cung cấp mật khẩu, mã xác thực cho bất kỳ ai; khi quên "
    "mật khẩu, liên hệ bí thư chi bộ để được hướng dẫn cấp lại.",
    "Cấp ủy yêu cầu các chi bộ định kỳ đánh giá việc khai thác, sử dụng phần mềm, đưa vào tiêu chí "
    "đánh giá, xếp loại đảng viên cuối năm.",
]
NEWS_QUOTES = [
    (
        "Mỗi đảng viên phải là một tuyên truyền viên tích cực, gần dân, hiểu dân và có trách nhiệm "
        "với dân.",
        "Bí thư cấp ủy",
    ),
    (
        "Chuyển đổi số trong công tác Đảng bắt đầu từ chính thói quen đọc văn bản, học nghị quyết "
        "trên điện thoại.",
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
