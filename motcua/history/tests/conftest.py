"""Fixtures of the history imports' tests: a former province's units, agencies and a procedure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from motcua.catalog.models import Procedure
from motcua.history.records import COLUMNS
from motcua.organisation.models import Agency
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel
from motcua.testing import AgencyFactory, OneStopUnitFactory, ProcedureFactory, ProvinceFactory

HEADER = list(COLUMNS)


@dataclass
class Old:
    """A former province (before 2025) with a district, its one-stop unit and a department."""

    province: AdministrativeUnit
    district: AdministrativeUnit
    unit: Agency
    agency: Agency
    procedure: Procedure

    def row(self, code: str, **values: str) -> list[str]:
        """Return a CSV row of a dossier processed on time and returned by post; ``values``
        override columns."""
        row = {
            "ma_ho_so": code,
            "ma_don_vi_tiep_nhan": self.unit.code,
            "ma_co_quan_giai_quyet": self.agency.code,
            "ma_thu_tuc": self.procedure.code,
            "kenh": "3",
            "muc_do": "3",
            "trang_thai": "10",
            "ngay_tiep_nhan": "05/03/2019",
            "han_xu_ly": "15/03/2019",
            "ngay_ket_thuc": "12/03/2019 10:30",
            "ket_qua": "",
            "ngay_tra_ket_qua": "14/03/2019",
            "hinh_thuc_tra": "buu_chinh",
            "da_gia_han": "0",
            "so_lan_bo_sung": "0",
            "thanh_toan_truc_tuyen": "",
            "ket_qua_dien_tu": "",
        }
        row.update(values)
        return [row[c] for c in HEADER]


@pytest.fixture
def old(db: None) -> Old:
    current = ProvinceFactory()
    province = AdministrativeUnit.objects.create(
        code="49", name="Tỉnh Quảng Nam", level=UnitLevel.PROVINCE, era=UnitEra.LEGACY
    )
    province.successors.add(current)
    district = AdministrativeUnit.objects.create(
        code="502",
        name="Thành phố Tam Kỳ",
        level=UnitLevel.DISTRICT,
        era=UnitEra.LEGACY,
        parent=province,
    )
    unit = OneStopUnitFactory(
        code="000.00.00.H35-TK", administrative_unit=district, is_active=False
    )
    agency = AgencyFactory(code="000.00.12.H35", administrative_unit=province, is_active=False)
    procedure = ProcedureFactory(code="1.000001.000.00.00.H35", agency=agency)
    return Old(province, district, unit, agency, procedure)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (after the header) to a CSV file; return its path."""
    import csv

    def _write(
        rows: list[list[str]],
        *,
        name: str = "ho-so.csv",
        header: list[str] = HEADER,
        delimiter: str = ",",
        bom: bool = False,
    ) -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            out = csv.writer(f, delimiter=delimiter)
            out.writerow(header)
            out.writerows(rows)
        return path

    return _write


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.HISTORY_IMPORT_DIR = tmp_path / "imports"  # type: ignore[attr-defined]
