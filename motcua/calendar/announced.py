"""The days off and swapped working days the government announced, year by year, as data.

For civil servants the year's calendar is what the Prime Minister approves
(conveyed by the Government Office, VPCP) and the ministry in charge of labour
announces (the Ministry of Labour, Invalids and Social Affairs until 2025, the
Ministry of Home Affairs after it took that portfolio over). ``holidays.VN``
computes most of it from the Labour Code but has been wrong about announced
swaps: 0.109 misses the New Year 2026 swap (Friday 2 January off, Saturday
10 January worked).

Each year listed here is complete: seeding writes exactly these days for it
(``source=announced``) instead of the package's, and removes seeded days of
that year that are not listed; days an administrator entered stay as they
are. Years not listed are seeded from the package. Each day names the text
that set it (``basis``). Holidays that fall on a weekend are listed too, so the
year view shows them. To add a year, copy a block and check every line
against that year's notices; ``tests/test_announced.py`` pins every
non-working weekday and every working weekend day of each listed year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from motcua.calendar.models import DayKind

H, OFF, WORK = DayKind.HOLIDAY, DayKind.DAY_OFF, DayKind.WORKING_DAY

# The fixed holidays themselves (1/1, Tết, Hùng Kings, 30/4, 1/5, 2/9 and the day next to
# it) are set by the Labour Code, Article 112; the notices choose the movable ones.
LABOUR_CODE = "Bộ luật Lao động 2019, Điều 112"


@dataclass(frozen=True)
class AnnouncedDay:
    """One date of an announced calendar: its kind, its name and the text that set it."""

    date: dt.date
    kind: str
    name: str
    basis: str


def _days(year: int, basis: str, rows: list[tuple[int, int, str, str]]) -> tuple[AnnouncedDay, ...]:
    return tuple(
        AnnouncedDay(date=dt.date(year, month, day), kind=kind, name=name, basis=basis)
        for month, day, kind, name in rows
    )


# --- 2024 ---------------------------------------------------------------------------------------
# Thông báo 5015/TB-LĐTBXH ngày 22/11/2023: Tết from Thursday 8 to Wednesday 14 February (five
# days of Tết and two in lieu of the weekend days it covers); National Day Monday 2 and
# Tuesday 3 September. Công văn 2450/VPCP-KGVX ngày 12/4/2024: Monday 29 April off, worked on
# Saturday 4 May.
_2024_NOTICE = "Thông báo 5015/TB-LĐTBXH ngày 22/11/2023"
_2024_SWAP = "Công văn 2450/VPCP-KGVX ngày 12/4/2024"
ANNOUNCED_2024 = (
    *_days(2024, LABOUR_CODE, [(1, 1, H, "Tết Dương lịch")]),
    *_days(
        2024,
        _2024_NOTICE,
        [
            (2, 8, H, "Tết Nguyên đán (29 tháng Chạp)"),
            (2, 9, H, "Tết Nguyên đán (30 tháng Chạp)"),
            (2, 10, H, "Tết Nguyên đán (mùng 1)"),
            (2, 11, H, "Tết Nguyên đán (mùng 2)"),
            (2, 12, H, "Tết Nguyên đán (mùng 3)"),
            (2, 13, H, "Tết Nguyên đán (mùng 4)"),
            (2, 14, H, "Tết Nguyên đán (mùng 5)"),
        ],
    ),
    *_days(2024, LABOUR_CODE, [(4, 18, H, "Giỗ Tổ Hùng Vương")]),
    *_days(
        2024,
        _2024_SWAP,
        [
            (4, 29, OFF, "Nghỉ hoán đổi (làm bù thứ Bảy 04/05/2024)"),
            (5, 4, WORK, "Làm bù cho thứ Hai 29/04/2024"),
        ],
    ),
    *_days(
        2024,
        LABOUR_CODE,
        [(4, 30, H, "Ngày Chiến thắng"), (5, 1, H, "Ngày Quốc tế Lao động")],
    ),
    *_days(
        2024,
        _2024_NOTICE,
        [(9, 2, H, "Quốc khánh"), (9, 3, H, "Quốc khánh (ngày liền kề)")],
    ),
)

# --- 2025 ---------------------------------------------------------------------------------------
# Công văn 8726/VPCP-KGVX ngày 26/11/2024, announced by Thông báo 6150/TB-BLĐTBXH (2024): Tết from
# Monday 27 to Friday 31 January (nine days off with the two weekends around it); Friday 2 May
# off, worked on Saturday 26 April; National Day Monday 1 and Tuesday 2 September.
_2025_NOTICE = "Công văn 8726/VPCP-KGVX ngày 26/11/2024; Thông báo 6150/TB-BLĐTBXH năm 2024"
ANNOUNCED_2025 = (
    *_days(2025, LABOUR_CODE, [(1, 1, H, "Tết Dương lịch")]),
    *_days(
        2025,
        _2025_NOTICE,
        [
            (1, 27, H, "Tết Nguyên đán (28 tháng Chạp)"),
            (1, 28, H, "Tết Nguyên đán (29 tháng Chạp)"),
            (1, 29, H, "Tết Nguyên đán (mùng 1)"),
            (1, 30, H, "Tết Nguyên đán (mùng 2)"),
            (1, 31, H, "Tết Nguyên đán (mùng 3)"),
        ],
    ),
    *_days(2025, LABOUR_CODE, [(4, 7, H, "Giỗ Tổ Hùng Vương")]),
    *_days(
        2025,
        _2025_NOTICE,
        [
            (4, 26, WORK, "Làm bù cho thứ Sáu 02/05/2025"),
            (5, 2, OFF, "Nghỉ hoán đổi (làm bù thứ Bảy 26/04/2025)"),
        ],
    ),
    *_days(
        2025,
        LABOUR_CODE,
        [(4, 30, H, "Ngày Chiến thắng"), (5, 1, H, "Ngày Quốc tế Lao động")],
    ),
    *_days(
        2025,
        _2025_NOTICE,
        [(9, 1, H, "Quốc khánh (ngày liền kề)"), (9, 2, H, "Quốc khánh")],
    ),
)

# --- 2026 ---------------------------------------------------------------------------------------
# Công văn 12729/VPCP-KGVX ngày 25/12/2025: Friday 2 January off, worked on Saturday 10 January.
# Thông báo 9441/TB-BNV ngày 16/10/2025 (Ministry of Home Affairs): Tết from Monday 16 to Friday
# 20 February; National Day Tuesday 1 and Wednesday 2 September, Monday 31 August off, worked on
# Saturday 22 August. Hùng Kings' day falls on Sunday 26 April: Monday 27 is off in lieu
# (Labour Code, Article 111(3)). Vietnam Culture Day, 24 November: chosen as a paid day off by
# Nghị quyết 80-NQ/TW ngày 07/01/2026, to be written into Article 112 (Nghị quyết 30/NQ-CP, 2026):
# check the amended Labour Code.
_2026_NEW_YEAR = "Công văn 12729/VPCP-KGVX ngày 25/12/2025"
_2026_NOTICE = "Thông báo 9441/TB-BNV ngày 16/10/2025"
_2026_CULTURE = "Nghị quyết 80-NQ/TW ngày 07/01/2026; Nghị quyết 30/NQ-CP năm 2026"
ANNOUNCED_2026 = (
    *_days(2026, LABOUR_CODE, [(1, 1, H, "Tết Dương lịch")]),
    *_days(
        2026,
        _2026_NEW_YEAR,
        [
            (1, 2, OFF, "Nghỉ hoán đổi (làm bù thứ Bảy 10/01/2026)"),
            (1, 10, WORK, "Làm bù cho thứ Sáu 02/01/2026"),
        ],
    ),
    *_days(
        2026,
        _2026_NOTICE,
        [
            (2, 16, H, "Tết Nguyên đán (29 tháng Chạp)"),
            (2, 17, H, "Tết Nguyên đán (mùng 1)"),
            (2, 18, H, "Tết Nguyên đán (mùng 2)"),
            (2, 19, H, "Tết Nguyên đán (mùng 3)"),
            (2, 20, H, "Tết Nguyên đán (mùng 4)"),
        ],
    ),
    *_days(
        2026,
        "Bộ luật Lao động 2019, Điều 111 khoản 3 và Điều 112",
        [
            (4, 26, H, "Giỗ Tổ Hùng Vương"),
            (4, 27, OFF, "Nghỉ bù Giỗ Tổ Hùng Vương"),
        ],
    ),
    *_days(
        2026,
        LABOUR_CODE,
        [(4, 30, H, "Ngày Chiến thắng"), (5, 1, H, "Ngày Quốc tế Lao động")],
    ),
    *_days(
        2026,
        _2026_NOTICE,
        [
            (8, 22, WORK, "Làm bù cho thứ Hai 31/08/2026"),
            (8, 31, OFF, "Nghỉ hoán đổi (làm bù thứ Bảy 22/08/2026)"),
            (9, 1, H, "Quốc khánh (ngày liền kề)"),
            (9, 2, H, "Quốc khánh"),
        ],
    ),
    *_days(2026, _2026_CULTURE, [(11, 24, H, "Ngày Văn hóa Việt Nam")]),
)

ANNOUNCED: dict[int, tuple[AnnouncedDay, ...]] = {
    2024: ANNOUNCED_2024,
    2025: ANNOUNCED_2025,
    2026: ANNOUNCED_2026,
}
