"""The published lists of administrative units, read from the packages that ship them.

- ``vietnam-provinces``: today's 34 provinces and ~3,300 communes (GSO codes).
- ``vietnamadminunits`` (MIT): the units before 1 July 2025 (63 provinces, their
  districts and communes, GSO codes) and which of today's communes took each
  old commune's territory. Its data files are read directly (SQLite and JSON);
  its Python modules are not imported, as they load geographic libraries.

The two packages spell a few names differently ("Thủy" / "Thuỷ") and give
different codes to ~130 of today's communes, so today's communes of
``vietnamadminunits`` are matched to ``vietnam-provinces`` by province and name
(exact, then without diacritics and punctuation, then by code), and the
project keeps the codes of ``vietnam-provinces`` (see ``CurrentWardMatch``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from motcua.core.text import fold

LEGACY_PACKAGE = "vietnamadminunits"
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def current_divisions() -> list[dict[str, Any]]:
    """Return today's provinces with their communes (``vietnam-provinces``)."""
    data = resources.files("vietnam_provinces") / "data" / "nested-divisions.json"
    divisions: list[dict[str, Any]] = json.loads(data.read_text(encoding="utf-8"))
    return divisions


@contextmanager
def _legacy_db() -> Iterator[sqlite3.Connection]:
    with resources.as_file(resources.files(LEGACY_PACKAGE) / "data" / "dataset.db") as path:
        # Read-only: the file belongs to an installed package.
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            yield connection


def _converter() -> dict[str, Any]:
    data = resources.files(LEGACY_PACKAGE) / "data" / "converter_2025.json"
    converter: dict[str, Any] = json.loads(data.read_text(encoding="utf-8"))
    return converter


@dataclass(frozen=True)
class LegacyRow:
    """A commune before 1 July 2025, its district and province (island districts: no commune)."""

    key: str  # the package's "province_district_commune" key
    province_code: str
    province_name: str
    district_code: str
    district_name: str
    district_type: str
    commune_code: str  # "" for a district without communes (Hoàng Sa, Côn Đảo, ...)
    commune_name: str
    commune_type: str


@cache
def legacy_rows() -> tuple[LegacyRow, ...]:
    """Return every commune before 1 July 2025 (~10,040 rows), ordered by code."""
    with _legacy_db() as db:
        rows = db.execute(
            "SELECT provinceKey, districtKey, wardKey, provinceCode, province, districtCode, "
            "district, districtType, wardCode, ward, wardType FROM admin_units_legacy "
            "ORDER BY provinceCode, districtCode, wardCode"
        ).fetchall()
    return tuple(
        LegacyRow(
            key=f"{pk}_{dk}_{wk or ''}",
            province_code=pc,
            province_name=pn,
            district_code=dc,
            district_name=dn,
            district_type=(dt or "").lower(),
            commune_code=wc or "",
            commune_name=wn or "",
            commune_type=(wt or "").lower(),
        )
        for pk, dk, wk, pc, pn, dc, dn, dt, wc, wn, wt in rows
    )


def _loose(name: str) -> str:
    return _NOT_ALNUM.sub("", fold(name))


@dataclass
class CurrentWardMatch:
    """How today's communes of ``vietnamadminunits`` were matched to ``vietnam-provinces``."""

    same_code: int = 0
    # (vietnamadminunits code, vietnam-provinces code, name): same commune, another code.
    other_code: list[tuple[str, str, str]] = field(default_factory=list)
    # (vietnamadminunits code, name): found by neither name nor code.
    unmatched: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Successors:
    """Today's communes (``vietnam-provinces`` codes) that took each old commune's territory."""

    # legacy key -> today's commune codes, the default one (most of the territory) first
    by_key: dict[str, tuple[str, ...]]
    # today's commune code -> today's province code
    province_of: dict[str, str]
    match: CurrentWardMatch


@cache
def legacy_successors() -> Successors:
    """Read the package's 2025 conversion tables and map them to ``vietnam-provinces`` codes.

    A commune that went whole into one new commune is listed under that
    commune; a divided one lists every new commune that took a part, with a
    default (the one a one-answer lookup should use).
    """
    with _legacy_db() as db:
        new_wards = db.execute(
            "SELECT provinceKey, wardKey, provinceCode, ward, wardCode FROM admin_units"
        ).fetchall()
    ours: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    loose: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    codes: dict[str, int] = {}
    province_of: dict[str, str] = {}
    for province in current_divisions():
        for ward in province["wards"]:
            code = f"{ward['code']:05d}"
            ours[province["code"]][ward["name"]].append(code)
            loose[province["code"]][_loose(ward["name"])].append(code)
            codes[code] = province["code"]
            province_of[code] = f"{province['code']:02d}"
    match = CurrentWardMatch()
    new_code: dict[tuple[str, str], str] = {}
    for province_key, ward_key, province_code, name, code in new_wards:
        number = int(province_code)
        found = ours[number].get(name) or loose[number].get(_loose(name)) or []
        if len(found) > 1:
            found = [c for c in found if c == code]
        if not found and codes.get(code) == number:
            found = [code]
        if len(found) != 1:
            match.unmatched.append((code, name))
            continue
        new_code[(province_key, ward_key)] = found[0]
        if found[0] == code:
            match.same_code += 1
        else:
            match.other_code.append((code, found[0], name))

    converter = _converter()
    by_key: dict[str, list[str]] = defaultdict(list)
    for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            target = new_code.get((province_key, ward_key))
            if target is not None:
                for old in old_keys:
                    by_key[old].append(target)
    for province_key, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            ordered = sorted(parts, key=lambda p: not p["isDefaultNewWard"])
            for part in ordered:
                target = new_code.get((province_key, part["newWardKey"]))
                if target is not None and target not in by_key[old]:
                    by_key[old].append(target)
    return Successors(
        by_key={k: tuple(v) for k, v in by_key.items()}, province_of=province_of, match=match
    )
