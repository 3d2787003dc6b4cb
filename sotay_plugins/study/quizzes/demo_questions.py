"""The demo bank: questions on Resolution 52-NQ/TW of 27/9/2019 of the Politburo (Bộ Chính trị)
"on some guidelines and policies to take part actively in the Fourth Industrial Revolution",
and on applying it at the grassroots (Thái Bình's handbook, seed ``004_…``).

Each entry: (category, kind, text, [(answer, correct)], explanation). ``FOR_UNIONS`` picks the
questions that also make the bank of union and association members (đoàn viên, hội viên).
"""

S, M, TF = "single", "multiple", "true_false"
YES, NO = [("Đúng", True), ("Sai", False)], [("Đúng", False), ("Sai", True)]

BOI_CANH = "Bối cảnh và quan điểm chỉ đạo"
MUC_TIEU_2025 = "Mục tiêu đến năm 2025"
MUC_TIEU_2030 = "Mục tiêu đến năm 2030, tầm nhìn 2045"
GIAI_PHAP = "Nhiệm vụ, giải pháp"
CO_SO = "Vận dụng ở cơ sở"

QUESTIONS = [
    (
        BOI_CANH,
        S,
        "Nghị quyết số 52-NQ/TW về một số chủ trương, chính sách chủ động tham gia cuộc Cách mạng "
        "công nghiệp lần thứ tư do cơ quan nào ban hành?",
        [("Bộ Chính trị", True), ("Quốc hội", False), ("Chính phủ", False), ("Ban Bí thư", False)],
        "Nghị quyết số 52-NQ/TW do Bộ Chính trị (khóa XII) ban hành.",
    ),
    (
        BOI_CANH,
        S,
        "Nghị quyết số 52-NQ/TW được ban hành vào ngày nào?",
        [("27/9/2019", True), ("19/11/2021", False), ("22/12/2024", False), ("03/02/2020", False)],
        "Bộ Chính trị ban hành Nghị quyết số 52-NQ/TW ngày 27/9/2019.",
    ),
    (
        BOI_CANH,
        S,
        "Nội dung chính của Nghị quyết số 52-NQ/TW là gì?",
        [
            (
                "Một số chủ trương, chính sách chủ động tham gia cuộc Cách mạng công nghiệp lần "
                "thứ tư",
                True,
            ),
            ("Tiếp tục đổi mới, phát triển và nâng cao hiệu quả kinh tế tập thể", False),
            ("Tăng cường xây dựng, chỉnh đốn Đảng và hệ thống chính trị", False),
            ("Phát triển bền vững kinh tế biển Việt Nam", False),
        ],
        "Tên đầy đủ: Nghị quyết số 52-NQ/TW về một số chủ trương, chính sách chủ động "
        "tham gia cuộc "
        "Cách mạng công nghiệp lần thứ tư.",
    ),
    (
        BOI_CANH,
        TF,
        "Theo Nghị quyết 52-NQ/TW, chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư là yêu "
        "cầu tất yếu khách quan; là nhiệm vụ có ý nghĩa chiến lược đặc biệt quan trọng, vừa cấp "
        "thiết vừa lâu dài của cả hệ thống chính trị và toàn xã hội.",
        YES,
        "Đây là quan điểm chỉ đạo đầu tiên của Nghị quyết.",
    ),
    (
        BOI_CANH,
        TF,
        "Chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư là nhiệm vụ riêng của ngành khoa "
        "học và công nghệ.",
        NO,
        "Nghị quyết xác định đây là nhiệm vụ của cả hệ thống chính trị và toàn xã hội.",
    ),
    (
        BOI_CANH,
        S,
        "Theo quan điểm của Nghị quyết, việc chủ động tham gia cuộc Cách mạng công "
        "nghiệp lần thứ tư "
        "phải gắn chặt với quá trình nào?",
        [
            ("Hội nhập quốc tế sâu rộng", True),
            ("Đô thị hóa nông thôn", False),
            ("Cải cách tiền lương", False),
            ("Sắp xếp đơn vị hành chính", False),
        ],
        "Nghị quyết nêu: chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư gắn chặt với quá "
        "trình hội nhập quốc tế sâu rộng.",
    ),
    (
        BOI_CANH,
        M,
        "Theo đánh giá của Nghị quyết, cuộc Cách mạng công nghiệp lần thứ tư đặt ra "
        "những gì đối với "
        "nước ta? (chọn các ý đúng)",
        [
            ("Thời cơ để nâng cao năng suất lao động, chất lượng tăng trưởng", True),
            ("Thách thức, nguy cơ tụt hậu nếu không theo kịp", True),
            ("Chỉ tác động đến các nước đã phát triển", False),
            ("Không ảnh hưởng đến thị trường lao động", False),
        ],
        "Cuộc cách mạng mang lại cả cơ hội và thách thức; nước ta phải chủ động nắm bắt thời cơ, "
        "vượt qua thách thức.",
    ),
    (
        MUC_TIEU_2025,
        S,
        "Đến năm 2025, Nghị quyết đặt mục tiêu kinh tế số chiếm khoảng bao nhiêu phần trăm GDP?",
        [("Khoảng 20%", True), ("Khoảng 10%", False), ("Trên 30%", False), ("Khoảng 50%", False)],
        "Mục tiêu đến năm 2025: kinh tế số chiếm khoảng 20% GDP; đến năm 2030: trên 30% GDP.",
    ),
    (
        MUC_TIEU_2025,
        S,
        "Đến năm 2025, chỉ số đổi mới sáng tạo toàn cầu (GII) của Việt Nam được đặt mục "
        "tiêu ở vị trí "
        "nào?",
        [
            ("Thuộc nhóm 3 nước dẫn đầu ASEAN", True),
            ("Thuộc nhóm 40 nước dẫn đầu thế giới", False),
            ("Đứng đầu châu Á", False),
            ("Thuộc nhóm 10 nước ASEAN", False),
        ],
        "Nhóm 3 nước dẫn đầu ASEAN là mục tiêu năm 2025; nhóm 40 nước dẫn đầu thế giới là mục tiêu "
        "năm 2030.",
    ),
    (
        MUC_TIEU_2025,
        S,
        "Đến năm 2025, năng suất lao động được đặt mục tiêu tăng bình quân bao nhiêu mỗi năm?",
        [
            ("Trên 7%/năm", True),
            ("Khoảng 3%/năm", False),
            ("Khoảng 5%/năm", False),
            ("Trên 10%/năm", False),
        ],
        "Mục tiêu đến năm 2025: năng suất lao động tăng bình quân trên 7%/năm.",
    ),
    (
        MUC_TIEU_2025,
        S,
        "Theo xếp hạng chính phủ điện tử của Liên hợp quốc, Nghị quyết đặt mục tiêu đến "
        "năm 2025 Việt "
        "Nam ở vị trí nào?",
        [
            ("Thuộc nhóm 4 nước dẫn đầu ASEAN", True),
            ("Đứng đầu ASEAN", False),
            ("Thuộc nhóm 10 nước dẫn đầu thế giới", False),
            ("Thuộc nhóm 20 nước dẫn đầu châu Á", False),
        ],
        "Mục tiêu đến năm 2025: thuộc nhóm 4 nước dẫn đầu ASEAN trong xếp hạng chính phủ điện tử.",
    ),
    (
        MUC_TIEU_2025,
        S,
        "Mục tiêu về hạ tầng băng rộng đến năm 2025 của Nghị quyết là gì?",
        [
            ("Mạng băng rộng cáp quang phủ tới 100% các xã", True),
            ("Chỉ phủ các thành phố trực thuộc Trung ương", False),
            ("Phủ 50% số huyện", False),
            ("Không đặt mục tiêu về hạ tầng", False),
        ],
        "Đến năm 2025, mạng băng rộng cáp quang phủ 100% các xã.",
    ),
    (
        MUC_TIEU_2025,
        S,
        "Đến năm 2025, Nghị quyết đặt mục tiêu có ít nhất bao nhiêu đô thị thông minh?",
        [
            (
                "Ít nhất 3 đô thị thông minh tại 3 vùng kinh tế trọng điểm phía Bắc, phía Nam và "
                "miền Trung",
                True,
            ),
            ("Mỗi tỉnh, thành phố một đô thị thông minh", False),
            ("10 đô thị thông minh", False),
            ("Chỉ Hà Nội và Thành phố Hồ Chí Minh", False),
        ],
        "Mục tiêu: có ít nhất 3 đô thị thông minh tại 3 vùng kinh tế trọng điểm phía Bắc, phía Nam "
        "và miền Trung.",
    ),
    (
        MUC_TIEU_2025,
        TF,
        "Đến năm 2025, Nghị quyết đặt mục tiêu cơ bản hoàn thành chuyển đổi số trong các cơ quan "
        "đảng, nhà nước, Mặt trận Tổ quốc và các tổ chức chính trị - xã hội.",
        YES,
        "Đây là một trong các mục tiêu đến năm 2025 của Nghị quyết.",
    ),
    (
        MUC_TIEU_2025,
        M,
        "Những chỉ tiêu nào là mục tiêu đến năm 2025 của Nghị quyết? (chọn các ý đúng)",
        [
            ("Kinh tế số chiếm khoảng 20% GDP", True),
            ("Năng suất lao động tăng bình quân trên 7%/năm", True),
            ("Mạng di động 5G phủ sóng toàn quốc", False),
            ("Kinh tế số chiếm trên 30% GDP", False),
        ],
        "5G phủ sóng toàn quốc và kinh tế số trên 30% GDP là mục tiêu đến năm 2030.",
    ),
    (
        MUC_TIEU_2030,
        S,
        "Đến năm 2030, kinh tế số được đặt mục tiêu chiếm bao nhiêu phần trăm GDP?",
        [("Trên 30%", True), ("Khoảng 20%", False), ("Khoảng 15%", False), ("Trên 50%", False)],
        "Mục tiêu đến năm 2030: kinh tế số chiếm trên 30% GDP.",
    ),
    (
        MUC_TIEU_2030,
        S,
        "Đến năm 2030, chỉ số đổi mới sáng tạo toàn cầu (GII) của Việt Nam được đặt mục "
        "tiêu ở đâu?",
        [
            ("Thuộc nhóm 40 nước dẫn đầu thế giới", True),
            ("Thuộc nhóm 3 nước dẫn đầu ASEAN", False),
            ("Thuộc nhóm 10 nước dẫn đầu thế giới", False),
            ("Thuộc nhóm 100 nước", False),
        ],
        "Mục tiêu đến năm 2030: GII thuộc nhóm 40 nước dẫn đầu thế giới.",
    ),
    (
        MUC_TIEU_2030,
        S,
        "Theo Nghị quyết, đến năm 2030 mạng di động nào phủ sóng toàn quốc?",
        [
            ("Mạng 5G", True),
            ("Mạng 3G", False),
            ("Mạng 4G chỉ ở thành phố", False),
            ("Mạng 6G", False),
        ],
        "Mục tiêu đến năm 2030: mạng di động 5G phủ sóng toàn quốc.",
    ),
    (
        MUC_TIEU_2030,
        S,
        "Đến năm 2030, năng suất lao động được đặt mục tiêu tăng bình quân bao nhiêu mỗi năm?",
        [
            ("Khoảng 7,5%/năm", True),
            ("Khoảng 5%/năm", False),
            ("Khoảng 3%/năm", False),
            ("Trên 12%/năm", False),
        ],
        "Mục tiêu đến năm 2030: năng suất lao động tăng bình quân khoảng 7,5%/năm.",
    ),
    (
        MUC_TIEU_2030,
        TF,
        "Hoàn thành xây dựng Chính phủ số là một mục tiêu đến năm 2030 của Nghị quyết 52-NQ/TW.",
        YES,
        "Đến năm 2030, Nghị quyết đặt mục tiêu hoàn thành xây dựng Chính phủ số.",
    ),
    (
        MUC_TIEU_2030,
        TF,
        "Người dân được truy cập Internet băng thông rộng với chi phí thấp là một mục tiêu đến năm "
        "2030 của Nghị quyết.",
        YES,
        "Cùng với 5G phủ sóng toàn quốc, Nghị quyết đặt mục tiêu người dân được truy cập Internet "
        "băng thông rộng với chi phí thấp.",
    ),
    (
        MUC_TIEU_2030,
        S,
        "Tầm nhìn đến năm 2045 của Nghị quyết là Việt Nam trở thành…",
        [
            (
                "một trong những trung tâm sản xuất và dịch vụ thông minh, trung tâm khởi "
                "nghiệp, đổi "
                "mới sáng tạo thuộc nhóm dẫn đầu khu vực châu Á",
                True,
            ),
            ("trung tâm tài chính lớn nhất thế giới", False),
            ("nước xuất khẩu dầu mỏ hàng đầu", False),
            ("nước dẫn đầu thế giới về du lịch biển", False),
        ],
        "Tầm nhìn 2045: Việt Nam trở thành một trong những trung tâm sản xuất và dịch vụ "
        "thông minh, "
        "trung tâm khởi nghiệp, đổi mới sáng tạo thuộc nhóm dẫn đầu khu vực châu Á.",
    ),
    (
        GIAI_PHAP,
        S,
        "Theo Nghị quyết, nhóm nhiệm vụ, giải pháp được nêu trước hết là gì?",
        [
            ("Đổi mới tư duy, thống nhất nhận thức, tạo quyết tâm chính trị mạnh mẽ", True),
            ("Tăng thuế đối với doanh nghiệp công nghệ", False),
            ("Hạn chế sử dụng công nghệ nước ngoài", False),
            ("Giảm đầu tư cho hạ tầng viễn thông", False),
        ],
        "Nhận thức và quyết tâm chính trị đi trước: lãnh đạo, chỉ đạo quyết liệt của cả hệ thống "
        "chính trị.",
    ),
    (
        GIAI_PHAP,
        M,
        "Những nhóm nhiệm vụ, giải pháp nào được Nghị quyết đề ra? (chọn các ý đúng)",
        [
            ("Hoàn thiện thể chế, tạo thuận lợi cho đổi mới sáng tạo", True),
            ("Phát triển hạ tầng thiết yếu", True),
            ("Phát triển và nâng cao chất lượng nguồn nhân lực", True),
            ("Giảm đầu tư cho giáo dục, đào tạo", False),
        ],
        "Nghị quyết nêu các nhóm giải pháp về nhận thức, thể chế, hạ tầng, nguồn nhân "
        "lực, khoa học - "
        "công nghệ và hội nhập quốc tế.",
    ),
    (
        GIAI_PHAP,
        TF,
        "Nghị quyết chủ trương xây dựng cơ chế thử nghiệm chính sách mới (sandbox) cho "
        "các sản phẩm, "
        "dịch vụ và mô hình kinh doanh dựa trên công nghệ mới.",
        YES,
        "Cơ chế thử nghiệm (sandbox) giúp thể chế theo kịp những mô hình kinh doanh mới.",
    ),
    (
        GIAI_PHAP,
        S,
        "Về nguồn nhân lực, Nghị quyết chú trọng đưa nội dung nào vào chương trình giáo "
        "dục phổ thông?",
        [
            ("Khoa học, công nghệ, kỹ thuật và toán học (STEM), ngoại ngữ, tin học", True),
            ("Chỉ các môn năng khiếu", False),
            ("Giảm thời lượng môn tin học", False),
            ("Chỉ dạy nghề truyền thống", False),
        ],
        "Nghị quyết yêu cầu đổi mới giáo dục, tập trung vào STEM, ngoại ngữ, tin học.",
    ),
    (
        CO_SO,
        S,
        "Tỉnh ủy Thái Bình triển khai phần mềm “Sổ tay đảng viên điện tử” là một nội "
        "dung thực hiện "
        "nghị quyết nào?",
        [
            ("Nghị quyết số 52-NQ/TW của Bộ Chính trị", True),
            ("Nghị quyết về phát triển kinh tế biển", False),
            ("Nghị quyết về công tác dân số", False),
            ("Nghị quyết về xây dựng nông thôn mới", False),
        ],
        "Theo Báo Thái Bình, đưa Sổ tay đảng viên điện tử vào sử dụng là nội dung quan trọng tỉnh "
        "triển khai thực hiện Nghị quyết số 52-NQ/TW.",
    ),
    (
        CO_SO,
        TF,
        "Chuyển đổi số trong hoạt động của các cơ quan đảng góp phần đổi mới phương thức "
        "lãnh đạo của "
        "các tổ chức, cơ sở đảng.",
        YES,
        "Ứng dụng Sổ tay đảng viên điện tử nhằm nâng cao chất lượng hoạt động, đổi mới phương thức "
        "lãnh đạo của tổ chức đảng.",
    ),
    (
        CO_SO,
        TF,
        "Đảng viên có thể dùng Sổ tay đảng viên điện tử để học tập nghị quyết, làm bài kiểm tra và "
        "tích lũy điểm.",
        YES,
        "Sổ tay có mục Học tập: đọc nghị quyết, làm bài kiểm tra, xem điểm tích lũy.",
    ),
    (
        CO_SO,
        S,
        "Trong chuyển đổi số ở cơ sở, đảng viên cần làm gì?",
        [
            (
                "Gương mẫu sử dụng các nền tảng số, hướng dẫn gia đình và người dân cùng tham gia",
                True,
            ),
            ("Chờ cấp trên triển khai xong mới tham gia", False),
            ("Để việc này cho cán bộ chuyên trách công nghệ thông tin", False),
            ("Hạn chế dùng dịch vụ công trực tuyến", False),
        ],
        "Đảng viên nêu gương: dùng trước, hướng dẫn người thân, người dân cùng dùng.",
    ),
    (
        CO_SO,
        M,
        "Việc nào sau đây đảng viên nên làm khi dùng Sổ tay đảng viên điện tử? (chọn các ý đúng)",
        [
            ("Tự giữ mật khẩu tài khoản của mình", True),
            ("Đọc tài liệu trước buổi sinh hoạt chi bộ", True),
            ("Cho người khác mượn tài khoản để làm bài kiểm tra hộ", False),
            ("Đăng tài liệu nội bộ của chi bộ lên mạng xã hội", False),
        ],
        "Tài khoản là của riêng mỗi đảng viên; tài liệu nội bộ không được đưa ra ngoài.",
    ),
]

#: indexes of QUESTIONS that also make the bank for union and association members
FOR_UNIONS = (0, 2, 4, 7, 8, 12, 15, 17, 21, 26, 27, 28, 29, 30)
