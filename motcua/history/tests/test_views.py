"""The import pages: who may see them, an upload queued and run, the progress, the rejections."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.history import selectors
from motcua.history.models import BatchState, ImportBatch
from motcua.history.services import import_file
from motcua.organisation.models import AgencyKind
from motcua.staff.models import Role
from motcua.testing import AgencyFactory, StaffRoleFactory, UserFactory

from .conftest import Old

pytestmark = pytest.mark.django_db
URL = "/can-bo/thong-ke/nhap-lieu/"


def _statistician(kind: str = AgencyKind.PEOPLES_COMMITTEE) -> Any:
    role = StaffRoleFactory(role=Role.STATISTICIAN, agency=AgencyFactory(kind=kind))
    return role.user


@pytest.fixture
def immediate(settings: Any) -> None:
    settings.TASKS = {
        **settings.TASKS,
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }


def test_the_page_is_mounted_where_staff_expect_it() -> None:
    assert reverse("history:imports") == URL


def test_a_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "next=" in response["Location"]


@pytest.mark.parametrize(
    "who",
    [
        lambda: _statistician(AgencyKind.DEPARTMENT),  # a department's statistician
        lambda: (
            StaffRoleFactory(
                role=Role.RECEIVING_OFFICER, agency=AgencyFactory(kind=AgencyKind.PEOPLES_COMMITTEE)
            ).user
        ),
        lambda: UserFactory(),  # no role
    ],
)
def test_others_than_a_province_statistician_are_refused(
    client: Client, old: Old, who: Callable[[], Any]
) -> None:
    client.force_login(who())
    assert client.get(URL).status_code == 403
    upload = SimpleUploadedFile("a.csv", b"ma_ho_so\n")
    assert client.post(URL, {"file": upload}).status_code == 403
    assert not ImportBatch.objects.exists()


def test_a_province_statistician_uploads_and_reads_the_outcome(
    client: Client,
    old: Old,
    write: Callable[..., Path],
    immediate: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(_statistician())
    path = write([old.row("QN-1"), old.row("QN-2", kenh="x"), old.row("QN-3")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"file": SimpleUploadedFile("ho-so.csv", path.read_bytes())})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("history:batch", args=[batch.pk])
    assert (batch.state, batch.created, batch.rejected) == (BatchState.DONE, 2, 1)
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "QN-2" in html
    assert 'hx-trigger="every 2s"' not in html  # done: no more polling
    listing = client.get(URL).content.decode()
    assert "ho-so.csv" in listing
    download = client.get(reverse("history:rejections-csv", args=[batch.pk]))
    body = b"".join(download.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert body.splitlines()[0] == "dong,ma_ho_so,ly_do"
    assert body.splitlines()[1].startswith("3,QN-2,")


def test_a_running_import_is_polled_every_two_seconds(client: Client, old: Old) -> None:
    client.force_login(UserFactory(is_superuser=True))
    ImportBatch.objects.create(
        file_name="x.csv", sha256="0" * 64, uploaded_at="2026-01-01T00:00Z", rows_total=10
    )
    batch = ImportBatch.objects.get()
    listing = client.get(URL).content.decode()
    assert 'hx-trigger="every 2s"' in listing
    partial = client.get(URL, headers={"HX-Request": "true"})
    assert partial.content.decode().startswith('<div id="batches"')
    progress = client.get(reverse("history:batch", args=[batch.pk]), headers={"HX-Request": "true"})
    assert 'id="progress"' in progress.content.decode()


def test_a_bad_file_is_answered_400_and_nothing_is_kept(client: Client, old: Old) -> None:
    client.force_login(_statistician())
    response = client.post(URL, {"file": SimpleUploadedFile("a.csv", b"ma_ho_so,kenh\nA,1\n")})
    assert response.status_code == 400
    assert "ma_don_vi_tiep_nhan" in response.content.decode()
    assert client.post(URL, {}).status_code == 400
    assert not ImportBatch.objects.exists()


def test_an_unknown_import_is_404(client: Client) -> None:
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(reverse("history:batch", args=[999])).status_code == 404
    assert client.get(reverse("history:rejections-csv", args=[999])).status_code == 404


def test_the_rejections_are_paged(client: Client, old: Old, write: Callable[..., Path]) -> None:
    batch, _out = import_file(path=write([old.row(f"Q{i}", kenh="x") for i in range(60)]))
    client.force_login(UserFactory(is_superuser=True))
    url = reverse("history:batch", args=[batch.pk])
    second = client.get(url, {"trang": "2"}).content.decode()
    assert "Q59" in second and "Q5<" not in second
    assert client.get(url, {"trang": "x"}).status_code == 200


def test_the_lists_cost_a_fixed_number_of_queries(
    old: Old, write: Callable[..., Path], django_assert_num_queries: Any
) -> None:
    for n in range(3):
        import_file(path=write([old.row(f"Q{n}-{i}", kenh="x") for i in range(60)]))
    batch = ImportBatch.objects.order_by("pk").first()
    assert batch is not None
    with django_assert_num_queries(1):
        assert len(selectors.batches_recent()) == 3
    with django_assert_num_queries(1):
        page = selectors.rejections_page(batch, 2)
        assert [r.row for r in page.object_list] == list(range(52, 62))
