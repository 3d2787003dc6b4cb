"""Vietnamese names and places for the demo province (Thái Bình, whose deployment the seeds describe)."""

FAMILY = [("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 4), ("Vũ", 5), ("Đặng", 2), ("Bùi", 3),
          ("Đỗ", 3), ("Ngô", 2), ("Đinh", 2), ("Đào", 2), ("Phan", 2), ("Dương", 1), ("Lương", 1), ("Mai", 1),
          ("Tạ", 1), ("Cao", 1), ("Hà", 1), ("Tô", 1)]
MIDDLE_MALE = ["Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Xuân", "Công", "Thành", "Ngọc", "Trọng", "Duy", "Mạnh"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Thúy", "Kim", "Minh", "Phương", "Bích"]
GIVEN_MALE = ["Hùng", "Dũng", "Tuấn", "Nam", "Sơn", "Hải", "Long", "Thắng", "Cường", "Quân", "Bình", "Trung", "Hòa",
              "Phúc", "Khánh", "Toàn", "Thịnh", "Đạt", "Hiếu", "Tiến", "Vinh", "Lâm", "Kiên", "Hưng", "Thái", "Huy",
              "Việt", "Anh", "Tùng", "Chiến", "Luận", "Quyết", "Định", "Bảo", "Tài", "Đông"]
GIVEN_FEMALE = ["Lan", "Hương", "Hoa", "Mai", "Thảo", "Hằng", "Nga", "Yến", "Linh", "Trang", "Huyền", "Hạnh", "Loan",
                "Nhung", "Dung", "Thủy", "Vân", "Oanh", "Liên", "Ngân", "Phượng", "Hà", "Quyên", "Tâm", "Thoa", "Xuân"]

PROVINCE = ("Đảng bộ tỉnh Thái Bình", "Tỉnh ủy Thái Bình", "34")
#: (name, short name, geographic?)
DISTRICTS = [
    ("Đảng bộ thành phố Thái Bình", "Thành ủy Thái Bình", True),
    ("Đảng bộ huyện Đông Hưng", "Huyện ủy Đông Hưng", True),
    ("Đảng bộ huyện Hưng Hà", "Huyện ủy Hưng Hà", True),
    ("Đảng bộ huyện Kiến Xương", "Huyện ủy Kiến Xương", True),
    ("Đảng bộ huyện Quỳnh Phụ", "Huyện ủy Quỳnh Phụ", True),
    ("Đảng bộ huyện Thái Thụy", "Huyện ủy Thái Thụy", True),
    ("Đảng bộ huyện Tiền Hải", "Huyện ủy Tiền Hải", True),
    ("Đảng bộ huyện Vũ Thư", "Huyện ủy Vũ Thư", True),
    ("Đảng bộ Khối các cơ quan tỉnh", "Đảng ủy Khối các cơ quan tỉnh", False),
    ("Đảng bộ Khối Doanh nghiệp tỉnh", "Đảng ủy Khối Doanh nghiệp tỉnh", False),
    ("Đảng bộ Trường Đại học Thái Bình", "Đảng ủy Trường Đại học Thái Bình", False),
    ("Đảng bộ Bệnh viện Đa khoa tỉnh", "Đảng ủy Bệnh viện Đa khoa tỉnh", False),
    ("Đảng bộ Cơ quan Tỉnh ủy", "Đảng ủy Cơ quan Tỉnh ủy", False),
]
COMMUNES = ["Đông Hợp", "Đông La", "Đông Sơn", "Hồng Việt", "Minh Tân", "Nguyên Xá", "Phú Lương", "Trọng Quan",
            "Hòa Bình", "Thống Nhất", "Tân Lễ", "Canh Tân", "Cộng Hòa", "Điệp Nông", "Minh Khai", "Văn Lang",
            "An Bình", "Bình Minh", "Nam Bình", "Quang Trung", "Thanh Tân", "Vũ Lễ", "Quỳnh Hải", "An Ninh",
            "Đông Hải", "Thụy Trường", "Thái Thượng", "Nam Hưng", "Tây Giang", "Vũ Hội", "Tân Lập", "Việt Hùng",
            "Hồng Lý", "Song Lãng", "Xuân Hòa", "Tam Quang", "Dũng Nghĩa", "Đồng Thanh", "Tiền Phong", "Hoàng Diệu"]
AGENCIES = ["Sở Tài chính", "Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Nông nghiệp và Môi trường", "Sở Xây dựng",
            "Sở Nội vụ", "Sở Tư pháp", "Sở Công Thương", "Sở Văn hóa, Thể thao và Du lịch", "Thanh tra tỉnh",
            "Kho bạc Nhà nước tỉnh", "Báo Thái Bình", "Đài Phát thanh và Truyền hình", "Công ty Điện lực",
            "Công ty Cấp nước", "Khoa Nội", "Khoa Ngoại", "Khoa Y tế công cộng", "Phòng Đào tạo", "Văn phòng"]
HAMLET_PREFIX = ["thôn", "thôn", "thôn", "khu", "tổ dân phố"]
HAMLETS = ["Đông", "Tây", "Nam", "Bắc", "Thượng", "Hạ", "Trung", "An Cư", "Phú Xuân", "Quang Lang", "Cổ Dũng",
           "Hậu Thượng", "Tiền Phong", "Đoài", "Nội", "Ngoại", "Lạc Thành", "Vân Đài", "Hòa Bình", "Tân Thành"]
STREETS = ["Lý Bôn", "Trần Hưng Đạo", "Hai Bà Trưng", "Lê Lợi", "Quang Trung", "Trần Thái Tông", "Lý Thường Kiệt"]
