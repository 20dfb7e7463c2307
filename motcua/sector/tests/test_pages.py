"""The staff pages: who reads, who enters, errors next to the fields, close and reopen, upload."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.sector.models import PeriodState, SectorFigure, SectorPeriod
from motcua.testing import StatisticsCast

pytestmark = pytest.mark.django_db
URL = "/can-bo/thong-ke/nganh/"


def _grid(cast: StatisticsCast, **values: str) -> dict[str, str]:
    data = {"period": "2025", "unit": str(cast.province.pk)}
    data.update({f"value-{k}": v for k, v in values.items()})
    return data


def test_anonymous_goes_to_sign_in_and_an_outsider_is_refused(
    client: Client, cast: StatisticsCast
) -> None:
    for url in (URL, f"{URL}nhap/", f"{URL}chi-so/"):
        response = client.get(url)
        assert (
            response.status_code == 302 and response["Location"] == f"/can-bo/dang-nhap/?next={url}"
        )
    client.force_login(cast.outsider)
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}luu/", _grid(cast, bts_stations="1")).status_code == 403
    assert not SectorFigure.objects.exists()


def test_a_statistician_enters_the_grid_and_a_reader_sees_it(
    client: Client, cast: StatisticsCast
) -> None:
    client.force_login(cast.statistician)
    page = client.get(URL, {"period": "2025", "unit": str(cast.province.pk)})
    assert page.status_code == 200 and 'name="value-bts_stations"' in page.content.decode()
    response = client.post(
        f"{URL}luu/",
        _grid(
            cast,
            population="1610710",
            telephone_subscribers="1.169.375",
            bts_stations="2.000",
        ),
    )
    assert response.status_code == 302
    assert SectorFigure.objects.count() == 3
    client.force_login(cast.reader)
    html = client.get(
        URL, {"year": "2025", "part": "", "unit": str(cast.province.pk)}
    ).content.decode()
    assert "1.169.375" in html and "72,6" in html and "2.000" in html
    assert 'name="value-bts_stations"' not in html
    assert client.post(f"{URL}luu/", _grid(cast, bts_stations="1")).status_code == 403


def test_a_wrong_value_is_shown_next_to_its_field_and_nothing_is_saved(
    client: Client, cast: StatisticsCast
) -> None:
    client.force_login(cast.leader)
    response = client.post(f"{URL}luu/", _grid(cast, population="100", bts_stations="nhiều"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="err-bts_stations"' in html and 'value="nhiều"' in html
    assert not SectorFigure.objects.exists()
    assert client.get(URL, {"period": "2025-q9"}).status_code == 400
    assert client.get(URL, {"unit": "999999"}).status_code == 404


def test_close_then_reopen_by_the_administrator_through_the_pages(
    client: Client, cast: StatisticsCast
) -> None:
    client.force_login(cast.statistician)
    client.post(f"{URL}luu/", _grid(cast, bts_stations="1"))
    period = SectorPeriod.objects.get()
    assert client.post(f"{URL}ky/{period.pk}/dong/", {"unit": cast.province.pk}).status_code == 302
    refused = client.post(f"{URL}luu/", _grid(cast, bts_stations="2"))
    assert refused.status_code == 409 and "đã khóa" in refused.content.decode()
    assert client.post(f"{URL}ky/{period.pk}/mo-lai/", {"reason": "x"}).status_code == 403
    client.force_login(cast.administrator)
    assert client.post(f"{URL}ky/{period.pk}/mo-lai/", {"reason": ""}).status_code == 400
    assert (
        client.post(f"{URL}ky/{period.pk}/mo-lai/", {"reason": "Số liệu bổ sung"}).status_code
        == 302
    )
    period.refresh_from_db()
    assert period.state == PeriodState.OPEN
    assert (
        client.post(f"{URL}ky/999999/dong/").status_code == 403
    )  # the administrator may not close


def test_an_upload_reports_each_rejected_row(client: Client, cast: StatisticsCast) -> None:
    client.force_login(cast.statistician)
    csv = (
        b"metric_code,year,quarter,month,unit_code,unit_era,value,note\n"
        b"bts_stations,2025,,,48,current,2000,\n"
        b"wifi,2025,,,48,current,3,\n"
    )
    response = client.post(f"{URL}nhap/", {"file": SimpleUploadedFile("so-lieu.csv", csv)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 tạo mới" in html and "không có chỉ số &#x27;wifi&#x27;" in html
    bad = client.post(f"{URL}nhap/", {"file": SimpleUploadedFile("x.txt", b"x")})
    assert bad.status_code == 400
    client.force_login(cast.reader)
    upload = SimpleUploadedFile("so-lieu.csv", csv)
    assert client.post(f"{URL}nhap/", {"file": upload}).status_code == 403


def test_a_statistician_adds_a_metric(client: Client, cast: StatisticsCast) -> None:
    client.force_login(cast.statistician)
    response = client.post(
        f"{URL}chi-so/", {"code": "wifi_points", "name": "Điểm wifi", "kind": "count"}
    )
    assert response.status_code == 302
    again = client.post(f"{URL}chi-so/", {"code": "wifi_points", "name": "", "kind": "count"})
    assert again.status_code == 400 and "Đã có chỉ số với mã này." in again.content.decode()
    assert 'data-metric="wifi_points"' in client.get(f"{URL}chi-so/").content.decode()
