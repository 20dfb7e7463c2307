"""The demo province: Thành phố Đà Nẵng after the 1 July 2025 merger with Quảng Nam.

Current units come from ``vietnam-provinces``; the units before 1 July 2025
(former Đà Nẵng and Quảng Nam, their districts and communes) and the current
units that took them over come from ``vietnamadminunits``
(``territory.services.units_load_legacy``). Here are the agencies. The
procedures are in ``data/procedures.json``, loaded through the catalogue's
import, as a real catalogue file would be.

Agency codes follow the structure of Decision 20/2020/QĐ-TTg
(``organisation.codes``); what was checked, against what, and what is
still made up is in ``data/README.md``. CHECK before production: the city's
published code list (level-2 and level-3 numbers), the level-1 codes of the
Ministry of Public Security and of the social insurance after Decision
09/2025/QĐ-TTg, and the name of the regional social insurance office.
"""

from __future__ import annotations

from typing import TypedDict

PROVINCE_CODE = "48"
# Former provinces whose units (and successors) the demo loads: Đà Nẵng and Quảng Nam.
LEGACY_PROVINCE_CODES = ["48", "49"]
HOLIDAY_YEARS = range(2024, 2028)

# Level-1 code of the People's Committee of Đà Nẵng. Not read in a published list: it is
# the place of "Đà Nẵng" in the alphabetical list of the 63 former provinces, which matches
# every level-1 code found in published sources (see data/README.md). Decision 09/2025/QĐ-TTg
# keeps, for a merged province, the level-1 code of the former province of the same name.
CITY = "H15"
# Level-1 codes of the ministries whose agencies in the city are partners of the demo
# procedures (QCVN 102:2016 list; CHECK against Decision 09/2025/QĐ-TTg).
MINISTRY_OF_PUBLIC_SECURITY = "G01"
MINISTRY_OF_FINANCE = "G12"  # Vietnam Social Security is under it since March 2025


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
    notation: str  # in the numbers of its documents, e.g. STP in 12/CV-STP


UBND = f"000.00.00.{CITY}"
CENTRE = f"000.00.01.{CITY}"  # a level-2 unit of the People's Committee

PROVINCE_AGENCIES: list[AgencyData] = [
    {
        "code": UBND,
        "name": "Ủy ban nhân dân thành phố Đà Nẵng",
        "notation": "UBND",
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
        "code": f"000.01.01.{CITY}",  # level 3, under the centre
        "name": "Chi nhánh Trung tâm Phục vụ hành chính công số 1 (Tam Kỳ)",
        "short_name": "Chi nhánh số 1",
        "kind": "centre_branch",
        "parent": CENTRE,
        "is_one_stop_unit": True,
        "address": "Số 62 Hùng Vương, phường Tam Kỳ, thành phố Đà Nẵng",
    },
    {
        "code": f"000.02.01.{CITY}",
        "name": "Chi nhánh Trung tâm Phục vụ hành chính công số 2 (Hội An)",
        "short_name": "Chi nhánh số 2",
        "kind": "centre_branch",
        "parent": CENTRE,
        "is_one_stop_unit": True,
        "address": "Phường Hội An, thành phố Đà Nẵng",
    },
    {
        "code": f"000.03.01.{CITY}",
        "name": "Chi nhánh Trung tâm Phục vụ hành chính công số 3 (Điện Bàn)",
        "short_name": "Chi nhánh số 3",
        "kind": "centre_branch",
        "parent": CENTRE,
        "is_one_stop_unit": True,
        "address": "Phường Điện Bàn, thành phố Đà Nẵng",
    },
    {
        "code": f"000.00.05.{CITY}",
        "name": "Sở Nội vụ",
        "notation": "SNV",
        "kind": "department",
        "parent": UBND,
    },
    {
        "code": f"000.00.06.{CITY}",
        "name": "Sở Tài chính",
        "notation": "STC",
        "kind": "department",
        "parent": UBND,
    },
    {
        "code": f"000.00.09.{CITY}",
        "name": "Sở Xây dựng",
        "notation": "SXD",
        "kind": "department",
        "parent": UBND,
    },
    {
        "code": f"000.00.11.{CITY}",
        "name": "Sở Tư pháp",
        "notation": "STP",
        "kind": "department",
        "parent": UBND,
    },
    {
        "code": f"000.00.12.{CITY}",
        "name": "Sở Công Thương",
        "notation": "SCT",
        "kind": "department",
        "parent": UBND,
    },
    {
        "code": f"000.00.13.{CITY}",
        "name": "Sở Y tế",
        "notation": "SYT",
        "kind": "department",
        "parent": UBND,
    },
    {
        "code": f"000.00.14.{CITY}",
        "name": "Sở Giáo dục và Đào tạo",
        "notation": "SGDĐT",
        "kind": "department",
        "parent": UBND,
    },
    {
        "code": f"000.00.16.{CITY}",
        "name": "Sở Nông nghiệp và Môi trường",
        "notation": "SNNMT",
        "kind": "department",
        "parent": UBND,
    },
]

# Commune People's Committees: level-2 units of the city since 1 July 2025 (000.00.NN.H15),
# their one-stop centres level-3 units under them (000.01.NN.H15).
COMMUNES: list[tuple[str, str]] = [
    ("21", "20242"),  # Phường Hải Châu
    ("22", "20209"),  # Phường Thanh Khê
    ("23", "20263"),  # Phường Sơn Trà
    ("24", "20341"),  # Phường Tam Kỳ
    ("25", "20410"),  # Phường Hội An
    ("26", "20551"),  # Phường Điện Bàn
    ("27", "20320"),  # Xã Hòa Vang
]

# Agencies of ministries in the city: coded under their ministry, not under the city, and
# not part of its People's Committee. The city police is a level-2 unit of the Ministry of
# Public Security numbered with the province's statistics code (as QCVN 102:2016 numbers
# central agencies' units in the provinces); the ward police a level-3 unit under it; the
# regional social insurance office a level-3 unit of Vietnam Social Security (32), itself a
# unit of the Ministry of Finance since March 2025. The numbers 21, 32 and 01 are made up.
CONG_AN = f"000.00.{PROVINCE_CODE}.{MINISTRY_OF_PUBLIC_SECURITY}"
CONG_AN_HAI_CHAU = f"000.21.{PROVINCE_CODE}.{MINISTRY_OF_PUBLIC_SECURITY}"
BHXH = f"000.01.32.{MINISTRY_OF_FINANCE}"
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
        # Organised by region since 2025; CHECK the number of the region serving the city.
        "name": "Bảo hiểm xã hội khu vực",
        "short_name": "BHXH khu vực",
        "kind": "ministry_branch",
        "level": "province",
        "unit": PROVINCE_CODE,
    },
    {
        "code": CONG_AN_HAI_CHAU,
        "name": "Công an phường Hải Châu",
        "short_name": "Công an phường Hải Châu",
        "kind": "ministry_branch",
        "parent": CONG_AN,
        "level": "commune",
        "unit": "20242",
    },
]

# Procedures with their own processing steps between intake and return, in order (agency
# code, "" for the procedure's own agency; step name; role; share of the legal time in %):
# the inter-agency ones, and the judicial record's four steps at the police. Every other
# demo procedure gets the default single-agency template.
PROCESSING_STEPS: dict[str, list[tuple[str, str, str, int]]] = {
    # Birth registration, permanent residence and health insurance card for children
    # under six (liên thông, Decree 63/2024/NĐ-CP).
    f"1.001193.000.00.21.{CITY}": [
        ("", "Kiểm tra hồ sơ, dự thảo Giấy khai sinh", "specialist", 30),
        (CONG_AN_HAI_CHAU, "Đăng ký thường trú cho trẻ", "specialist", 20),
        (CONG_AN_HAI_CHAU, "Phê duyệt đăng ký thường trú", "leader", 5),
        (BHXH, "Cấp thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi", "specialist", 20),
        (BHXH, "Phê duyệt cấp thẻ bảo hiểm y tế", "leader", 5),
        ("", "Ký Giấy khai sinh, trả kết quả liên thông", "leader", 20),
    ],
    # Death registration and deletion of the permanent residence (the same decree's
    # second group; its funeral allowance step at social insurance is left out).
    f"1.000656.000.00.21.{CITY}": [
        ("", "Kiểm tra hồ sơ, dự thảo Trích lục khai tử", "specialist", 35),
        (CONG_AN_HAI_CHAU, "Xóa đăng ký thường trú", "specialist", 30),
        (CONG_AN_HAI_CHAU, "Phê duyệt xóa đăng ký thường trú", "leader", 10),
        ("", "Ký Trích lục khai tử", "leader", 25),
    ],
    # Judicial record: issued by the city police since 1 March 2025 (no longer by the
    # Department of Justice), which looks up the records and checks criminal records itself.
    f"2.001418.000.00.{PROVINCE_CODE}.{MINISTRY_OF_PUBLIC_SECURITY}": [
        ("", "Tra cứu cơ sở dữ liệu lý lịch tư pháp", "specialist", 35),
        ("", "Xác minh thông tin về án tích", "specialist", 30),
        ("", "Phê duyệt kết quả xác minh", "leader", 10),
        ("", "Ký Phiếu lý lịch tư pháp", "leader", 25),
    ],
}

# Demo staff accounts: (username, full name, role, agency code). Demo only: they all
# share DEMO_STAFF_PASSWORD, which is set when an account is first created.
DEMO_STAFF_PASSWORD = "motcua-demo-2026"  # noqa: S105
DEMO_STAFF_MAIL_DOMAIN = "motcua.example"  # a reserved name (RFC 2606): nothing is delivered
TU_PHAP = f"000.00.11.{CITY}"
XAY_DUNG = f"000.00.09.{CITY}"
HAI_CHAU_UBND = f"000.00.21.{CITY}"
HAI_CHAU_CENTRE = f"000.01.21.{CITY}"
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
    # The statistician of the city (sector figures, targets): at the People's Committee.
    ("thongke.danang", "Trịnh Thu Trang", "statistician", UBND),
]
# Accounts that may also open /admin/.
DEMO_ADMINS = {"quantri"}
