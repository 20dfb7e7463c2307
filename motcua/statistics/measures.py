"""The one table of what statistics count: each measure, the day it counts on, and which facts.

A measure is a column of ``Rollup``. Each names the fact's date it is
counted on (a dossier received in March counts as received in March even if
it finished in May) and the facts it counts, twice over: as a Python
predicate on a ``Fact`` (``contributions``, used by the incremental refresh)
and as a ``Q`` (``Measure.q``, used by the full rebuild and by the list of
dossiers behind a number). A test proves the two agree on random facts.
Sums (``weight``) count something other than one per dossier: seconds of
processing, components.

Processing time is elapsed time from receipt to the end of processing, in
calendar time (the working-time verdict is the fact's ``outcome``); its
distribution is kept in buckets (``DURATION_BUCKETS``, days) so a median is
read from a handful of counters (to the resolution of the bucket).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from .models import Fact

# Upper bounds of the processing-time buckets, in days; the last bucket has none.
DURATION_BUCKETS: tuple[float, ...] = (
    0.125, 0.25, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 45, 60, 90, 120, 180,
)  # fmt: skip
BUCKET_COUNT = len(DURATION_BUCKETS) + 1

# The dates a fact counts on.
RECEIVED = "received_on"
FINISHED = "finished_on"
RETURNED = "returned_on"
PAID_ONLINE = "paid_online_on"
PAID_COUNTER = "paid_counter_on"
E_RESULT = "e_result_on"
RATED = "rated_on"

ENDS = ("processed", "refused", "stopped", "withdrawn")


@dataclass(frozen=True)
class Measure:
    """A counter of the rollups: its column, label, the date it counts on and what it counts."""

    name: str
    label: str | Promise
    on: str
    test: Callable[[Fact], bool]
    q: Q
    weight: Callable[[Fact], int] | None = None

    def amount(self, fact: Fact) -> int:
        """Return what ``fact`` adds to this counter (0: nothing)."""
        if getattr(fact, self.on) is None or not self.test(fact):
            return 0
        return self.weight(fact) if self.weight is not None else 1


def _always(_fact: Fact) -> bool:
    return True


def bucket_of(seconds: int) -> int:
    """Return the processing-time bucket of ``seconds`` (0 = under the first bound)."""
    days = seconds / 86400
    for index, bound in enumerate(DURATION_BUCKETS):
        if days < bound:
            return index
    return len(DURATION_BUCKETS)


Rule = tuple[Callable[["Fact"], bool], Q]


def _field(name: str, value: object) -> Rule:
    return (lambda f: getattr(f, name) == value), Q(**{name: value})


def _gt(name: str, value: int) -> Rule:
    return (lambda f: getattr(f, name) > value), Q(**{f"{name}__gt": value})


def _known(name: str) -> Rule:
    return (lambda f: getattr(f, name) is not None), Q(**{f"{name}__isnull": False})


def _both(a: Rule, b: Rule) -> Rule:
    return (lambda f: a[0](f) and b[0](f)), a[1] & b[1]


def _attr(name: str) -> Callable[[Fact], int]:
    return lambda f: int(getattr(f, name) or 0)


def _m(
    name: str,
    label: str | Promise,
    on: str,
    rule: tuple[Callable[[Fact], bool], Q] | None = None,
    *,
    weight: Callable[[Fact], int] | None = None,
) -> Measure:
    test, q = rule if rule is not None else (_always, Q())
    return Measure(name, label, on, test, q, weight)


def _seconds(fact: Fact) -> int | None:
    value: int | None = getattr(fact, "processing_seconds", None)
    return value


def _duration_measure(index: int) -> Measure:
    low = DURATION_BUCKETS[index - 1] if index else 0
    high = DURATION_BUCKETS[index] if index < len(DURATION_BUCKETS) else None
    q = Q(processing_seconds__gte=round(low * 86400))
    if high is not None:
        q &= Q(processing_seconds__lt=round(high * 86400))
    return Measure(
        f"dur_{index:02d}",
        f"{low:g}-{high:g} d" if high is not None else f"{low:g}+ d",
        FINISHED,
        lambda f: _seconds(f) is not None and bucket_of(_seconds(f) or 0) == index,
        q & Q(processing_seconds__isnull=False),
    )


MEASURES: tuple[Measure, ...] = (
    # Received in the period, by channel and by the procedure's online level then.
    _m("received", _("Received"), RECEIVED),
    _m("recv_counter", _("Received at the counter"), RECEIVED, _field("channel", 1)),
    _m("recv_online", _("Received online"), RECEIVED, _field("channel", 2)),
    _m(
        "recv_post", _("Received through the public postal service"), RECEIVED, _field("channel", 3)
    ),
    _m(
        "recv_full",
        _("Received for fully online procedures"),
        RECEIVED,
        _field("online_level", "full"),
    ),
    _m(
        "recv_partial",
        _("Received for partially online procedures"),
        RECEIVED,
        _field("online_level", "partial"),
    ),
    _m(
        "recv_none",
        _("Received for procedures not online"),
        RECEIVED,
        _field("online_level", "none"),
    ),
    _m("recv_lv3", _("Received for level-3 procedures"), RECEIVED, _field("online_level", "3")),
    _m("recv_lv4", _("Received for level-4 procedures"), RECEIVED, _field("online_level", "4")),
    _m("fee_bearing", _("Received with fees to pay"), RECEIVED, _field("fee_bearing", True)),
    _m("components", _("Components handed in"), RECEIVED, weight=_attr("components")),
    _m("digitised", _("Components digitised"), RECEIVED, weight=_attr("digitised")),
    _m("reused", _("Components reused from digitised data"), RECEIVED, weight=_attr("reused")),
    # Finished (processing ended: processed, refused, stopped or withdrawn) and the verdict.
    _m("finished", _("Finished"), FINISHED),
    _m("fin_early", _("Finished early"), FINISHED, _field("outcome", "early")),
    _m("fin_on_time", _("Finished on time"), FINISHED, _field("outcome", "on_time")),
    _m("fin_late", _("Finished late"), FINISHED, _field("outcome", "late")),
    _m("processed", _("Processed"), FINISHED, _field("ended", "processed")),
    _m("refused", _("Refused"), FINISHED, _field("ended", "refused")),
    _m("stopped", _("Processing stopped"), FINISHED, _field("ended", "stopped")),
    _m("withdrawn", _("Withdrawn"), FINISHED, _field("ended", "withdrawn")),
    _m(
        "extended_late",
        _("Finished late after an extension"),
        FINISHED,
        _both(_field("extended", True), _field("outcome", "late")),
    ),
    _m("supplemented", _("Finished after a supplement"), FINISHED, _gt("supplements", 0)),
    _m("proc_count", _("Processing times counted"), FINISHED, _known("processing_seconds")),
    _m(
        "proc_seconds",
        _("Processing time (seconds, summed)"),
        FINISHED,
        _known("processing_seconds"),
        weight=_attr("processing_seconds"),
    ),
    *(_duration_measure(i) for i in range(BUCKET_COUNT)),
    # Results returned, by way; processed fully online (online, paid online or free, result
    # online or by post).
    _m("returned", _("Results returned"), RETURNED),
    _m(
        "ret_counter",
        _("Results returned at the counter"),
        RETURNED,
        _field("returned_via", "counter"),
    ),
    _m(
        "ret_post",
        _("Results returned through the public postal service"),
        RETURNED,
        _field("returned_via", "post"),
    ),
    _m("ret_online", _("Results returned online"), RETURNED, _field("returned_via", "online")),
    _m("fully_online", _("Processed fully online"), RETURNED, _field("fully_online", True)),
    # Fees paid (a dossier once per way), electronic results, ratings.
    _m("paid_online", _("Fees paid online"), PAID_ONLINE),
    _m("paid_counter", _("Fees paid at the counter"), PAID_COUNTER),
    _m("e_results", _("Electronic results issued"), E_RESULT),
    _m("rated", _("Ratings"), RATED),
    _m("rate_1", _("Rated very dissatisfied"), RATED, _field("rating", 1)),
    _m("rate_2", _("Rated dissatisfied"), RATED, _field("rating", 2)),
    _m("rate_3", _("Rated neither satisfied nor dissatisfied"), RATED, _field("rating", 3)),
    _m("rate_4", _("Rated satisfied"), RATED, _field("rating", 4)),
    _m("rate_5", _("Rated very satisfied"), RATED, _field("rating", 5)),
)

BY_NAME: dict[str, Measure] = {m.name: m for m in MEASURES}
NAMES: tuple[str, ...] = tuple(m.name for m in MEASURES)
DURATION_NAMES: tuple[str, ...] = tuple(f"dur_{i:02d}" for i in range(BUCKET_COUNT))


def contributions(fact: Fact) -> list[tuple[dt.date, str, int]]:
    """Return what ``fact`` adds to the rollups: (day, measure, amount) per counter it is in."""
    out = []
    for measure in MEASURES:
        amount = measure.amount(fact)
        if amount:
            out.append((getattr(fact, measure.on), measure.name, amount))
    return out
