"""The demo's dossiers as data: applicants, e-form answers, and the story of each dossier.

A story is a dossier's life told in working hours before the moment the demo
is loaded: when it came in, and each action on it after that. ``dossiers.py``
plays the stories through the workflow services. The applicants are in
``data/applicants.csv``: names, addresses and numbers are made up; the
streets and wards are real places of Đà Nẵng.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, NamedTuple

from motcua.demo.data import (
    CENTRE,
    CITY,
    HAI_CHAU_CENTRE,
    MINISTRY_OF_PUBLIC_SECURITY,
    PROVINCE_CODE,
)

# Procedures the stories use (codes of data/procedures.json).
KHAI_SINH = f"1.001193.000.00.21.{CITY}"  # birth, same day, inter-agency (police, insurance)
KHAI_TU = f"1.000656.000.00.21.{CITY}"  # death, same day, inter-agency (police)
KET_HON = f"1.000894.000.00.21.{CITY}"  # marriage, same day
HON_NHAN = f"1.004873.000.00.21.{CITY}"  # marital status certificate, 3 days
CHUNG_THUC = f"2.000815.000.00.21.{CITY}"  # certified copy, same day
HO_KINH_DOANH = f"1.001612.000.00.21.{CITY}"  # household business, 3 days
GIAI_TRINH = f"2.002191.000.00.21.{CITY}"  # request for an explanation, 5 days
NHA_O = f"1.009975.000.00.21.{CITY}"  # building permit for a house, 15 days
# Judicial record, 10 days: at the city police since 1 March 2025.
LY_LICH = f"2.001418.000.00.{PROVINCE_CODE}.{MINISTRY_OF_PUBLIC_SECURITY}"
CONG_CHUNG = f"2.000789.000.00.11.{CITY}"  # notary card, 10 days
GIA_HAN = f"1.009974.000.00.09.{CITY}"  # extension of a building permit, 5 days
CONG_TRINH = f"1.009972.000.00.09.{CITY}"  # building permit for large works, 20 days
CAP_LAI = f"1.009976.000.00.09.{CITY}"  # re-issue of a building permit, 5 days
CHUNG_CHI = f"1.009994.000.00.09.{CITY}"  # construction practice certificate, 20 days


class Person(NamedTuple):
    """An applicant: name, sex, year of birth, province of birth registration, phone, address."""

    name: str
    female: bool
    born: int
    province: str  # first three digits of the identity number
    phone: str
    address: str


def _people() -> list[Person]:
    text = (resources.files("motcua.demo") / "data" / "applicants.csv").read_text("utf-8")
    return [
        Person(
            row["name"],
            row["sex"] == "nữ",
            int(row["born"]),
            row["province"],
            row["phone"],
            row["address"],
        )
        for row in csv.DictReader(io.StringIO(text))
    ]


PEOPLE = _people()

# Organisations applying for large works: (name, representative's index in PEOPLE).
COMPANIES = {
    "son_tra": ("Công ty Cổ phần Đầu tư và Phát triển Sơn Trà Xanh", 16),
    "hoa_xuan": ("Công ty TNHH Xây dựng Hòa Xuân", 26),
}

# E-form answers per procedure: "@-N" is the date N days before the demo is loaded, "#N"
# the identity number of PEOPLE[N].
EFORMS: dict[str, dict[str, Any]] = {
    KHAI_SINH: {
        "child_name": "Nguyễn Minh Khang",
        "gender": "nam",
        "birth_date": "@-6",
        "birth_place": "Bệnh viện Phụ sản - Nhi Đà Nẵng",
        "ethnicity": "Kinh",
        "mother_name": "Trần Thị Mỹ Linh",
        "father_name": "Nguyễn Văn Hùng",
        "relationship": "cha",
        "copies": 2,
    },
    KHAI_TU: {
        "deceased_name": "Lê Văn Tám",
        "deceased_id": "048036001254",
        "death_date": "@-3",
        "death_place": "Bệnh viện Đà Nẵng",
        "cause": "Bệnh già",
    },
    KET_HON: {
        "husband_name": "Lê Hoàng Nam",
        "husband_id": "#24",
        "wife_name": "Đinh Thị Thùy Dung",
        "wife_id": "#25",
        "appointment": "@-1",
    },
    HON_NHAN: {"purpose": "Để đăng ký kết hôn", "marital_status": "doc_than"},
    CHUNG_THUC: {"document": "Bằng tốt nghiệp đại học", "pages": 1, "copies": 3},
    HO_KINH_DOANH: {
        "business_name": "Hộ kinh doanh Cà phê Sông Hàn",
        "address": "Số 9 Bạch Đằng, phường Hải Châu, thành phố Đà Nẵng",
        "activity": "Dịch vụ phục vụ đồ uống (5630)",
        "capital": 150000000,
        "phone": "0935660271",
    },
    GIAI_TRINH: {
        "subject": "Đề nghị giải trình việc chậm cấp Giấy chứng nhận quyền sử dụng đất",
        "decision": "Thông báo số 215/TB-UBND về việc trả hồ sơ",
        "contact_email": "quy.tran@example.vn",
    },
    NHA_O: {
        "site_address": "Lô 12 B2.3, Khu dân cư Nam cầu Cẩm Lệ, phường Hòa Xuân",
        "land_parcel": "Thửa số 245, tờ bản đồ số 17",
        "floors": 3,
        "floor_area": 285,
    },
    LY_LICH: {
        "card_type": "1",
        "purpose": "Bổ sung hồ sơ xin việc",
        "copies": 2,
        "residences": "Từ 2010 đến nay: cư trú tại phường Hải Châu, thành phố Đà Nẵng",
    },
    CONG_CHUNG: {
        "office": "Văn phòng công chứng Sông Hàn",
        "appointment_decision": "1452/QĐ-BTP",
    },
    GIA_HAN: {
        "permit_number": "1284/GPXD",
        "permit_date": "@-340",
        "site_address": "Số 310 Võ Nguyên Giáp, phường Ngũ Hành Sơn",
        "reason": "Chậm khởi công do điều chỉnh thiết kế phần móng",
    },
    CONG_TRINH: {
        "project": "Khách sạn Sơn Trà Xanh 18 tầng",
        "site_address": "Lô A7, đường Võ Nguyên Giáp, phường An Hải",
        "grade": "I",
        "investor": "Công ty Cổ phần Đầu tư và Phát triển Sơn Trà Xanh",
    },
    CAP_LAI: {
        "permit_number": "0932/GPXD",
        "permit_date": "@-200",
        "site_address": "Số 88 Cách Mạng Tháng Tám, phường Cẩm Lệ",
        "reason": "Giấy phép bị rách, hư hỏng",
    },
    CHUNG_CHI: {
        "field_of_practice": "Thiết kế kết cấu công trình",
        "grade": "III",
        "experience_years": 5,
    },
}


# E-form answers of some dossiers, over their procedure's (EFORMS).
BABY_BAO = {
    "child_name": "Lê Gia Bảo",
    "mother_name": "Phạm Thị Thu Hà",
    "father_name": "Lê Quang Vinh",
    "relationship": "me",
}
BABY_ANH = {
    "child_name": "Đỗ Ngọc Bảo Anh",
    "gender": "nu",
    "mother_name": "Đỗ Thị Hồng Nhung",
    "father_name": "",
    "relationship": "me",
}
BABY_KHOI = {"child_name": "Nguyễn Hoàng Khôi", "birth_date": "@-9", "relationship": "me"}
HKD_BAKERY = {
    "business_name": "Hộ kinh doanh Tiệm bánh Ngọc Hải",
    "address": "Số 11 Hải Phòng, phường Hải Châu, thành phố Đà Nẵng",
    "activity": "Sản xuất, bán lẻ bánh ngọt (1071)",
    "phone": "0905618492",
}
HKD_RICE = {"business_name": "Hộ kinh doanh Quán cơm Hoàng Diệu", "phone": "0763921450"}
HKD_SHOP = {
    "business_name": "Hộ kinh doanh Mỹ phẩm Thương Lê",
    "address": "Số 40 Lê Lợi, phường Hải Châu, thành phố Đà Nẵng",
    "activity": "Bán lẻ mỹ phẩm, đồ dùng vệ sinh (4772)",
    "phone": "0778640392",
}
FACTORY = {
    "project": "Nhà xưởng và văn phòng điều hành Hòa Xuân",
    "site_address": "Lô C4, Khu công nghiệp Hòa Cầm, phường Cẩm Lệ",
    "grade": "II",
    "investor": "Công ty TNHH Xây dựng Hòa Xuân",
}


class Act(NamedTuple):
    """One action of a story, ``hours`` working hours before now."""

    action: str
    hours: float


ACTIONS = frozenset(
    {"accept", "refuse", "supplement", "supplied", "claim", "assign", "forward", "back"}
    | {"result", "processed", "extend", "stop", "withdraw", "withdraw_ok", "return"}
)


@dataclass(frozen=True)
class Story:
    """A dossier: its procedure, applicant, how and when it came in, and what happened since.

    ``plot`` lists the actions with the working hours before now each was
    done: ``"accept 20, claim 19"``. An online dossier comes in at
    ``start``; a counter dossier is decided at the counter at ``start`` by
    its first action (accept, supplement or refuse). ``note`` is the text
    the one action that needs it gets: what is missing (supplement), the
    reasons (refuse, stop, back, extend, withdraw).
    """

    procedure: str
    person: int
    start: float
    plot: str = ""
    note: str = ""
    counter: str = ""  # agency code of the counter's one-stop unit; "" for online
    delivery: str = "counter"
    company: str = ""  # key of COMPANIES when an organisation applies
    form: dict[str, Any] = field(default_factory=dict)  # e-form answers over EFORMS

    @property
    def acts(self) -> list[Act]:
        """Return the actions of ``plot``, in order."""
        acts = []
        for part in filter(None, (p.strip() for p in self.plot.split(","))):
            action, hours = part.split()
            if action not in ACTIONS:
                raise ValueError(f"unknown action {action!r} in a demo story")
            acts.append(Act(action, float(hours)))
        return acts


HC = HAI_CHAU_CENTRE
TT = CENTRE
# One working day is 7.5 working hours (7:30-11:30, 13:30-17:00).
STORIES: list[Story] = [
    # --- Online, waiting for intake (the first one marks the demo: keep it online) ---
    Story(LY_LICH, 0, 7.2, delivery="online"),  # 48 working minutes left to answer
    Story(GIA_HAN, 16, 1.5),
    Story(HON_NHAN, 1, 9.5, form={"purpose": "Để làm thủ tục mua bán nhà đất"}),  # overdue
    Story(HO_KINH_DOANH, 9, 3.0),
    Story(KHAI_SINH, 0, 0.6),
    Story(CHUNG_CHI, 30, 5.0, delivery="online"),
    # --- Accepted, at the specialist step, nobody assigned yet ---
    Story(CONG_TRINH, 16, 2.5, "accept 2.5", counter=TT, company="son_tra"),
    Story(NHA_O, 14, 6.0, "accept 6", counter=HC, delivery="post"),
    Story(LY_LICH, 3, 20, "accept 16", delivery="post"),
    # --- At the specialist, assigned ---
    Story(CHUNG_CHI, 20, 45, "accept 40, claim 38"),
    Story(GIA_HAN, 4, 31, "accept 31, assign 29", counter=TT),  # the step is overdue
    Story(CONG_CHUNG, 21, 55, "accept 50, claim 47"),
    Story(HO_KINH_DOANH, 32, 16, "accept 14.5, claim 14", form=HKD_BAKERY),  # due soon
    Story(GIAI_TRINH, 18, 20, "accept 20, assign 18", counter=HC),
    # --- At the leader ---
    Story(CAP_LAI, 14, 27, "accept 25, claim 24, result 6, forward 5.5"),
    Story(HON_NHAN, 11, 18, "accept 18, claim 17, result 9, forward 8.5", counter=HC),
    Story(LY_LICH, 13, 66, "accept 60, claim 58, forward 40, claim 38, forward 24, forward 12"),
    # --- At a partner agency (inter-agency procedures) ---
    Story(LY_LICH, 5, 33, "accept 30, claim 29, forward 10", delivery="online"),
    Story(LY_LICH, 7, 46, "accept 46, assign 45, forward 21, claim 20, forward 2", counter=TT),
    Story(
        KHAI_SINH, 3, 3.2, "accept 3.2, claim 3, forward 2.2, claim 1.5", counter=HC, form=BABY_BAO
    ),
    Story(KHAI_TU, 42, 6, "accept 5, claim 4.8, forward 3"),
    Story(
        KHAI_SINH,
        15,
        9,
        "accept 8.5, claim 8.2, forward 7.5, claim 7, forward 6, forward 5.5",
        form=BABY_ANH,
    ),
    # --- Waiting for a supplement ---
    Story(
        NHA_O, 38, 8, "supplement 6", note="Bản vẽ mặt bằng móng có chữ ký của chủ nhiệm thiết kế"
    ),
    Story(
        HO_KINH_DOANH,
        24,
        12,
        "supplement 12",
        counter=HC,
        note="Bản sao hợp đồng thuê địa điểm kinh doanh",
        form=HKD_RICE,
    ),
    Story(
        CHUNG_CHI,
        10,
        60,
        "accept 55, claim 52, supplement 15",
        note="Xác nhận kinh nghiệm của tổ chức nơi đã làm việc giai đoạn 2019-2021",
    ),
    # --- Supplement received, back in processing ---
    Story(
        CONG_CHUNG,
        36,
        70,
        "accept 70, assign 68, supplement 50, supplied 30",
        counter=TT,
        note="Giấy chứng nhận sức khỏe do cơ sở y tế có thẩm quyền cấp",
    ),
    # --- Withdrawal requested by the applicant ---
    Story(
        LY_LICH,
        27,
        22,
        "accept 18, withdraw 3",
        delivery="online",
        note="Đã được cấp Phiếu lý lịch tư pháp qua ứng dụng VNeID",
    ),
    Story(
        GIA_HAN, 40, 4, "withdraw 1", note="Nộp nhầm thủ tục, sẽ nộp lại hồ sơ cấp lại giấy phép"
    ),
    # --- Withdrawn ---
    Story(
        HO_KINH_DOANH,
        31,
        30,
        "accept 28, withdraw 20, withdraw_ok 18",
        note="Thay đổi địa điểm kinh doanh",
        form={"business_name": "Hộ kinh doanh Tạp hóa Kim Chi"},
    ),
    # --- Processed, the result waiting to be returned ---
    Story(
        CHUNG_THUC, 29, 4, "accept 4, claim 3.8, result 3.5, forward 3.2, processed 2.5", counter=HC
    ),
    Story(
        GIA_HAN,
        20,
        40,
        "accept 36, claim 35, result 20, forward 19, processed 10",
        delivery="post",
        form={"permit_number": "0547/GPXD"},
    ),
    Story(
        LY_LICH,
        35,
        80,
        "accept 75, claim 74, forward 60, claim 58, forward 40, forward 30, result 12, processed 8",
        delivery="online",
    ),
    Story(KET_HON, 24, 7, "accept 7, claim 6.5, result 6, forward 5.8, processed 5.5", counter=HC),
    # --- Result returned ---
    Story(
        KHAI_SINH,
        1,
        24,
        "accept 24, claim 23.8, forward 23.5, claim 23.2, forward 22.8, forward 22.5, claim 22, "
        "forward 21.5, forward 21, result 20.8, processed 20.5, return 15",
        counter=HC,
        form=BABY_KHOI,
    ),
    Story(
        HON_NHAN,
        25,
        50,
        "accept 48, claim 47, result 40, forward 39, processed 38, return 30",
        delivery="online",
    ),
    Story(
        CAP_LAI,
        26,
        70,
        "accept 70, assign 69, result 50, forward 48, processed 36, return 20",
        counter=TT,
        form={"permit_number": "0415/GPXD", "site_address": "Số 98 Đường 2 Tháng 9"},
    ),
    Story(
        LY_LICH,
        21,
        140,
        "accept 135, claim 133, forward 110, claim 108, forward 90, forward 85, result 75, "
        "processed 70, return 60",
        delivery="online",
    ),
    Story(
        HO_KINH_DOANH,
        28,
        35,
        "accept 33, claim 32, result 26, forward 25, processed 24, return 15",
        form=HKD_SHOP,
    ),
    Story(
        GIAI_TRINH,
        18,
        60,
        "accept 60, assign 59, extend 40, result 20, forward 19, processed 16, return 10",
        counter=HC,
        note="Cần lấy ý kiến Văn phòng Đăng ký đất đai về hồ sơ gốc",
    ),
    # --- Refused ---
    Story(
        CHUNG_CHI,
        22,
        26,
        "refuse 24",
        form={"grade": "II", "experience_years": 2},
        note="Chưa đủ số năm kinh nghiệm tối thiểu theo quy định đối với hạng II.",
    ),
    Story(
        CHUNG_THUC,
        39,
        2,
        "refuse 2",
        counter=HC,
        note="Bản chính đã bị tẩy xóa, sửa chữa nội dung: không được chứng thực bản sao.",
    ),
    # --- Stopped ---
    Story(
        CONG_TRINH,
        26,
        90,
        "accept 85, claim 83, stop 10",
        company="hoa_xuan",
        form=FACTORY,
        note="Khu đất thuộc quy hoạch phân khu đang điều chỉnh; chủ đầu tư "
        "đề nghị dừng giải quyết.",
    ),
    # --- Sent back by the leader for rework ---
    Story(
        GIA_HAN,
        8,
        20,
        "accept 20, claim 19, result 12, forward 11, back 6",
        counter=TT,
        note="Kiểm tra lại thời hạn của giấy phép đã cấp trước khi gia hạn.",
        form={"permit_number": "1977/GPXD", "site_address": "Số 150 Nguyễn Văn Linh"},
    ),
]
