"""Bounded request bodies: refused by their declared size, counted when chunked."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from motcua.core.limits import REQUEST_TOO_LARGE

pytestmark = pytest.mark.django_db


class Unreadable(io.RawIOBase):
    """A request input that fails the test if anything reads it."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


class Counted(io.BytesIO):
    """A request input that counts what was read of it."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data


def environ(key: str, value: object) -> dict[str, Any]:
    """An entry of the WSGI environ a test request gets (the test client passes extras on)."""
    return {key: value}


def _declared(client: Client, path: str, length: int, **headers: str) -> Any:
    return client.generic(
        "POST",
        path,
        b"",
        headers=headers,
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(length),
        **environ("wsgi.input", Unreadable()),
    )


def test_the_limit_is_the_most_files_at_their_largest_plus_room_for_the_fields() -> None:
    from django.conf import settings

    assert settings.MOTCUA_MAX_REQUEST_BYTES == (
        settings.MOTCUA_MAX_FILES * settings.MOTCUA_MAX_FILE_SIZE + 2 * 2**20
    )


def test_a_body_declared_over_the_limit_is_413_in_json_before_any_byte_is_read(
    client: Client, settings: Any
) -> None:
    settings.MOTCUA_MAX_REQUEST_BYTES = 2**20
    response = _declared(client, "/api/v1/dossiers", 300 * 2**20)
    assert response.status_code == 413
    assert response.json() == {
        "error": {"code": "too_large", "message": "Yêu cầu quá lớn: tổng cộng tối đa 1 MB."}
    }
    english = _declared(client, "/api/v1/dossiers", 300 * 2**20, **{"Accept-Language": "en"})
    assert english.json()["error"]["message"] == str(REQUEST_TOO_LARGE).format(max=1)


def test_a_page_answers_a_body_over_the_limit_with_the_error_page_in_vietnamese(
    client: Client, settings: Any
) -> None:
    settings.MOTCUA_MAX_REQUEST_BYTES = 2**20
    response = _declared(client, "/thu-tuc/ABC/nop-ho-so/", 2**20 + 1)
    assert response.status_code == 413
    html = response.content.decode()
    assert "Yêu cầu quá lớn: tổng cộng tối đa 1 MB." in html
    assert "<html" in html and 'role="alert"' in html


def test_a_body_under_the_limit_is_read(client: Client, settings: Any) -> None:
    settings.MOTCUA_MAX_REQUEST_BYTES = 2**20
    response = client.post("/api/v1/dossiers", {"procedure": "none", "x": "a" * (2**20 - 400)})
    assert response.status_code == 404  # read, and answered: no such procedure
    assert response.json()["error"]["code"] == "not_found"


def _chunked(client: Client, body: io.BytesIO, boundary: str = "x") -> Any:
    """POST ``body`` as a server passes a chunked request: no Content-Length, input ended."""
    return client.generic(
        "POST",
        "/api/v1/dossiers",
        b"",
        CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **environ("wsgi.input", body),
        **environ("wsgi.input_terminated", True),
    )


def test_a_chunked_body_is_counted_while_read_and_refused_at_the_limit(
    client: Client, settings: Any, tmp_path: Any
) -> None:
    settings.MOTCUA_MAX_REQUEST_BYTES = 2**20
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    body = Counted(b"--x\r\n" + b"a" * (20 * 2**20))
    response = _chunked(client, body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert body.taken <= 2**20 + 64 * 1024  # stopped at the limit, not read to its end
    assert list(tmp_path.iterdir()) == []


def test_a_body_without_length_that_is_not_chunked_is_left_to_django(client: Client) -> None:
    response = client.generic(
        "POST",
        "/api/v1/dossiers",
        b"",
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH="",
        **environ("wsgi.input", Unreadable()),
        **environ("wsgi.input_terminated", True),
    )
    assert response.status_code == 404  # read as an empty submission: no procedure


def test_a_chunked_body_under_the_limit_is_read_whole(client: Client, settings: Any) -> None:
    body = io.BytesIO(
        b'--x\r\nContent-Disposition: form-data; name="procedure"\r\n\r\nnone\r\n--x--\r\n'
    )
    response = _chunked(client, body)
    assert response.status_code == 404  # the field was read: no such procedure
    assert response.json()["error"]["code"] == "not_found"
