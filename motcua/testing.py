"""Factories shared by the tests of every app: the demo cast and its catalogue.

Personas and factories live here, not in a tests package, so each app's tests
can build what they need without importing another app's tests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone
from factory.django import DjangoModelFactory

from motcua.catalog.models import (
    Component,
    Fee,
    FeeExemption,
    FeeKind,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
)
from motcua.core.text import fold
from motcua.dossiers.models import (
    STATE_STATUS,
    Channel,
    Delivery,
    Dossier,
    DossierAccess,
    DossierState,
)
from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel
from motcua.postal.models import Order, OrderState, PostalUnit, PostalWorker, Service
from motcua.staff.models import Role, StaffRole
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel

SIMPLE_EFORM: list[dict[str, Any]] = [
    {
        "name": "child_name",
        "label": "Họ tên người được đăng ký",
        "label_en": "Full name",
        "type": "text",
        "required": True,
        "max_length": 100,
    },
    {
        "name": "birth_date",
        "label": "Ngày sinh",
        "label_en": "Date of birth",
        "type": "date",
        "required": True,
    },
    {"name": "note", "label": "Ghi chú", "label_en": "Note", "type": "textarea", "required": False},
]


class ProvinceFactory(DjangoModelFactory[AdministrativeUnit]):
    class Meta:
        model = AdministrativeUnit
        django_get_or_create = ("level", "era", "code")

    code = "48"
    name = "Thành phố Đà Nẵng"
    division_type = "thành phố trung ương"
    level = UnitLevel.PROVINCE
    era = UnitEra.CURRENT


class CommuneFactory(DjangoModelFactory[AdministrativeUnit]):
    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"{20000 + n}")
    name = factory.Sequence(lambda n: f"Phường Thử {n}")
    division_type = "phường"
    level = UnitLevel.COMMUNE
    parent = factory.SubFactory(ProvinceFactory)


def _base36(digit: int) -> str:
    return "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[digit % 36]


class AgencyFactory(DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    # Level-2 units of the province (000.00.XY.H15), XY in base 36 from 01: 1,295 codes.
    code = factory.Sequence(
        lambda n: f"000.00.{_base36((n % 1295 + 1) // 36)}{_base36((n % 1295 + 1) % 36)}.H15"
    )
    name = factory.Sequence(lambda n: f"Sở Thử nghiệm {n}")
    kind = AgencyKind.DEPARTMENT
    level = GovernmentLevel.PROVINCE
    administrative_unit = factory.SubFactory(ProvinceFactory)


class OneStopUnitFactory(AgencyFactory):
    name = factory.Sequence(lambda n: f"Trung tâm Phục vụ hành chính công {n}")
    kind = AgencyKind.SERVICE_CENTRE
    is_one_stop_unit = True


class FieldFactory(DjangoModelFactory[Field]):
    class Meta:
        model = Field
        django_get_or_create = ("code",)

    code = "ho-tich"
    name = "Hộ tịch"


class ProcedureFactory(DjangoModelFactory[Procedure]):
    """A published procedure offered fully online, with a current version of 2 components."""

    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"1.{n:06d}.000.00.00.H15")
    national_code = factory.Sequence(lambda n: f"1.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm số {n}")
    field = factory.SubFactory(FieldFactory)
    agency = factory.SubFactory(AgencyFactory)
    level = GovernmentLevel.PROVINCE
    online_level = OnlineLevel.FULL
    accepts_online = True
    accepts_post = True
    processing_time_value = Decimal(5)

    @factory.post_generation
    def with_version(obj: Procedure, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or extracted is False:
            return
        version = ProcedureVersionFactory(procedure=obj, name=obj.name)
        obj.current_version = version
        obj.processing_time_value = version.processing_time_value
        obj.processing_time_unit = version.processing_time_unit
        obj.search_text = fold(f"{obj.name} {obj.code}")
        obj.save()


class ProcedureVersionFactory(DjangoModelFactory[ProcedureVersion]):
    class Meta:
        model = ProcedureVersion
        skip_postgeneration_save = True

    procedure = factory.SubFactory(ProcedureFactory, with_version=False)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: o.procedure.name)
    processing_time_value = Decimal(5)
    legal_basis = "Luật Hộ tịch số 60/2014/QH13"
    eform = factory.LazyFunction(lambda: [dict(f) for f in SIMPLE_EFORM])

    @factory.post_generation
    def components(obj: ProcedureVersion, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create:
            return
        ComponentFactory(version=obj, order=1, name="Tờ khai theo mẫu", originals=1)
        ComponentFactory(
            version=obj, order=2, name="Giấy chứng sinh", originals=1, is_required=False
        )
        FeeFactory(version=obj)


class ComponentFactory(DjangoModelFactory[Component]):
    class Meta:
        model = Component

    version = factory.SubFactory(ProcedureVersionFactory)
    name = "Tờ khai"
    originals = 1


class FeeFactory(DjangoModelFactory[Fee]):
    class Meta:
        model = Fee

    version = factory.SubFactory(ProcedureVersionFactory)
    code = factory.Sequence(lambda n: f"LP{n + 1}")
    kind = FeeKind.CHARGE
    amount = 8000
    name = "Lệ phí"


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda o: o.username.title())


class StaffRoleFactory(DjangoModelFactory[StaffRole]):
    class Meta:
        model = StaffRole

    user = factory.SubFactory(UserFactory)
    role = Role.SPECIALIST
    agency = factory.SubFactory(AgencyFactory)


class PostalUnitFactory(DjangoModelFactory[PostalUnit]):
    """A post office; ``serves`` the one-stop units given (``serves=[unit]``)."""

    class Meta:
        model = PostalUnit
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"BC{n:05d}")
    name = factory.Sequence(lambda n: f"Bưu cục {n}")

    @factory.post_generation
    def serves(obj: PostalUnit, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.serves.set(extracted)


class PostalWorkerFactory(DjangoModelFactory[PostalWorker]):
    class Meta:
        model = PostalWorker

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(PostalUnitFactory)
    phone = "0911000111"


class DossierFactory(DjangoModelFactory[Dossier]):
    """A dossier submitted online for a procedure, waiting for intake."""

    class Meta:
        model = Dossier
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"000.00.00.H15-260105-{n:04d}")
    procedure = factory.SubFactory(ProcedureFactory)
    procedure_version = factory.LazyAttribute(lambda o: o.procedure.current_version)
    receiving_unit = factory.SubFactory(OneStopUnitFactory)
    competent_agency = factory.LazyAttribute(lambda o: o.procedure.agency)
    channel = Channel.ONLINE
    delivery = Delivery.COUNTER
    state = DossierState.SUBMITTED
    status = factory.LazyAttribute(lambda o: STATE_STATUS[o.state])
    applicant_name = "Nguyễn Văn An"
    applicant_search = factory.LazyAttribute(lambda o: fold(o.applicant_name))
    applicant_id_number = "001090000001"
    applicant_phone = "0912345678"
    applicant_address = "Số 1, phường Tân Định"
    submitted_at = factory.LazyFunction(timezone.now)
    received_at = factory.LazyAttribute(lambda o: o.submitted_at)
    due_at = factory.LazyAttribute(lambda o: o.submitted_at + dt.timedelta(days=7))

    @factory.post_generation
    def access(obj: Dossier, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Give the receiving unit and the deciding agency their access rows, as submission does."""
        if not create:
            return
        DossierAccess.objects.bulk_create(
            [
                DossierAccess.of(obj, agency_id)
                for agency_id in dict.fromkeys([obj.receiving_unit_id, obj.competent_agency_id])
            ],
            ignore_conflicts=True,
        )


@dataclass
class Cast:
    """The named personas of the workflow tests, and the agencies they work in."""

    unit: Agency
    agency: Agency
    other_agency: Agency
    partner: Agency
    applicant: User
    receiving_officer: User
    specialist: User
    second_specialist: User
    leader: User
    partner_specialist: User
    partner_leader: User
    outsider: User


def cast_create() -> Cast:
    """Create a one-stop unit, a deciding agency, a partner agency, another one, and the personas.

    The applicant holds no staff role; binh receives at the unit; chi and
    hoa are specialists and dung the leader of the deciding agency; khoa and
    lan are the specialist and leader of the partner agency of inter-agency
    procedures; the outsider giang is a receiving officer, specialist and
    leader of another agency.
    """
    unit = OneStopUnitFactory(name="Trung tâm Phục vụ hành chính công")
    agency = AgencyFactory(name="Sở Tư pháp")
    partner = AgencyFactory(name="Công an thành phố")
    other = AgencyFactory(name="Sở Xây dựng")
    names = ("an", "binh", "chi", "hoa", "dung", "khoa", "lan", "giang")
    people = {name: UserFactory(username=name) for name in names}
    StaffRoleFactory(user=people["binh"], role=Role.RECEIVING_OFFICER, agency=unit)
    StaffRoleFactory(user=people["chi"], role=Role.SPECIALIST, agency=agency)
    StaffRoleFactory(user=people["hoa"], role=Role.SPECIALIST, agency=agency)
    StaffRoleFactory(user=people["dung"], role=Role.LEADER, agency=agency)
    StaffRoleFactory(user=people["khoa"], role=Role.SPECIALIST, agency=partner)
    StaffRoleFactory(user=people["lan"], role=Role.LEADER, agency=partner)
    for role in (Role.RECEIVING_OFFICER, Role.SPECIALIST, Role.LEADER):
        StaffRoleFactory(user=people["giang"], role=role, agency=other)
    return Cast(
        unit=unit,
        agency=agency,
        other_agency=other,
        partner=partner,
        applicant=people["an"],
        receiving_officer=people["binh"],
        specialist=people["chi"],
        second_specialist=people["hoa"],
        leader=people["dung"],
        partner_specialist=people["khoa"],
        partner_leader=people["lan"],
        outsider=people["giang"],
    )


def inter_agency_process(procedure: Procedure, partner: Agency) -> None:
    """Give ``procedure`` the default inter-agency process with ``partner`` in between."""
    from motcua.workflow.processes import default_steps, process_version_create

    process_version_create(procedure=procedure, steps=default_steps(partner=partner))


def pdf_bytes(text: str = "motcua", pages: int = 1) -> bytes:
    """Return a small valid PDF (with its cross-reference table) of ``pages`` pages of ``text``."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    page_ids = [6 + n for n in range(pages)]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % n for n in page_ids), pages),
        b"",  # unused
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            for _ in range(pages)
        ),
    ]
    objects[2] = b"<< >>"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    """Return a small valid PNG image."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (255, 255, 255)).save(out, format="PNG")
    return out.getvalue()


def pdf_upload(name: str = "ket-qua.pdf") -> Any:
    """Return a small valid PDF as an uploaded file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def fee_rules_add(procedure: Procedure) -> Procedure:
    """Give ``procedure``'s version real fee rules instead of the factory's one fixed charge.

    A fee of 2.000 đồng a page (1.000 đồng from the 3rd page, at most 200.000
    đồng a copy) counted on the e-form's ``pages`` and ``copies``, and a
    charge of 8.000 đồng that poor households may claim (``HO-NGHEO``) and
    that is waived online (``ONLINE``).
    """
    version = procedure.current_version
    assert version is not None  # noqa: S101 - the factory gives a version
    version.eform = [
        *version.eform,
        {"name": "pages", "label": "Số trang", "type": "number", "required": True},
        {"name": "copies", "label": "Số bản", "type": "number", "required": False},
    ]
    version.save()
    version.fees.all().delete()
    Fee.objects.create(
        version=version,
        code="P-CT",
        kind=FeeKind.FEE,
        name="Phí chứng thực",
        basis="page",
        amount=2000,
        tiers=[{"from": 3, "amount": 1000}],
        cap=200_000,
        pages_field="pages",
        copies_field="copies",
    )
    Fee.objects.create(version=version, code="LP", kind=FeeKind.CHARGE, name="Lệ phí", amount=8000)
    FeeExemption.objects.create(
        version=version,
        code="HO-NGHEO",
        name="Hộ nghèo",
        fee_codes="LP",
        proof="Giấy chứng nhận hộ nghèo",
    )
    FeeExemption.objects.create(
        version=version,
        code="ONLINE",
        name="Nộp trực tuyến",
        fee_codes="LP",
        trigger="channel",
        channel=Channel.ONLINE,
    )
    return procedure


class PostalOrderFactory(DjangoModelFactory[Order]):
    """A collection requested by an applicant for a procedure the post may carry."""

    class Meta:
        model = Order

    service = Service.COLLECTION
    state = OrderState.REQUESTED
    number = factory.Sequence(lambda n: f"BCC{n:08d}")
    procedure = factory.SubFactory(ProcedureFactory, accepts_post=True)
    unit = factory.SubFactory(OneStopUnitFactory)
    person_name = "Nguyễn Văn An"
    id_number = "001090000001"
    phone = "0912345678"
    address = "Số 1, phường Tân Định"
    created_at = factory.LazyFunction(timezone.now)
    changed_at = factory.LazyAttribute(lambda o: o.created_at)


# --- Statistics: sector figures and targets (issue 13, sector) ---------------------------------


@dataclass
class StatisticsCast:
    """The people of the statistics tests: who enters figures, who reopens, who only reads.

    thu is the statistician and tam a leader of a department at the province;
    quan the centre administrator at the province (reopens closed periods);
    doc a specialist (reads); kim holds no role at all.
    """

    province: AdministrativeUnit
    department: Agency
    statistician: User
    leader: User
    administrator: User
    reader: User
    outsider: User


def statistics_cast_create() -> StatisticsCast:
    """Create the province (Đà Nẵng, 48), a department there and the statistics personas."""
    province = ProvinceFactory()
    department = AgencyFactory(name="Sở Khoa học và Công nghệ", administrative_unit=province)
    centre = OneStopUnitFactory(administrative_unit=province)
    people = {n: UserFactory(username=n) for n in ("thu", "tam", "quan", "doc", "kim")}
    StaffRoleFactory(user=people["thu"], role=Role.STATISTICIAN, agency=department)
    StaffRoleFactory(user=people["tam"], role=Role.LEADER, agency=department)
    StaffRoleFactory(user=people["quan"], role=Role.CENTRE_ADMIN, agency=centre)
    StaffRoleFactory(user=people["doc"], role=Role.SPECIALIST, agency=department)
    return StatisticsCast(
        province=province,
        department=department,
        statistician=people["thu"],
        leader=people["tam"],
        administrator=people["quan"],
        reader=people["doc"],
        outsider=people["kim"],
    )
