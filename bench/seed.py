"""Fill the benchmark database with synthetic dossiers and prepare request bodies.

Run through ``manage.py shell -c "import bench.seed as s; s.seed(N)"`` by
``bench/run.py``. Dossiers are bulk-inserted (not through ``dossier_submit``):
the point is a database of realistic size, fast to build. Idempotent: it only
adds what is missing to reach N.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.core.text import fold
from motcua.dossiers.models import (
    STATE_STATUS,
    Channel,
    Delivery,
    Dossier,
    DossierAccess,
    DossierEvent,
    DossierState,
    EventKind,
)
from motcua.dossiers.selectors import dossier_receipt_url
from motcua.organisation.models import Agency
from motcua.testing import pdf_bytes

PDF = pdf_bytes("bench")  # a real one-page PDF: uploads must open
SAMPLE = {
    "text": "Nguyễn Văn An",
    "textarea": "Ghi chú",
    "date": "2020-01-15",
    "number": "1",
    "email": "an@example.vn",
    "tel": "0905123456",
    "checkbox": "on",
}


# A province's dossiers over two and a half years: mostly finished, a few percent open.
STATES = [
    (DossierState.RESULT_RETURNED, 80),
    (DossierState.PROCESSED, 3),
    (DossierState.REFUSED, 2),
    (DossierState.WITHDRAWN, 1),
    (DossierState.STOPPED, 1),
    (DossierState.IN_PROCESS, 8),
    (DossierState.ACCEPTED, 2),
    (DossierState.SUPPLEMENT_REQUESTED, 2),
    (DossierState.SUBMITTED, 1),
]


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Minh", "Hữu", "Ngọc", "Thanh", "Quốc", "Thu", "Đức", "Hoài"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam", "Trang"]


def _name(rng: random.Random) -> str:
    """Return a Vietnamese full name: about 1,300 combinations, as a ward's worth of names."""
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def seed(target: int, batch: int = 5000) -> None:
    """Make the database hold ``target`` dossiers; write tracking codes and a submission body."""
    var = Path(settings.VAR_DIR)
    procedures = list(Procedure.objects.filter(is_published=True, current_version__isnull=False))
    unit = Agency.objects.filter(is_one_stop_unit=True).order_by("id").first()
    assert unit is not None and procedures, "load_demo first"
    have = Dossier.objects.count()
    rng = random.Random(42)
    now = timezone.now()
    made = 0
    while have + made < target:
        size = min(batch, target - have - made)
        day = now - timedelta(days=rng.randint(0, 900))
        prefix = f"{unit.code}-B{uuid.uuid4().hex[:6].upper()}"
        rows = []
        for n in range(size):
            p = rng.choice(procedures)
            at = day - timedelta(minutes=n)
            state = rng.choices([s for s, _w in STATES], weights=[w for _s, w in STATES])[0]
            rows.append(
                Dossier(
                    code=f"{prefix}-{n:05d}",
                    procedure=p,
                    procedure_version=p.current_version,
                    receiving_unit=unit,
                    competent_agency_id=p.agency_id,
                    channel=rng.choice(list(Channel)),
                    delivery=Delivery.COUNTER,
                    state=state,
                    status=STATE_STATUS[state],
                    intake_due_at=at + timedelta(hours=8)
                    if state == DossierState.SUBMITTED
                    else None,
                    paused_at=at + timedelta(days=1)
                    if state == DossierState.SUPPLEMENT_REQUESTED
                    else None,
                    applicant_name=(name := _name(rng)),
                    applicant_search=fold(name),
                    applicant_id_number="048190000001",
                    applicant_phone="0905000000",
                    applicant_address="Hải Châu, Đà Nẵng",
                    submitted_at=at,
                    received_at=at,
                    due_at=at + timedelta(days=7),
                )
            )
        with transaction.atomic():
            created = Dossier.objects.bulk_create(rows)
            DossierEvent.objects.bulk_create(
                DossierEvent(
                    dossier=d,
                    at=d.received_at,
                    kind=EventKind.SUBMITTED,
                    to_status=1,
                    actor_label="Người nộp hồ sơ",
                )
                for d in created
            )
            DossierAccess.objects.bulk_create(
                DossierAccess.of(d, agency_id)
                for d in created
                for agency_id in {d.receiving_unit_id, d.competent_agency_id}
            )
        made += size
    if made and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    codes = list(Dossier.objects.order_by("?").values_list("code", flat=True)[:2000])
    (var / "codes.txt").write_text("\n".join(codes) + "\n")
    receipts = [dossier_receipt_url(d) for d in Dossier.objects.filter(code__in=codes[:50])]
    (var / "receipts.txt").write_text("\n".join(receipts) + "\n")
    _write_submission_body(var, procedures)
    _write_staff_token(var, unit)
    print(f"dossiers in database: {have + made} (added {made})")


def _write_staff_token(var: Path, unit: Agency) -> None:
    """Write the API token of a receiving officer of ``unit`` (who sees every seeded dossier)."""
    from motcua.staff.models import Role, StaffRole
    from motcua.staff.services import staff_token_issue

    officer = StaffRole.objects.filter(agency=unit, role=Role.RECEIVING_OFFICER).first()
    assert officer is not None, "load_demo gives every one-stop unit a receiving officer"
    (var / "staff_token.txt").write_text(staff_token_issue(user=officer.user) + "\n")


def _write_submission_body(var: Path, procedures: list[Procedure]) -> None:
    online = [p for p in procedures if p.accepts_online]
    p = sorted(online, key=lambda x: x.code)[0]
    version = p.current_version
    assert version is not None
    boundary = "motcuabench" + uuid.uuid4().hex
    parts: list[bytes] = []

    def field(name: str, value: str) -> None:
        parts.append(
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )

    for name, value in {
        "procedure": p.code,
        "applicant_name": "Lê Văn Cường",
        "applicant_id_number": "048095000123",
        "applicant_phone": "0905123456",
        "applicant_email": "cuong@example.vn",
        "applicant_address": "12 Bạch Đằng, Hải Châu, Đà Nẵng",
        "applicant_kind": "person",
        "delivery": "counter",
    }.items():
        field(name, value)
    for spec in version.eform:
        value = (
            spec["options"][0]["value"] if spec.get("options") else SAMPLE.get(spec["type"], "1")
        )
        field(f"eform-{spec['name']}", value)
    for component in version.components.all():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="component-{component.id}"; '
            f'filename="giay-to.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + PDF
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    (var / "submit_body.bin").write_bytes(b"".join(parts))
    (var / "submit_content_type.txt").write_text(f"multipart/form-data; boundary={boundary}\n")
