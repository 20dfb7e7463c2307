"""The postal legs of a dossier as the applicant follows them: each trip of the post (the
collection of the dossier, the deliveries of its result), its tracking number, state and events.

One read for the public tracking page and the applicant's own dossier page
(``public``: the tracking page, open to anyone with the code, shows no
address, receiver nor the post's own words, which may name people). Two
queries for a dossier that uses the post, whatever the number of orders and
events; none for one that does not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import Prefetch
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Channel, Delivery, Dossier

from .models import Order, OrderState, Service, TrackingEvent
from .outbound import COUNTER_CODE, HANDED_OVER_CODE, RETURNED_CODE

# What the unit's own events say (the post's events say what their state means).
_UNIT_SAYS: dict[str, Promise] = {
    HANDED_OVER_CODE: _("Handed over to the post by the one-stop unit."),
    RETURNED_CODE: _("Came back to the one-stop unit."),
    COUNTER_CODE: _("Handed over at the counter of the one-stop unit."),
}
_NO_MEANING = _("Event reported by the post.")


@dataclass(frozen=True)
class LegEvent:
    """One event of a leg: when, what it means, and (private page) what the post said."""

    at: dt.datetime
    state: str
    text: str
    message: str


@dataclass(frozen=True)
class Leg:
    """One trip of the post for the dossier."""

    number: str
    service: str
    service_label: str
    state: str
    state_label: str
    tracking_number: str
    resends: str  # the number of the failed order this one re-sends
    events: list[LegEvent]
    # The applicant's own page only (empty on the public page).
    person_name: str = ""
    address: str = ""
    failure_reason: str = ""
    recipient: str = ""
    delivered_at: dt.datetime | None = None
    fees_amount: int = 0
    charge_amount: int = 0


def uses_post(dossier: Dossier) -> bool:
    """Tell whether ``dossier`` came by post or its result goes by post (no query)."""
    return bool(dossier.channel == Channel.POST or dossier.delivery == Delivery.POST)


def _text(event: TrackingEvent) -> str:
    if event.source == TrackingEvent.Source.UNIT and event.code in _UNIT_SAYS:
        return str(_UNIT_SAYS[event.code])
    if event.state:
        return str(OrderState(event.state).label)
    return str(_NO_MEANING)


def dossier_postal_legs(dossier: Dossier, *, public: bool) -> list[Leg]:
    """Return the postal legs of ``dossier``, collection first then deliveries, oldest first.

    Two queries (orders, their events) when the dossier uses the post, none
    otherwise. ``public`` leaves out what names or locates a person.
    """
    if not uses_post(dossier):
        return []
    events = TrackingEvent.objects.only(
        "order_id", "source", "code", "state", "message", "happened_at"
    ).order_by("happened_at", "pk")
    orders = (
        Order.objects.filter(dossier_id=dossier.pk)
        .select_related("previous")
        .only(
            "number",
            "service",
            "state",
            "tracking_number",
            "person_name",
            "address",
            "failure_reason",
            "recipient",
            "delivered_at",
            "fees_amount",
            "charge_amount",
            "created_at",
            "previous__number",
        )
        .prefetch_related(Prefetch("events", queryset=events, to_attr="shown_events"))
        .order_by("service", "created_at", "pk")  # "collection" before "delivery"
    )
    legs = []
    for order in sorted(
        orders, key=lambda o: (o.service != Service.COLLECTION, o.created_at, o.pk)
    ):
        leg = Leg(
            number=order.number,
            service=order.service,
            service_label=str(Service(order.service).label),
            state=order.state,
            state_label=str(OrderState(order.state).label),
            tracking_number=order.tracking_number,
            resends=order.previous.number if order.previous else "",
            events=[
                LegEvent(
                    at=e.happened_at,
                    state=e.state,
                    text=_text(e),
                    message="" if public else e.message,
                )
                for e in order.shown_events
            ],
        )
        if not public:
            leg = replace(
                leg,
                person_name=order.person_name,
                address=order.address,
                failure_reason=order.failure_reason,
                recipient=order.recipient,
                delivered_at=order.delivered_at,
                fees_amount=order.fees_amount,
                charge_amount=order.charge_amount,
            )
        legs.append(leg)
    return legs
