"""The statistics dashboard and the dossiers behind its numbers, on hand-made facts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any, cast

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from motcua.organisation.models import Agency, AgencyKind
from motcua.staff.models import Role
from motcua.statistics.models import Fact
from motcua.statistics.rollup import delta_of, rollup_apply
from motcua.territory.models import AdministrativeUnit
from motcua.testing import (
    AgencyFactory,
    CommuneFactory,
    DossierFactory,
    OneStopUnitFactory,
    ProcedureFactory,
    ProvinceFactory,
    StaffRoleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = "/can-bo/thong-ke/"
FACTS_URL = "/can-bo/thong-ke/ho-so/"
Q3: dict[str, Any] = {"ky": "quarter", "nam": "2026", "so": "3"}


@dataclass
class Province:
    province: AdministrativeUnit
    committee: Agency
    justice: Agency
    building: Agency
    unit: Agency
    commune: AdministrativeUnit
    facts: list[Fact]


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def _fact(n: int, p: dict[str, Any], **kw: Any) -> Fact:
    received = kw.pop("received", dt.date(2026, 7, 10))
    finished = kw.pop("finished", None)
    values: dict[str, Any] = {
        "code": f"H15-{n:05d}",
        "source": "import",
        "channel": 2,
        "online_level": "full",
        "state": "processed" if finished else "in_process",
        "received_at": _at(received),
        "received_on": received,
        "due_at": _at(received + dt.timedelta(days=5)),
        "finished_at": _at(finished) if finished else None,
        "finished_on": finished,
        "ended": "processed" if finished else "",
        **p,
    }
    values.update(kw)
    return Fact(**values)


@pytest.fixture
def prov() -> Province:
    return province_with_facts()


def province_with_facts() -> Province:
    """A province: its People's Committee, two departments, a centre, a commune, 14 facts."""
    province = ProvinceFactory()
    committee = AgencyFactory(
        name="UBND thành phố", kind=AgencyKind.PEOPLES_COMMITTEE, administrative_unit=province
    )
    justice = AgencyFactory(name="Sở Tư pháp", administrative_unit=province)
    building = AgencyFactory(name="Sở Xây dựng", administrative_unit=province)
    unit = OneStopUnitFactory(administrative_unit=province)
    commune = CommuneFactory(parent=province)
    p_justice = ProcedureFactory(agency=justice)
    p_building = ProcedureFactory(agency=building)
    live = DossierFactory(procedure=p_justice, receiving_unit=unit)
    j = {
        "province": province,
        "commune": commune,
        "receiving_unit": unit,
        "agency": justice,
        "procedure": p_justice,
    }
    b = j | {"agency": building, "procedure": p_building, "commune": None}
    jul, aug, sep = dt.date(2026, 7, 10), dt.date(2026, 8, 5), dt.date(2026, 9, 20)
    facts = [
        # Sở Tư pháp: 3 late, 2 on time, 1 early, 2 still open; one carried over from June.
        _fact(
            1, j, received=jul, finished=aug, outcome="late", returned_on=aug, returned_via="post"
        ),
        _fact(
            2,
            j,
            received=jul,
            finished=aug,
            outcome="late",
            channel=1,
            returned_on=aug,
            returned_via="counter",
        ),
        _fact(
            3,
            j,
            received=aug,
            finished=sep,
            outcome="late",
            extended=True,
            returned_on=sep,
            returned_via="online",
            fully_online=True,
        ),
        _fact(
            4,
            j,
            received=aug,
            finished=sep,
            outcome="on_time",
            channel=3,
            processing_seconds=2 * 86400,
        ),
        _fact(
            5,
            j,
            received=aug,
            finished=sep,
            outcome="on_time",
            ended="refused",
            processing_seconds=4 * 86400,
        ),
        _fact(
            6,
            j,
            received=sep,
            finished=sep,
            outcome="early",
            rated_on=sep,
            rating=5,
            dossier=live,
            source="live",
        ),
        _fact(7, j, received=sep),
        _fact(8, j, received=sep, channel=1, online_level="partial"),
        _fact(9, j, received=dt.date(2026, 6, 2)),
        # Sở Xây dựng: 4 received in Q3, 1 finished late; 1 in Q3 of 2025 (the year before).
        *(_fact(10 + i, b, received=aug) for i in range(3)),
        _fact(13, b, received=aug, finished=sep, outcome="late", ended="withdrawn"),
        _fact(14, b, received=dt.date(2025, 8, 1), finished=dt.date(2025, 8, 9), outcome="on_time"),
    ]
    facts = Fact.objects.bulk_create(facts)
    rollup_apply(delta_of(facts))
    return Province(province, committee, justice, building, unit, commune, facts)


def _reader(agency: Agency, role: str = Role.STATISTICIAN, name: str = "") -> Client:
    user = UserFactory(**({"username": name} if name else {}))
    StaffRoleFactory(user=user, role=role, agency=agency)
    client = Client()
    client.force_login(user)
    return client


def _number(html: str, measure: str) -> int:
    found = re.search(rf'data-measure="{measure}">(\d+)<', html)
    assert found, measure
    return int(found.group(1))


# --- Who may read ----------------------------------------------------------------------------


def test_anonymous_reader_is_sent_to_the_login_page(prov: Province) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert "/can-bo/dang-nhap/" in response["Location"]
    assert Client().get(FACTS_URL).status_code == 302


def test_officer_without_a_reader_role_is_refused(prov: Province) -> None:
    client = _reader(prov.unit, Role.RECEIVING_OFFICER)
    assert client.get(URL).status_code == 403
    assert client.get(FACTS_URL, {"chi-so": "received"}).status_code == 403


def test_agency_leader_reads_their_agency_and_not_another(prov: Province) -> None:
    client = _reader(prov.justice, Role.LEADER)
    mine = client.get(URL, Q3)  # by default: their agency
    assert mine.status_code == 200
    assert "Sở Tư pháp" in mine.content.decode()
    other = client.get(URL, {"doi-tuong": "agency", "id": str(prov.building.pk), **Q3})
    assert other.status_code == 403
    assert (
        client.get(URL, {"doi-tuong": "province", "id": str(prov.province.pk)}).status_code == 403
    )
    behind = {"doi-tuong": "agency", "id": str(prov.building.pk), "chi-so": "received"}
    assert client.get(FACTS_URL, behind).status_code == 403


def test_province_statistician_reads_every_agency_the_province_and_its_communes(
    prov: Province,
) -> None:
    client = _reader(prov.committee)
    for kind, pk in (
        ("province", prov.province.pk),
        ("agency", prov.building.pk),
        ("unit", prov.unit.pk),
        ("commune", prov.commune.pk),
        ("procedure", prov.facts[0].procedure_id),
    ):
        assert client.get(URL, {"doi-tuong": kind, "id": pk, **Q3}).status_code == 200, kind


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"ky": "week"},
        {"ky": "quarter", "so": "5"},
        {"ky": "month", "so": "x"},
        {"nam": "99999"},
        {"nam": "-1"},
        {"ky": "dates", "tu": "31/02/2026", "den": "01/03/2026"},
        {"ky": "dates", "tu": "2026-09-01", "den": "2026-08-01"},
        {"tu": "hôm qua"},
        {"doi-tuong": "planet", "id": "1"},
        {"doi-tuong": "agency", "id": "abc"},
        {"doi-tuong": "agency", "id": "9" * 30},
        {"nhom": "people"},
        {"sap": "password"},
        {"tai": "csv", "bang": "secrets"},
    ],
)
def test_bad_parameters_show_the_page_with_a_message(
    prov: Province, params: dict[str, str]
) -> None:
    response = _reader(prov.committee).get(URL, params)
    assert response.status_code == 400
    if "tai" not in params:
        assert 'id="stats-error"' in response.content.decode()


def test_unknown_subject_or_figure_is_not_found(prov: Province) -> None:
    client = _reader(prov.committee)
    assert client.get(URL, {"doi-tuong": "agency", "id": "999999"}).status_code == 404
    assert client.get(FACTS_URL, {"chi-so": "nothing"}).status_code == 404
    assert client.get(FACTS_URL, {"chi-so": "received", "tu": "x"}).status_code == 400


# --- Figures -------------------------------------------------------------------------------


def test_figures_on_the_page_match_the_hand_made_facts(prov: Province) -> None:
    client = _reader(prov.committee)
    response = client.get(URL, {"doi-tuong": "agency", "id": str(prov.justice.pk), **Q3})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Quý III/2026" in html
    assert _number(html, "received") == 8
    assert _number(html, "recv_counter") == 2
    assert _number(html, "recv_online") == 5
    assert _number(html, "recv_post") == 1
    assert _number(html, "recv_partial") == 1
    assert _number(html, "finished") == 6
    assert (
        _number(html, "fin_early"),
        _number(html, "fin_on_time"),
        _number(html, "fin_late"),
    ) == (1, 2, 3)
    assert _number(html, "refused") == 1
    assert _number(html, "extended_late") == 1
    assert (
        _number(html, "ret_counter"),
        _number(html, "ret_post"),
        _number(html, "ret_online"),
    ) == (1, 1, 1)
    assert _number(html, "fully_online") == 1
    assert _number(html, "rate_5") == 1
    d = response.context["d"]
    assert d.carried_over == 1  # received in June, still open
    assert d.totals.on_time_rate == 50.0
    assert d.totals.average_days == 3.0
    assert d.open is None and "No figures yet" not in html  # shown in Vietnamese
    assert "chưa có số liệu" in html.lower()
    assert "phản ánh, kiến nghị" in html


def test_the_same_period_a_year_earlier_is_compared(prov: Province) -> None:
    client = _reader(prov.committee)
    d = client.get(URL, {"doi-tuong": "agency", "id": str(prov.building.pk), **Q3}).context["d"]
    assert (d.totals["received"], d.previous_totals["received"]) == (4, 1)
    received = next(line for s in d.sections for line in s.lines if line.measure == "received")
    assert received.delta == 3
    assert d.previous.label == "Quý III/2025"


def test_province_breakdown_lists_its_agencies_sorted_by_a_column(prov: Province) -> None:
    client = _reader(prov.committee)
    query = {"doi-tuong": "province", "id": str(prov.province.pk), **Q3}
    d = client.get(URL, query).context["d"]
    assert d.totals["received"] == 12
    by_name = {g.name: g.measures["received"] for g in d.groups}
    assert by_name["Sở Tư pháp"] == 8 and by_name["Sở Xây dựng"] == 4
    assert [g.name for g in d.groups][:2] == ["Sở Tư pháp", "Sở Xây dựng"]  # most received first
    ascending = client.get(URL, {**query, "sap": "received"}).context["d"]
    assert [g.name for g in ascending.groups][-1] == "Sở Tư pháp"
    by_rate = client.get(URL, {**query, "sap": "-on_time_rate"}).context["d"]
    assert by_rate.groups[0].name == "Sở Tư pháp"  # 50 % against 0 %
    communes = client.get(URL, {**query, "nhom": "commune"}).context["d"]
    assert [(g.name, g.measures["received"]) for g in communes.groups] == [(prov.commune.name, 8)]


def test_an_agency_lists_its_procedures_with_their_processing_days(prov: Province) -> None:
    client = _reader(prov.committee)
    d = client.get(URL, {"doi-tuong": "agency", "id": str(prov.justice.pk), **Q3}).context["d"]
    assert d.breakdown == "procedure"
    (group,) = d.groups
    assert group.measures.average_days == 3.0
    assert group.measures.median_days is not None


def test_trend_covers_the_months_of_a_quarter_or_twelve_up_to_a_month(prov: Province) -> None:
    client = _reader(prov.committee)
    query = {"doi-tuong": "agency", "id": str(prov.justice.pk)}
    quarter = client.get(URL, {**query, **Q3}).context["d"]
    assert [m.label for m in quarter.trend] == ["07/2026", "08/2026", "09/2026"]
    assert [m.measures["received"] for m in quarter.trend] == [2, 3, 3]
    month = client.get(URL, {**query, "ky": "month", "nam": "2026", "so": "9"}).context["d"]
    assert len(month.trend) == 12 and month.trend[-1].label == "09/2026"


def test_the_dashboard_costs_the_same_queries_whatever_the_period(
    prov: Province, django_assert_max_num_queries: Any
) -> None:
    client = _reader(prov.committee)
    query = {"doi-tuong": "province", "id": str(prov.province.pk)}
    client.get(URL, query)  # the session, warmed
    counts = []
    for params in (
        Q3,
        {"ky": "year", "nam": "2026"},
        {"ky": "dates", "tu": "01/01/2020", "den": "31/12/2026"},
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {**query, **params}).status_code == 200
        counts.append(len(captured))
    assert len(set(counts)) == 1, counts
    more = [
        _fact(
            100 + i,
            {
                "province": prov.province,
                "receiving_unit": prov.unit,
                "agency": prov.building,
                "procedure": prov.facts[-1].procedure,
            },
        )
        for i in range(30)
    ]
    rollup_apply(delta_of(Fact.objects.bulk_create(more)))
    with django_assert_max_num_queries(counts[0]):
        client.get(URL, {**query, **Q3})


# --- The dossiers behind a number ------------------------------------------------------------


def test_clicking_a_number_lists_as_many_dossiers(prov: Province) -> None:
    client = _reader(prov.committee)
    html = client.get(
        URL, {"doi-tuong": "agency", "id": str(prov.justice.pk), **Q3}
    ).content.decode()
    for measure in ("received", "fin_late", "recv_counter", "ret_post", "rated"):
        link = re.search(rf'href="(/can-bo/thong-ke/ho-so/\?[^"]*chi-so={measure})"', html)
        assert link, measure
        page = client.get(link.group(1).replace("&amp;", "&"))
        assert page.status_code == 200
        assert page.context["page"].paginator.count == _number(html, measure), measure
    assert link
    late = client.get(link.group(1).replace("&amp;", "&").replace("rated", "fin_late"))
    heading = late.content.decode()
    assert "Finished late" in heading or "quá hạn" in heading.lower()
    assert "Sở Tư pháp" in heading and "Quý III/2026" in heading


def test_the_list_links_live_dossiers_the_reader_may_open(prov: Province) -> None:
    leader = _reader(prov.justice, Role.LEADER)
    page = leader.get(
        FACTS_URL,
        {
            "doi-tuong": "agency",
            "id": str(prov.justice.pk),
            "chi-so": "fin_early",
            "tu": "2026-07-01",
            "den": "2026-09-30",
        },
    )
    html = page.content.decode()
    live = prov.facts[5]
    assert f'href="/can-bo/ho-so/{live.code}/"' in html
    imported = leader.get(
        FACTS_URL,
        {
            "doi-tuong": "agency",
            "id": str(prov.justice.pk),
            "chi-so": "fin_late",
            "tu": "2026-07-01",
            "den": "2026-09-30",
        },
    ).content.decode()
    assert "H15-00001" in imported and 'href="/can-bo/ho-so/H15-00001/"' not in imported


def test_the_list_pages_fifty_at_a_time_and_downloads_all(prov: Province) -> None:
    more = [
        _fact(
            200 + i,
            {
                "province": prov.province,
                "receiving_unit": prov.unit,
                "agency": prov.building,
                "procedure": prov.facts[-1].procedure,
            },
            received=dt.date(2026, 8, 1),
        )
        for i in range(60)
    ]
    rollup_apply(delta_of(Fact.objects.bulk_create(more)))
    client = _reader(prov.committee)
    query = {
        "doi-tuong": "agency",
        "id": str(prov.building.pk),
        "chi-so": "received",
        "tu": "01/07/2026",
        "den": "30/09/2026",
    }
    first = client.get(FACTS_URL, query)
    assert first.context["page"].paginator.count == 64
    assert len(first.context["rows"]) == 50
    second = client.get(FACTS_URL, {**query, "trang": "2"})
    assert len(second.context["rows"]) == 14
    download = client.get(FACTS_URL, {**query, "tai": "csv"})
    assert download["Content-Type"].startswith("text/csv")
    rows = list(
        csv.reader(io.StringIO(b"".join(cast(Any, download).streaming_content).decode("utf-8-sig")))
    )
    assert len(rows) == 65


# --- Downloads -------------------------------------------------------------------------------


def test_each_chart_table_downloads_as_csv_and_the_dashboard_as_xlsx(prov: Province) -> None:
    client = _reader(prov.committee)
    query = {"doi-tuong": "province", "id": str(prov.province.pk), **Q3}
    trend = client.get(URL, {**query, "tai": "csv", "bang": "trend"})
    assert trend.status_code == 200 and trend["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(trend.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["07/2026", "08/2026", "09/2026"]
    assert sum(int(r[4]) for r in rows[1:]) == 12
    groups = client.get(URL, {**query, "tai": "csv", "bang": "groups"}).content.decode("utf-8-sig")
    assert "Sở Tư pháp,8," in groups
    returned = client.get(URL, {**query, "tai": "csv", "bang": "returned"})
    assert returned.status_code == 200
    xlsx = client.get(URL, {**query, "tai": "xlsx"})
    assert xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert len(book.sheetnames) == 4
    summary = list(book.worksheets[0].iter_rows(values_only=True))
    assert any(row[2] == 12 for row in summary)


def test_a_reader_sees_the_picker_and_finds_a_procedure(prov: Province) -> None:
    client = _reader(prov.committee)
    response = client.get(URL, {"tim": "thu tuc thu nghiem"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="agency:{prov.justice.pk}"' in html
    assert f'value="commune:{prov.commune.pk}"' in html
    assert "doi-tuong=procedure" in html
    picked = client.get(URL, {"chon": f"agency:{prov.building.pk}", **Q3})
    assert picked.context["d"].subject.name == "Sở Xây dựng"


def test_the_page_carries_its_chart_data_for_the_script(prov: Province) -> None:
    html = _reader(prov.committee).get(URL, Q3).content.decode()
    assert '<script id="statistics-data" type="application/json">' in html
    assert 'data-chart="trend"' in html and 'data-chart="groups"' in html
    assert "<script>" not in html  # the Content Security Policy: no inline script
