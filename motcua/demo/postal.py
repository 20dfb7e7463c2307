"""The demo's public postal service: a post office serving the one-stop units, its postal
worker, the charges, and (once) a few orders in various states with some money on record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.organisation.models import Agency
from motcua.postal.models import (
    Direction,
    Handover,
    HandoverLine,
    Order,
    OrderState,
    PostalUnit,
    PostalWorker,
    Service,
    Tariff,
)
from motcua.postal.money import remittance_record
from motcua.staff.services import staff_account_ensure

from . import data

POSTAL_UNIT = "BC-550000"
POSTAL_WORKER = ("buuta.haichau", "Võ Văn Phát")
# Circular 22/2017/TT-BTTTT caps these charges; the post publishes its own below the caps. The
# demo's are the national post's for a package up to 100 g in Đà Nẵng, as published with the
# agreement of 20/4/2021 between Sở Ngoại vụ and Bưu điện thành phố Đà Nẵng: within the
# province 26,000 (same district) and 30,000 (another district); another province 30,500
# (same region) to 31,000 (another region): the demo's one zone for it takes the higher.
TARIFF_BASIS = (
    "Bảng cước Bưu điện TP. Đà Nẵng (20/4/2021), bưu gửi đến 100 g, "
    "trong mức tối đa của Thông tư 22/2017/TT-BTTTT"
)
TARIFF_FROM = dt.date(2021, 4, 20)
TARIFFS = {
    (Service.COLLECTION, Tariff.Zone.SAME_DISTRICT): 26_000,
    (Service.COLLECTION, Tariff.Zone.PROVINCE): 30_000,
    (Service.COLLECTION, Tariff.Zone.OTHER_PROVINCE): 31_000,
    (Service.DELIVERY, Tariff.Zone.SAME_DISTRICT): 26_000,
    (Service.DELIVERY, Tariff.Zone.PROVINCE): 30_000,
    (Service.DELIVERY, Tariff.Zone.OTHER_PROVINCE): 31_000,
}


def demo_postal_load() -> int:
    """Create the post office, its worker and the charges; the orders once. Return new orders."""
    centre = Agency.objects.get(code=data.HAI_CHAU_CENTRE)
    post, _new = PostalUnit.objects.get_or_create(
        code=POSTAL_UNIT,
        defaults={
            "name": "Bưu cục Hải Châu (Bưu điện thành phố Đà Nẵng)",
            "address": "155 Lê Duẩn, phường Hải Châu, thành phố Đà Nẵng",
            "phone": "02363821000",
        },
    )
    post.serves.add(centre, Agency.objects.get(code=data.CENTRE))
    username, full_name = POSTAL_WORKER
    user, _created = staff_account_ensure(
        username=username,
        full_name=full_name,
        password=data.DEMO_STAFF_PASSWORD,
        email=f"{username}@{data.DEMO_STAFF_MAIL_DOMAIN}",
    )
    worker, _new = PostalWorker.objects.get_or_create(
        user_id=user.pk, defaults={"unit": post, "phone": "0905111222"}
    )
    for (service, zone), amount in TARIFFS.items():
        Tariff.objects.get_or_create(
            service=service,
            zone=zone,
            valid_from=TARIFF_FROM,
            defaults={"amount": amount, "basis": TARIFF_BASIS},
        )
    if Order.objects.exists():
        return 0
    return _orders(centre, post, worker)


def _orders(centre: Agency, post: PostalUnit, worker: PostalWorker) -> int:
    """Play a few orders at Hải Châu: due, collected, handed over, to pick up, failed."""
    procedure = (
        Procedure.objects.filter(agency__code=data.HAI_CHAU_UBND, accepts_post=True)
        .order_by("code")
        .first()
    )
    if procedure is None:
        return 0
    now = timezone.now()
    today = timezone.localdate(now)
    person = {
        "person_name": "Nguyễn Văn Hùng",
        "id_number": "048085104729",
        "phone": "0905123481",
        "address": "12 Trần Phú, phường Hải Châu, thành phố Đà Nẵng",
    }
    common = {"unit": centre, "procedure": procedure, "postal_unit": post, **person}

    def order(number: str, ago: int, **fields: object) -> Order:
        created = now - dt.timedelta(days=ago)
        return Order.objects.create(
            number=f"DEMO-BC-{number}",
            created_at=created,
            changed_at=created,
            **{**common, **fields},
        )

    charge = TARIFFS[(Service.COLLECTION, Tariff.Zone.SAME_DISTRICT)]
    order("0001", 0, service=Service.COLLECTION, wanted_on=today + dt.timedelta(days=1))
    order(
        "0002",
        1,
        service=Service.COLLECTION,
        state=OrderState.REGISTERED,
        tracking_number="EB100000001VN",
        worker=worker,
        wanted_on=today,
        charge_amount=charge,
    )
    order(
        "0003",
        2,
        service=Service.COLLECTION,
        state=OrderState.COLLECTED,
        tracking_number="EB100000002VN",
        worker=worker,
        fees_amount=50_000,
        fees_collected=50_000,
        charge_amount=charge,
        charge_collected=charge,
        receipt_number="BL-000103",
        seal_number="NP-0003",
        collected_at=now - dt.timedelta(days=1),
    )
    handed = order(
        "0004",
        3,
        service=Service.COLLECTION,
        state=OrderState.HANDED_OVER,
        tracking_number="EB100000003VN",
        worker=worker,
        fees_amount=30_000,
        fees_collected=30_000,
        charge_amount=charge,
        charge_collected=charge,
        receipt_number="BL-000104",
        seal_number="NP-0004",
        collected_at=now - dt.timedelta(days=2),
        handed_over_at=now - dt.timedelta(hours=3),
    )
    record = Handover.objects.create(
        direction=Direction.TO_UNIT,
        number="DEMO-BBGN-0001",
        unit=centre,
        postal_unit=post,
        worker=worker,
        worker_name=worker.user.get_full_name(),
        officer=_officer(),
        created_at=now - dt.timedelta(hours=3),
        packages=1,
        fees_total=30_000,
        charges_total=charge,
    )
    HandoverLine.objects.create(
        handover=record,
        order=handed,
        listed=[{"name": "Tờ khai", "originals": 1, "copies": 0}],
        fees_amount=30_000,
        charge_amount=charge,
    )
    made = 4
    dossiers = list(Dossier.objects.filter(receiving_unit=centre).order_by("id")[:2])
    if len(dossiers) == 2:
        delivery = {**common, "service": Service.DELIVERY}
        order(
            "0005",
            1,
            **delivery,
            dossier=dossiers[0],
            state=OrderState.REGISTERED,
            tracking_number="EB100000005VN",
            charge_amount=charge,
        )
        order(
            "0006",
            4,
            **delivery,
            dossier=dossiers[1],
            state=OrderState.RETURNED,
            tracking_number="EB100000006VN",
            charge_amount=charge,
            failure_reason="Không có người nhận tại địa chỉ (đã phát 2 lần)",
            collected_at=now - dt.timedelta(days=3),
        )
        made += 2
    # The post remitted part of the fees it collected by bank transfer.
    remittance_record(
        actor=_officer(),
        postal_unit=post,
        unit=centre,
        amount=20_000,
        paid_on=today,
        bank_reference="DEMO-FT-0001",
        note="Chuyển khoản phí đã thu hộ",
    )
    return made


def _officer() -> Any:
    return get_user_model().objects.get(username="tiepnhan.haichau")
