"""A refused submission keeps the files already chosen: listed, ticked, sent back as tokens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierFile, PendingUpload
from motcua.portal.tests.files import minimal_pdf
from motcua.testing import ProcedureFactory

pytestmark = pytest.mark.django_db
EN = {"Cookie": "django_language=en"}
KEPT = re.compile(r'<input type="checkbox" name="(component-\d+-kept)" value="([^"]+)" checked>')


def _url(procedure: Procedure) -> str:
    return reverse("portal:submit", args=[procedure.code])


def _keys(procedure: Procedure) -> tuple[str, str]:
    assert procedure.current_version is not None
    required, optional = procedure.current_version.components.order_by("order")
    return f"component-{required.pk}", f"component-{optional.pk}"


def _without_files(submission: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in submission.items() if not hasattr(v, "read")}


def _kept(html: str) -> dict[str, list[str]]:
    """Return the ticked kept files' tokens of a page, by input name."""
    found: dict[str, list[str]] = {}
    for name, token in KEPT.findall(html):
        found.setdefault(name, []).append(token)
    return found


def _file_input(html: str, name: str) -> str:
    match = re.search(rf'<input type="file" name="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


def test_a_failed_submission_keeps_the_chosen_file_and_the_next_needs_no_file(
    client: Client, birth_registration: Procedure, submission: dict[str, Any]
) -> None:
    required, _optional = _keys(birth_registration)
    assert "required" in _file_input(
        client.get(_url(birth_registration)).content.decode(), required
    )

    failed = client.post(
        _url(birth_registration), {**submission, "applicant_phone": "12"}, headers=EN
    )

    assert failed.status_code == 400
    html = failed.content.decode()
    assert "File kept: to-khai.pdf (" in html
    assert "the files you chose are kept" in html
    assert "choose the files again" not in html
    assert "Untick a kept file to leave it out." in html
    assert "required" not in _file_input(html, required)  # no need to choose it again
    kept = _kept(html)
    assert list(kept) == [f"{required}-kept"]
    row = PendingUpload.objects.get()
    assert kept[f"{required}-kept"] == [row.token]

    again = client.post(_url(birth_registration), {**_without_files(submission), **kept})

    assert again.status_code == 302
    stored = DossierFile.objects.get(component__dossier=Dossier.objects.get())
    assert stored.file.name == row.file.name
    assert stored.original_name == "to-khai.pdf"
    assert stored.file.read() == minimal_pdf()
    assert not PendingUpload.objects.exists()


def test_unticked_kept_files_are_left_out(
    client: Client, birth_registration: Procedure, submission: dict[str, Any]
) -> None:
    required, optional = _keys(birth_registration)
    photo = SimpleUploadedFile("giay-chung-sinh.pdf", minimal_pdf("cs"), "application/pdf")
    failed = client.post(
        _url(birth_registration), {**submission, optional: photo, "applicant_phone": "12"}
    )
    kept = _kept(failed.content.decode())
    assert set(kept) == {f"{required}-kept", f"{optional}-kept"}

    client.post(
        _url(birth_registration),
        {**_without_files(submission), f"{required}-kept": kept[f"{required}-kept"]},
    )

    names = DossierFile.objects.values_list("original_name", flat=True)
    assert list(names) == ["to-khai.pdf"]


def test_a_kept_file_is_used_once(
    client: Client, birth_registration: Procedure, submission: dict[str, Any]
) -> None:
    failed = client.post(_url(birth_registration), {**submission, "applicant_phone": "12"})
    kept = _kept(failed.content.decode())
    form = {**_without_files(submission), **kept}
    assert client.post(_url(birth_registration), form).status_code == 302

    # The same page sent again with another key: the file is the first dossier's now.
    reused = client.post(_url(birth_registration), {**form, "idempotency_key": ""}, headers=EN)

    assert reused.status_code == 400
    assert "Attach this document." in reused.content.decode()
    assert _kept(reused.content.decode()) == {}
    assert Dossier.objects.count() == 1


def test_a_token_kept_for_another_procedure_is_ignored(
    client: Client, birth_registration: Procedure, submission: dict[str, Any]
) -> None:
    other = ProcedureFactory(name="Đăng ký kết hôn")
    other_required, _ = _keys(other)
    data = {**_without_files(submission), other_required: submission[_keys(birth_registration)[0]]}
    failed = client.post(_url(other), {**data, "applicant_phone": "12"})
    (token,) = _kept(failed.content.decode())[f"{other_required}-kept"]
    required, _optional = _keys(birth_registration)

    response = client.post(
        _url(birth_registration),
        {**_without_files(submission), f"{required}-kept": token},
        headers=EN,
    )

    assert response.status_code == 400
    assert "Attach this document." in response.content.decode()
    assert token not in response.content.decode()
    assert not Dossier.objects.exists()


def test_kept_files_stay_listed_when_the_next_try_sends_a_file_too_large(
    client: Client, birth_registration: Procedure, submission: dict[str, Any], settings: Any
) -> None:
    _required, optional = _keys(birth_registration)
    failed = client.post(_url(birth_registration), {**submission, "applicant_phone": "12"})
    kept = _kept(failed.content.decode())
    settings.MOTCUA_MAX_FILE_SIZE = 100
    big = SimpleUploadedFile("anh.pdf", minimal_pdf("big"), "application/pdf")

    response = client.post(
        _url(birth_registration), {**_without_files(submission), **kept, optional: big}
    )

    assert response.status_code == 413
    assert _kept(response.content.decode()) == kept


def test_the_name_of_a_kept_file_is_shown_as_text(
    client: Client, birth_registration: Procedure, submission: dict[str, Any]
) -> None:
    required, _optional = _keys(birth_registration)
    named = SimpleUploadedFile('<b onclick="x">to-khai.pdf', minimal_pdf(), "application/pdf")

    failed = client.post(
        _url(birth_registration), {**submission, required: named, "applicant_phone": "12"}
    )

    html = failed.content.decode()
    assert "&lt;b onclick=&quot;x&quot;&gt;to-khai.pdf" in html
    assert "<b onclick" not in html
