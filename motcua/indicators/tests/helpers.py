"""Hand-made facts for the indicators' tests, rolled up as the refresh would."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.statistics.models import Fact
from motcua.statistics.rollup import delta_of, rollup_apply

_codes = itertools.count()


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def fact(base: Dossier, received: dt.date, **fields: Any) -> Fact:
    """Return an unsaved imported fact of ``base``'s unit, agency and procedure."""
    finished = fields.pop("finished", None)
    values: dict[str, Any] = {
        "code": f"IND-{next(_codes)}",
        "source": "import",
        "province_id": base.receiving_unit.administrative_unit_id,
        "receiving_unit_id": base.receiving_unit_id,
        "agency_id": base.competent_agency_id,
        "procedure_id": base.procedure_id,
        "channel": 1,
        "online_level": "partial",
        "state": "processed" if finished else "in_process",
        "received_at": at(received),
        "received_on": received,
        "finished_at": at(finished) if finished else None,
        "finished_on": finished,
        "ended": "processed" if finished else "",
        "processing_seconds": int((finished - received).total_seconds()) if finished else None,
    }
    values.update(fields)
    return Fact(**values)


def roll(*facts: Fact) -> list[Fact]:
    """Save ``facts`` and add them to the rollups."""
    saved = Fact.objects.bulk_create(facts)
    rollup_apply(delta_of(saved))
    return saved


def director_and_statistician(province_id: int) -> tuple[Any, Any]:
    """Create the provincial People's Committee with its leader (a director) and statistician."""
    from motcua.organisation.models import AgencyKind
    from motcua.staff.models import Role
    from motcua.testing import AgencyFactory, StaffRoleFactory, UserFactory

    committee = AgencyFactory(
        name="Ủy ban nhân dân thành phố",
        kind=AgencyKind.PEOPLES_COMMITTEE,
        administrative_unit_id=province_id,
    )
    director = UserFactory(username="giam-doc")
    statistician = UserFactory(username="thong-ke")
    StaffRoleFactory(user=director, role=Role.LEADER, agency=committee)
    StaffRoleFactory(user=statistician, role=Role.STATISTICIAN, agency=committee)
    return director, statistician
