"""The demo province: Thành phố Đà Nẵng after the 1 July 2025 merger with Quảng Nam.

Current units come from ``vietnam-provinces``; here are the historic units
kept for old dossiers and statistics, and the agencies. The procedures are in
``data/procedures.json``, loaded through the catalogue's import, as a real
catalogue file would be.

CHECK before production: the agency codes follow the ``xxx.xx.xx.Hyy``
pattern of the national agency code list but were not taken from the
province's published list (H17 is assumed for Đà Nẵng), and the historic
unit codes and successor mappings are from memory of the GSO lists and of
Resolution 1659/NQ-UBTVQH15 (2025); check them against the published texts.
The partner agencies of inter-agency procedures (police, social insurance)
are agencies of ministries: their codes here are made up in the same
pattern, and since 2025 social insurance is organised by region ("Bảo hiểm
xã hội khu vực"): check the name of the office that serves the city.
"""

from __future__ import annotations

from typing import TypedDict

PROVINCE_CODE = "48"
HOLIDAY_YEARS = range(2024, 2028)


class LegacyUnit(TypedDict):
    code: str
    name: str
    level: str  # "province", "district" or "commune"
    division_type: str
    parent: str | None  # code of the legacy parent
    successors: list[str]  # codes of current units (level of each: see SUCCESSOR_LEVEL)


# Successors of a legacy province are current provinces; of districts and communes, communes.
LEGACY_PROVINCES: list[LegacyUnit] = [
    {
        "code": "48",
        "name": "Thành phố Đà Nẵng",
        "level": "province",
        "division_type": "thành phố trung ương",
        "parent": None,
        "successors": ["48"],
    },
    {
        "code": "49",
        "name": "Tỉnh Quảng Nam",
        "level": "province",
        "division_type": "tỉnh",
        "parent": None,
        "successors": ["48"],
    },
]

LEGACY_DISTRICTS: list[LegacyUnit] = [
    {
        "code": "490",
        "name": "Quận Liên Chiểu",
        "level": "district",
        "division_type": "quận",
        "parent": "48",
        "successors": ["20200", "20195", "20197"],
    },
    {
        "code": "491",
        "name": "Quận Thanh Khê",
        "level": "district",
        "division_type": "quận",
        "parent": "48",
        "successors": ["20209", "20224"],
    },
    {
        "code": "492",
        "name": "Quận Hải Châu",
        "level": "district",
        "division_type": "quận",
        "parent": "48",
        "successors": ["20242", "20257"],
    },
    {
        "code": "493",
        "name": "Quận Sơn Trà",
        "level": "district",
        "division_type": "quận",
        "parent": "48",
        "successors": ["20263", "20275"],
    },
    {
        "code": "494",
        "name": "Quận Ngũ Hành Sơn",
        "level": "district",
        "division_type": "quận",
        "parent": "48",
        "successors": ["20285"],
    },
    {
        "code": "495",
        "name": "Quận Cẩm Lệ",
        "level": "district",
        "division_type": "quận",
        "parent": "48",
        "successors": ["20260", "20314", "20224"],
    },
    {
        "code": "497",
        "name": "Huyện Hòa Vang",
        "level": "district",
        "division_type": "huyện",
        "parent": "48",
        "successors": ["20320", "20332", "20308"],
    },
    {
        "code": "498",
        "name": "Huyện Hoàng Sa",
        "level": "district",
        "division_type": "huyện",
        "parent": "48",
        "successors": ["20333"],
    },
    {
        "code": "502",
        "name": "Thành phố Tam Kỳ",
        "level": "district",
        "division_type": "thành phố thuộc tỉnh",
        "parent": "49",
        "successors": ["20341", "20356", "20350", "20335"],
    },
    {
        "code": "503",
        "name": "Thành phố Hội An",
        "level": "district",
        "division_type": "thành phố thuộc tỉnh",
        "parent": "49",
        "successors": ["20410", "20413", "20401", "20434"],
    },
    {
        "code": "507",
        "name": "Thị xã Điện Bàn",
        "level": "district",
        "division_type": "thị xã",
        "parent": "49",
        "successors": ["20551", "20579", "20575", "20557", "20569", "20587"],
    },
]

LEGACY_COMMUNES: list[LegacyUnit] = [
    {
        "code": "20227",
        "name": "Phường Thanh Bình",
        "level": "commune",
        "division_type": "phường",
        "parent": "492",
        "successors": ["20242"],
    },
    {
        "code": "20233",
        "name": "Phường Thạch Thang",
        "level": "commune",
        "division_type": "phường",
        "parent": "492",
        "successors": ["20242"],
    },
    {
        "code": "20242",
        "name": "Phường Phước Ninh",
        "level": "commune",
        "division_type": "phường",
        "parent": "492",
        "successors": ["20242"],
    },
    {
        "code": "20257",
        "name": "Phường Hòa Cường Bắc",
        "level": "commune",
        "division_type": "phường",
        "parent": "492",
        "successors": ["20257"],
    },
    {
        "code": "20258",
        "name": "Phường Hòa Cường Nam",
        "level": "commune",
        "division_type": "phường",
        "parent": "492",
        "successors": ["20257"],
    },
]


class AgencyData(TypedDict, total=False):
    code: str
    name: str
    short_name: str
    kind: str
    level: str
    parent: str | None  # agency code
    unit: str  # current administrative unit code (province "48" or a commune code)
    is_one_stop_unit: bool
    address: str
    phone: str


UBND = "000.00.00.H17"
CENTRE = "000.00.01.H17"

PROVINCE_AGENCIES: list[AgencyData] = [
    {
        "code": UBND,
        "name": "Ủy ban nhân dân thành phố Đà Nẵng",
        "short_name": "UBND thành phố",
        "kind": "ubnd_province",
        "parent": None,
        "address": "Số 24 Trần Phú, phường Hải Châu, thành phố Đà Nẵng",
    },
    {
        "code": CENTRE,
        "name": "Trung tâm Phục vụ hành chính công thành phố Đà Nẵng",
        "short_name": "Trung tâm PVHCC",
        "kind": "service_centre",
        "parent": UBND,
        "is_one_stop_unit": True,
        "address": "Tầng 1-2, Trung tâm Hành chính, số 24 Trần Phú, phường Hải Châu",
        "phone": "0236 1022",
    },
    {
        "code": "000.01.01.H17",
        "name": "Chi nhánh Trung tâm Phục vụ hành chính công số 1 (Tam Kỳ)",
        "short_name": "Chi nhánh số 1",
        "kind": "centre_branch",
        "parent": CENTRE,
        "is_one_stop_unit": True,
        "address": "Số 62 Hùng Vương, phường Tam Kỳ, thành phố Đà Nẵng",
    },
    {
        "code": "000.01.02.H17",
        "name": "Chi nhánh Trung tâm Phục vụ hành chính công số 2 (Hội An)",
        "short_name": "Chi nhánh số 2",
        "kind": "centre_branch",
        "parent": CENTRE,
        "is_one_stop_unit": True,
        "address": "Phường Hội An, thành phố Đà Nẵng",
    },
    {
        "code": "000.01.03.H17",
        "name": "Chi nhánh Trung tâm Phục vụ hành chính công số 3 (Điện Bàn)",
        "short_name": "Chi nhánh số 3",
        "kind": "centre_branch",
        "parent": CENTRE,
        "is_one_stop_unit": True,
        "address": "Phường Điện Bàn, thành phố Đà Nẵng",
    },
    {"code": "000.00.05.H17", "name": "Sở Nội vụ", "kind": "department", "parent": UBND},
    {"code": "000.00.06.H17", "name": "Sở Tài chính", "kind": "department", "parent": UBND},
    {"code": "000.00.09.H17", "name": "Sở Xây dựng", "kind": "department", "parent": UBND},
    {"code": "000.00.11.H17", "name": "Sở Tư pháp", "kind": "department", "parent": UBND},
    {"code": "000.00.12.H17", "name": "Sở Công Thương", "kind": "department", "parent": UBND},
    {"code": "000.00.13.H17", "name": "Sở Y tế", "kind": "department", "parent": UBND},
    {
        "code": "000.00.14.H17",
        "name": "Sở Giáo dục và Đào tạo",
        "kind": "department",
        "parent": UBND,
    },
    {
        "code": "000.00.16.H17",
        "name": "Sở Nông nghiệp và Môi trường",
        "kind": "department",
        "parent": UBND,
    },
]

# Commune People's Committees (code 000.NN.00.H17) and their centres (000.NN.01.H17).
COMMUNES: list[tuple[str, str]] = [
    ("21", "20242"),  # Phường Hải Châu
    ("22", "20209"),  # Phường Thanh Khê
    ("23", "20263"),  # Phường Sơn Trà
    ("24", "20341"),  # Phường Tam Kỳ
    ("25", "20410"),  # Phường Hội An
    ("26", "20551"),  # Phường Điện Bàn
    ("27", "20320"),  # Xã Hòa Vang
]

# Agencies of ministries in the city: the partners of the inter-agency ("liên thông")
# procedures. Not under the People's Committee, hence no parent.
CONG_AN = "000.00.31.H17"
BHXH = "000.00.32.H17"
CONG_AN_HAI_CHAU = "000.21.02.H17"
PARTNER_AGENCIES: list[AgencyData] = [
    {
        "code": CONG_AN,
        "name": "Công an thành phố Đà Nẵng",
        "short_name": "Công an thành phố",
        "kind": "ministry_branch",
        "level": "province",
        "unit": PROVINCE_CODE,
    },
    {
        "code": BHXH,
        "name": "Bảo hiểm xã hội thành phố Đà Nẵng",
        "short_name": "BHXH thành phố",
        "kind": "ministry_branch",
        "level": "province",
        "unit": PROVINCE_CODE,
    },
    {
        "code": CONG_AN_HAI_CHAU,
        "name": "Công an phường Hải Châu",
        "short_name": "Công an phường Hải Châu",
        "kind": "ministry_branch",
        "level": "commune",
        "unit": "20242",
    },
]

# Inter-agency procedures: their processing steps between intake and return, in order
# (agency code, "" for the procedure's own agency; step name; role; share of the legal
# time in %). Every other demo procedure gets the default single-agency template.
PROCESSING_STEPS: dict[str, list[tuple[str, str, str, int]]] = {
    # Birth registration, permanent residence and health insurance card for children
    # under six (liên thông, Decree 63/2024/NĐ-CP).
    "1.001193.000.21.00.H17": [
        ("", "Kiểm tra hồ sơ, dự thảo Giấy khai sinh", "specialist", 30),
        (CONG_AN_HAI_CHAU, "Đăng ký thường trú cho trẻ", "specialist", 20),
        (CONG_AN_HAI_CHAU, "Phê duyệt đăng ký thường trú", "leader", 5),
        (BHXH, "Cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi", "specialist", 20),
        (BHXH, "Phê duyệt cấp thẻ bảo hiểm y tế", "leader", 5),
        ("", "Ký Giấy khai sinh, trả kết quả liên thông", "leader", 20),
    ],
    # Death registration and deletion of the permanent residence (the same decree's
    # second group; its funeral allowance step at social insurance is left out).
    "1.000656.000.21.00.H17": [
        ("", "Kiểm tra hồ sơ, dự thảo Trích lục khai tử", "specialist", 35),
        (CONG_AN_HAI_CHAU, "Xóa đăng ký thường trú", "specialist", 30),
        (CONG_AN_HAI_CHAU, "Phê duyệt xóa đăng ký thường trú", "leader", 10),
        ("", "Ký Trích lục khai tử", "leader", 25),
    ],
    # Judicial record: the Department of Justice asks the city police to check
    # criminal records (Law on Judicial Records, 2009).
    "2.001418.000.00.11.H17": [
        ("", "Tra cứu cơ sở dữ liệu lý lịch tư pháp", "specialist", 35),
        (CONG_AN, "Xác minh thông tin về án tích", "specialist", 30),
        (CONG_AN, "Phê duyệt kết quả xác minh", "leader", 10),
        ("", "Ký Phiếu lý lịch tư pháp", "leader", 25),
    ],
}

# Demo staff accounts: (username, full name, role, agency code). Demo only: they all
# share DEMO_STAFF_PASSWORD, which is set when an account is first created.
DEMO_STAFF_PASSWORD = "motcua-demo-2026"  # noqa: S105
DEMO_STAFF_MAIL_DOMAIN = "motcua.example"  # a reserved name (RFC 2606): nothing is delivered
TU_PHAP = "000.00.11.H17"
XAY_DUNG = "000.00.09.H17"
HAI_CHAU_UBND = "000.21.00.H17"
HAI_CHAU_CENTRE = "000.21.01.H17"
DEMO_STAFF: list[tuple[str, str, str, str]] = [
    ("tiepnhan.tt", "Nguyễn Thị Thu", "receiving_officer", CENTRE),
    ("tiepnhan.haichau", "Trần Văn Hải", "receiving_officer", HAI_CHAU_CENTRE),
    ("chuyenvien.tuphap", "Lê Minh Tuấn", "specialist", TU_PHAP),
    ("lanhdao.tuphap", "Phạm Thị Lan", "leader", TU_PHAP),
    ("chuyenvien.xaydung", "Hoàng Văn Dũng", "specialist", XAY_DUNG),
    ("lanhdao.xaydung", "Võ Thị Hạnh", "leader", XAY_DUNG),
    ("chuyenvien.haichau", "Đặng Quốc Bảo", "specialist", HAI_CHAU_UBND),
    ("lanhdao.haichau", "Bùi Thị Mai", "leader", HAI_CHAU_UBND),
    ("chuyenvien.congan", "Trương Công Minh", "specialist", CONG_AN),
    ("lanhdao.congan", "Lý Thị Hồng", "leader", CONG_AN),
    ("chuyenvien.cahaichau", "Phan Văn Lực", "specialist", CONG_AN_HAI_CHAU),
    ("lanhdao.cahaichau", "Huỳnh Thị Ngọc", "leader", CONG_AN_HAI_CHAU),
    ("chuyenvien.bhxh", "Đỗ Thanh Hương", "specialist", BHXH),
    ("lanhdao.bhxh", "Mai Xuân Phúc", "leader", BHXH),
    ("quantri", "Quản trị Trung tâm", "centre_admin", CENTRE),
    ("quantri.tuphap", "Quản trị Sở Tư pháp", "agency_admin", TU_PHAP),
]
# Accounts that may also open /admin/.
DEMO_ADMINS = {"quantri"}
