"""Electronic identifiers of agencies (mã định danh điện tử), as Decision 20/2020/QĐ-TTg sets them.

A code is four groups separated by dots, read from the right: the level-1
code of the ministry or province that issues it (a letter and two
characters: ``H15`` a provincial People's Committee, ``K15`` its People's
Council, ``G01`` a ministry), then the level-2 unit (2 characters), the
level-3 unit (2) and the level-4 unit (3). Zeros mean "no unit at this
level": ``000.00.00.H15`` is the People's Committee itself, ``000.00.05.H15``
one of its departments, ``000.01.05.H15`` a unit of that department. The
structure follows QCVN 102:2016/BTTTT, which the decision took over;
Decision 09/2025/QĐ-TTg amended the level-1 codes and kept, for a merged
province, the level-1 code of the former province whose name it took.

Since 1 July 2025 there are no districts: commune People's Committees are
level-2 units of their province and their one-stop centres level-3 units
under them. Agencies of ministries located in the province (the police, the
social insurance) carry their ministry's level-1 code, not the province's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed

AGENCY_CODE_FORMAT = _(
    "An agency code is four groups separated by dots, e.g. 000.00.05.H15: three, two and "
    "two letters or digits, then the level-1 code (a capital letter and two characters)."
)
AGENCY_CODE_GAP = _(
    "An agency code cannot skip a level: a unit at level {level} needs a unit at every "
    "level above it."
)

_CODE = re.compile(r"^([0-9A-Z]{3})\.([0-9A-Z]{2})\.([0-9A-Z]{2})\.([A-Z][0-9A-Z]{2})$")

# What the letter of a level-1 code says about its issuer (Decision 20/2020/QĐ-TTg; only the
# groups this system meets are named).
PROVINCIAL_COMMITTEE = "H"
PROVINCIAL_COUNCIL = "K"
CENTRAL_GOVERNMENT = "G"
LOCAL_LETTERS = frozenset({PROVINCIAL_COMMITTEE, PROVINCIAL_COUNCIL})


@dataclass(frozen=True)
class AgencyCode:
    """A parsed agency code: ``level4.level3.level2.level1``."""

    level1: str
    level2: str = "00"
    level3: str = "00"
    level4: str = "000"

    def __str__(self) -> str:
        return f"{self.level4}.{self.level3}.{self.level2}.{self.level1}"

    @property
    def depth(self) -> int:
        """Return the level of the unit the code names: 1 for the issuer itself, up to 4."""
        if _is_zero(self.level2):
            return 1
        if _is_zero(self.level3):
            return 2
        return 3 if _is_zero(self.level4) else 4

    @property
    def parent(self) -> AgencyCode | None:
        """Return the code of the unit one level up, ``None`` for a level-1 code."""
        depth = self.depth
        if depth == 1:
            return None
        if depth == 2:
            return AgencyCode(self.level1)
        if depth == 3:
            return AgencyCode(self.level1, self.level2)
        return AgencyCode(self.level1, self.level2, self.level3)

    @property
    def issuer_letter(self) -> str:
        return self.level1[0]

    @property
    def is_local(self) -> bool:
        """Tell whether a province issued the code (its People's Committee or Council)."""
        return self.issuer_letter in LOCAL_LETTERS

    def child(self, unit: str) -> AgencyCode:
        """Return the code of a unit ``unit`` one level below this one."""
        depth = self.depth
        if depth == 1:
            return AgencyCode(self.level1, unit)
        if depth == 2:
            return AgencyCode(self.level1, self.level2, unit)
        if depth == 3:
            return AgencyCode(self.level1, self.level2, self.level3, unit)
        raise ValueError("a level-4 unit has no units below it in the code")


def _is_zero(group: str) -> bool:
    return set(group) == {"0"}


def agency_code_parse(text: str) -> AgencyCode:
    """Return ``text`` as an ``AgencyCode``, or raise ``ValidationFailed`` saying what is wrong."""
    found = _CODE.match(text.strip())
    if found is None:
        raise ValidationFailed(AGENCY_CODE_FORMAT, field_errors={"code": [AGENCY_CODE_FORMAT]})
    level4, level3, level2, level1 = found.groups()
    code = AgencyCode(level1, level2, level3, level4)
    groups = [level2, level3, level4]
    for index, group in enumerate(groups[1:], start=1):
        if not _is_zero(group) and any(_is_zero(g) for g in groups[:index]):
            message = AGENCY_CODE_GAP.format(level=index + 2)
            raise ValidationFailed(message, field_errors={"code": [message]})
    return code
