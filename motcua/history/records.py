"""One row of a previous system's dossiers, checked and turned into a statistics ``Fact``.

The columns, their values and the mapping of the national status codes are
documented in ``docs/imports.md`` ("Dossiers from a previous system"). A row
either becomes an unsaved ``Fact`` (``source = import``) or is refused with
one reason (a msgid below). Codes are resolved through ``Refs``, read once
per import (one query each for agencies, their places, and procedures).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.core.text import fold
from motcua.organisation.models import Agency
from motcua.statistics.models import Fact, Source
from motcua.territory.models import AdministrativeUnit, UnitLevel

# The columns in the documented order (``docs/imports.md``); the required ones.
COLUMNS = (
    "ma_ho_so",
    "ma_don_vi_tiep_nhan",
    "ma_co_quan_giai_quyet",
    "ma_thu_tuc",
    "kenh",
    "muc_do",
    "trang_thai",
    "ngay_tiep_nhan",
    "han_xu_ly",
    "ngay_ket_thuc",
    "ket_qua",
    "ngay_tra_ket_qua",
    "hinh_thuc_tra",
    "da_gia_han",
    "so_lan_bo_sung",
    "thanh_toan_truc_tuyen",
    "ket_qua_dien_tu",
)
REQUIRED = (
    "ma_ho_so",
    "ma_don_vi_tiep_nhan",
    "ma_co_quan_giai_quyet",
    "ma_thu_tuc",
    "kenh",
    "trang_thai",
    "ngay_tiep_nhan",
)
EARLIEST = dt.date(2000, 1, 1)
CODE_MAX = 60

NO_SUCH_FILE = _("No such file.")
NO_CODE = _("The dossier code (ma_ho_so) is empty.")
CODE_TOO_LONG = _("The dossier code is longer than 60 characters.")
DUPLICATE = _("The same dossier code is on an earlier row of this file.")
LIVE_CODE = _("This code belongs to a dossier of this system.")
UNKNOWN_UNIT = _("Unknown receiving unit code.")
UNKNOWN_AGENCY = _("Unknown deciding agency code.")
UNKNOWN_PROCEDURE = _("Unknown procedure code.")
UNKNOWN_STATUS = _("Unknown status: use the national status codes 1 to 10.")
UNKNOWN_CHANNEL = _("Unknown channel: use 1 (counter), 2 (online) or 3 (post).")
UNKNOWN_LEVEL = _("Unknown online level: use toan_trinh, mot_phan, khong or 1 to 4.")
UNKNOWN_VERDICT = _("Unknown verdict: use truoc_han, dung_han or qua_han.")
UNKNOWN_RETURN = _("Unknown way of returning the result: use truc_tiep, buu_chinh or truc_tuyen.")
BAD_DATE = _("A date is not a date: use dd/mm/yyyy or yyyy-mm-dd, with the time if any.")
NO_RECEIPT = _("The date of receipt (ngay_tiep_nhan) is empty.")
DATE_OUT_OF_RANGE = _("A date is before 2000 or after today.")
END_BEFORE_RECEIPT = _("The end of processing is before the receipt.")
RETURN_BEFORE_RECEIPT = _("The result is returned before the receipt.")
NO_END = _("A finished dossier (status 8, 9 or 10) needs its end date (ngay_ket_thuc).")
OPEN_WITH_END = _("A dossier still open (status 1, 2, 4 to 7) has an end date.")
BAD_FLAG = _("Use 0 or 1 for an extension (da_gia_han).")
BAD_COUNT = _("The number of supplements (so_lan_bo_sung) is not a whole number from 0 to 99.")

# National status code -> (state, how processing ended: "" while open).
STATUSES: dict[int, tuple[str, str]] = {
    1: ("submitted", ""),
    2: ("accepted", ""),
    3: ("refused", "refused"),
    4: ("in_process", ""),
    5: ("supplement_requested", ""),
    6: ("payment_requested", ""),
    7: ("withdrawal_requested", ""),
    8: ("stopped", "stopped"),
    9: ("processed", "processed"),
    10: ("result_returned", "processed"),
}
CHANNELS = {
    "1": 1,
    "truc tiep": 1,
    "truc_tiep": 1,
    "2": 2,
    "truc tuyen": 2,
    "truc_tuyen": 2,
    "3": 3,
    "buu chinh": 3,
    "buu_chinh": 3,
}
LEVELS = {
    "toan_trinh": "full",
    "toan trinh": "full",
    "mot_phan": "partial",
    "mot phan": "partial",
    "khong": "none",
    **{str(n): str(n) for n in range(1, 5)},
}
VERDICTS = {
    "truoc_han": "early",
    "truoc han": "early",
    "dung_han": "on_time",
    "dung han": "on_time",
    "qua_han": "late",
    "qua han": "late",
}
RETURNS = {
    "truc_tiep": "counter",
    "truc tiep": "counter",
    "buu_chinh": "post",
    "buu chinh": "post",
    "truc_tuyen": "online",
    "truc tuyen": "online",
}

_DATE = re.compile(
    r"^(?:(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})|(?P<Y>\d{4})-(?P<M>\d{2})-(?P<D>\d{2}))"
    r"(?:[ T](?P<H>\d{1,2}):(?P<I>\d{2})(?::(?P<S>\d{2}))?(?:\.\d+)?)?$"
)


class Rejected(Exception):
    """A row refused, with its reason."""

    def __init__(self, reason: str | Promise) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class Place:
    agency: int
    province: int | None
    commune: int | None


@dataclass
class Refs:
    """The codes a file names, resolved: agencies with their places, procedures with levels."""

    agencies: dict[str, Place]
    procedures: dict[str, tuple[int, str, int | None]]  # code -> (pk, level, level before 2022)

    @classmethod
    def load(cls) -> Refs:
        """Read every agency and procedure code; three queries."""
        rows = list(Agency.objects.values_list("code", "pk", "administrative_unit_id"))
        units = {
            pk: (level, parent, grandparent, parent_level)
            for pk, level, parent, grandparent, parent_level in AdministrativeUnit.objects.filter(
                pk__in={unit for _c, _p, unit in rows}
            ).values_list("pk", "level", "parent_id", "parent__parent_id", "parent__level")
        }
        agencies: dict[str, Place] = {}
        for code, pk, unit in rows:
            level, parent, grandparent, parent_level = units[unit]
            if level == UnitLevel.PROVINCE:
                place = Place(pk, unit, None)
            elif level == UnitLevel.DISTRICT:
                place = Place(pk, parent, None)
            elif parent_level == UnitLevel.PROVINCE:  # a commune today: its province is one up
                place = Place(pk, parent, unit)
            else:  # a commune before 2025, under its district
                place = Place(pk, grandparent, unit)
            agencies[code] = place
        procedures = {
            code: (pk, level, legacy)
            for code, pk, level, legacy in Procedure.objects.values_list(
                "code", "pk", "online_level", "legacy_online_level"
            )
        }
        return cls(agencies, procedures)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def parse_when(value: Any, zone: ZoneInfo) -> dt.datetime | None:
    """Return a cell as an aware datetime (a date alone: its midnight); None when empty."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=zone)
    text = str(value).strip()
    if not text:
        return None
    match = _DATE.match(text)
    if match is None:
        raise Rejected(BAD_DATE)
    g = match.groupdict()
    try:
        return dt.datetime(
            int(g["y"] or g["Y"]),
            int(g["m"] or g["M"]),
            int(g["d"] or g["D"]),
            int(g["H"] or 0),
            int(g["I"] or 0),
            int(g["S"] or 0),
            tzinfo=zone,
        )
    except ValueError as exc:
        raise Rejected(BAD_DATE) from exc


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _choice(value: Any, table: dict[str, Any], reason: Promise) -> Any:
    text = _text(value)
    found = table.get(text)
    if found is None:
        found = table.get(fold(text))
        if found is None:
            raise Rejected(reason)
    return found


class RowParser:
    """Turns a row (its cells, by the file's columns) into a ``Fact``, or raises ``Rejected``."""

    def __init__(self, columns: dict[str, int], refs: Refs, today: dt.date) -> None:
        self.refs = refs
        self.today = today
        self.zone = _zone()
        self.cell: dict[str, Callable[[Sequence[Any]], Any]] = {
            name: self._getter(columns.get(name)) for name in COLUMNS
        }

    @staticmethod
    def _getter(index: int | None) -> Callable[[Sequence[Any]], Any]:
        if index is None:
            return lambda _row: None
        return lambda row: row[index] if index < len(row) else None

    def code(self, row: Sequence[Any]) -> str:
        """Return the row's dossier code (checked: present, not too long)."""
        code = _text(self.cell["ma_ho_so"](row))
        if not code:
            raise Rejected(NO_CODE)
        if len(code) > CODE_MAX:
            raise Rejected(CODE_TOO_LONG)
        return code

    def _date(self, row: Sequence[Any], name: str, *, upper: bool = True) -> dt.datetime | None:
        when = parse_when(self.cell[name](row), self.zone)
        if when is not None:
            day = when.date()
            if day < EARLIEST or (upper and day > self.today):
                raise Rejected(DATE_OUT_OF_RANGE)
        return when

    def fact(self, row: Sequence[Any], code: str) -> Fact:
        """Return the fact of ``row`` (unsaved); Rejected with the first reason found."""
        cell = self.cell
        unit = self.refs.agencies.get(_text(cell["ma_don_vi_tiep_nhan"](row)))
        if unit is None:
            raise Rejected(UNKNOWN_UNIT)
        agency = self.refs.agencies.get(_text(cell["ma_co_quan_giai_quyet"](row)))
        if agency is None:
            raise Rejected(UNKNOWN_AGENCY)
        procedure = self.refs.procedures.get(_text(cell["ma_thu_tuc"](row)))
        if procedure is None:
            raise Rejected(UNKNOWN_PROCEDURE)
        channel = _choice(cell["kenh"](row), CHANNELS, UNKNOWN_CHANNEL)
        status = _text(cell["trang_thai"](row))
        if not status.isdigit() or int(status) not in STATUSES:
            raise Rejected(UNKNOWN_STATUS)
        state, ended = STATUSES[int(status)]
        received = self._date(row, "ngay_tiep_nhan")
        if received is None:
            raise Rejected(NO_RECEIPT)
        received_on = received.date()
        level_text = _text(cell["muc_do"](row))
        if level_text:
            level = _choice(level_text, LEVELS, UNKNOWN_LEVEL)
        else:  # the procedure's level then: 1-4 before 2022 when known
            _pk, now_level, legacy = procedure
            level = str(legacy) if received_on.year < 2022 and legacy else now_level
        due = self._date(row, "han_xu_ly", upper=False)
        finished = self._date(row, "ngay_ket_thuc")
        if ended and finished is None:
            if ended != "refused":
                raise Rejected(NO_END)
            finished = received  # refused at intake: it ends where it starts
        if not ended and finished is not None:
            raise Rejected(OPEN_WITH_END)
        if finished is not None and finished < received:
            raise Rejected(END_BEFORE_RECEIPT)
        finished_on = finished.date() if finished is not None else None
        verdict_text = _text(cell["ket_qua"](row))
        if not ended:
            outcome = ""
        elif verdict_text:
            outcome = _choice(verdict_text, VERDICTS, UNKNOWN_VERDICT)
        elif ended == "processed" and due is not None and finished_on is not None:
            due_on = due.date()
            outcome = (
                "early" if finished_on < due_on else "on_time" if finished_on == due_on else "late"
            )
        else:
            outcome = ""
        returned = self._date(row, "ngay_tra_ket_qua")
        way_text = _text(cell["hinh_thuc_tra"](row))
        way = _choice(way_text, RETURNS, UNKNOWN_RETURN) if way_text else ""
        if returned is None and state == "result_returned":
            returned = finished
        if returned is not None and returned < received:
            raise Rejected(RETURN_BEFORE_RECEIPT)
        returned_on = returned.date() if returned is not None else None
        flag = _text(cell["da_gia_han"](row))
        if flag not in ("", "0", "1"):
            raise Rejected(BAD_FLAG)
        count_text = _text(cell["so_lan_bo_sung"](row)) or "0"
        if not count_text.isdigit() or int(count_text) > 99:
            raise Rejected(BAD_COUNT)
        paid = self._date(row, "thanh_toan_truc_tuyen")
        e_result = self._date(row, "ket_qua_dien_tu")
        via = way if returned_on is not None else ""
        return Fact(
            code=code,
            source=Source.IMPORT,
            revision=0,
            province_id=unit.province,
            commune_id=unit.commune,
            receiving_unit_id=unit.agency,
            agency_id=agency.agency,
            procedure_id=procedure[0],
            channel=channel,
            online_level=level,
            state=state,
            received_at=received,
            received_on=received_on,
            due_at=due,
            finished_at=finished,
            finished_on=finished_on,
            ended=ended,
            outcome=outcome,
            extended=flag == "1",
            supplements=int(count_text),
            processing_seconds=int((finished - received).total_seconds())
            if finished is not None
            else None,
            returned_on=returned_on,
            returned_via=via,
            # Online, the result online or by post; fees, when any were paid, paid online.
            fully_online=returned_on is not None and channel == 2 and via in ("online", "post"),
            fee_bearing=paid is not None,
            paid_online_on=paid.date() if paid is not None else None,
            paid_counter_on=None,
            e_result_on=e_result.date() if e_result is not None else None,
            components=0,
            digitised=0,
            reused=0,
            rated_on=None,
            rating=None,
        )
