"""A supplement answer refused for a bad file keeps the good ones for the next try."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Dossier, DossierFile, DossierState
from motcua.dossiers.uploads import SubmissionInvalid
from motcua.testing import Cast, cast_create, pdf_upload
from motcua.workflow import services
from motcua.workflow.models import KeptAnswerFile, SupplementItem

from .test_applicant_pages import PIN, signed_in, waiting_dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def waiting(cast: Cast) -> Dossier:
    return waiting_dossier(cast)


KEPT = re.compile(r'<input type="checkbox" name="(item-\d+-kept)" value="([^"]+)" checked>')


def items(dossier: Dossier) -> list[SupplementItem]:
    return list(SupplementItem.objects.filter(request__dossier=dossier).order_by("order"))


def bad_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("hong.pdf", b"MZ not a pdf", "application/pdf")


def url(dossier: Dossier) -> str:
    return f"/ho-so-cua-toi/{dossier.code}/bo-sung/"


def test_the_good_file_is_kept_listed_and_used_on_the_next_try(
    client: Client, waiting: Dossier
) -> None:
    first, second = items(waiting)
    signed_in(client)

    refused = client.post(
        url(waiting),
        {f"item-{first.pk}": pdf_upload("giay-1.pdf"), f"item-{second.pk}": bad_file()},
    )

    assert refused.status_code == 400
    html = refused.content.decode()
    assert f'id="item-{second.pk}-error"' in html
    ((name, token),) = KEPT.findall(html)
    assert name == f"item-{first.pk}-kept"
    assert "giay-1.pdf" in html
    kept = KeptAnswerFile.objects.get()
    stored = str(kept.file.name)
    assert kept.token == token and stored.startswith("pending/")
    assert default_storage.exists(stored)
    assert not DossierFile.objects.exists()
    waiting.refresh_from_db()
    assert waiting.state == DossierState.SUPPLEMENT_REQUESTED

    sent = client.post(url(waiting), {name: token, f"item-{second.pk}": pdf_upload("giay-2.pdf")})

    assert sent.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == DossierState.ACCEPTED
    files = DossierFile.objects.filter(component__dossier=waiting)
    assert sorted(files.values_list("original_name", flat=True)) == ["giay-1.pdf", "giay-2.pdf"]
    assert files.get(original_name="giay-1.pdf").file.name == kept.file.name  # not stored again
    assert not KeptAnswerFile.objects.exists()  # a token is used once


def test_a_kept_file_alone_is_an_answer(client: Client, waiting: Dossier) -> None:
    first, second = items(waiting)
    signed_in(client)
    refused = client.post(
        url(waiting), {f"item-{first.pk}": pdf_upload(), f"item-{second.pk}": bad_file()}
    )
    ((name, token),) = KEPT.findall(refused.content.decode())
    assert client.post(url(waiting), {name: token}).status_code == 302
    assert DossierFile.objects.filter(component__dossier=waiting).count() == 1


def test_a_token_under_another_items_input_or_expired_counts_for_nothing(
    client: Client, waiting: Dossier
) -> None:
    first, second = items(waiting)
    signed_in(client)
    refused = client.post(
        url(waiting), {f"item-{first.pk}": pdf_upload(), f"item-{second.pk}": bad_file()}
    )
    ((_name, token),) = KEPT.findall(refused.content.decode())

    wrong_item = client.post(url(waiting), {f"item-{second.pk}-kept": token})
    assert wrong_item.status_code == 400  # neither file nor note: nothing counted
    KeptAnswerFile.objects.update(created_at=timezone.now() - dt.timedelta(days=30))
    expired = client.post(url(waiting), {f"item-{first.pk}-kept": token})
    assert expired.status_code == 400
    assert not DossierFile.objects.exists()


def test_another_dossiers_kept_file_cannot_be_used(cast: Cast) -> None:
    mine = waiting_dossier(cast)
    other = waiting_dossier(cast)
    (o_first, o_second) = items(other)
    with pytest.raises(SubmissionInvalid):
        services.supplement_answer_online(
            dossier=other,
            applicant_id_number=PIN,
            files={o_first.pk: [pdf_upload()], o_second.pk: [bad_file()]},
            keep_files=True,
        )
    token = KeptAnswerFile.objects.get().token
    m_first = items(mine)[0]
    with pytest.raises(ValidationFailed):  # the token is not of this request: no file, no note
        services.supplement_answer_online(
            dossier=mine,
            applicant_id_number=PIN,
            files={},
            kept={m_first.pk: [token], o_first.pk: [token]},
            keep_files=True,
        )
    assert KeptAnswerFile.objects.count() == 1
    assert not DossierFile.objects.filter(component__dossier=mine).exists()


def test_without_keep_files_the_api_keeps_nothing(waiting: Dossier) -> None:
    first, second = items(waiting)
    with pytest.raises(ValidationFailed) as caught:
        services.supplement_answer_online(
            dossier=waiting,
            applicant_id_number=PIN,
            files={first.pk: [pdf_upload()], second.pk: [bad_file()]},
        )
    assert not isinstance(caught.value, SubmissionInvalid)
    assert not KeptAnswerFile.objects.exists()


def test_the_sweep_removes_expired_kept_answer_files_and_their_files(waiting: Dossier) -> None:
    from django.core.management import call_command

    first, second = items(waiting)
    for _ in range(2):
        with pytest.raises(SubmissionInvalid):
            services.supplement_answer_online(
                dossier=waiting,
                applicant_id_number=PIN,
                files={first.pk: [pdf_upload()], second.pk: [bad_file()]},
                keep_files=True,
            )
    old, new = KeptAnswerFile.objects.order_by("id")
    KeptAnswerFile.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )

    call_command("sweep_kept_answers")

    assert list(KeptAnswerFile.objects.values_list("pk", flat=True)) == [new.pk]
    assert not default_storage.exists(str(old.file.name))
    assert default_storage.exists(str(new.file.name))
