"""The local VNPT SmartCA (SP769 API) of the demo and tests: signs with the demo CA's keys.

Each SmartCA account is an agency code; its key is the demo PKCS#12 file of
that agency (issued by the demo CA if missing). A signature is "confirmed"
after ``delay`` polls of its status. ``POST control/`` (JSON ``{"mode":
"ok"|"refuse"|"down", "delay": n}``) tells it to refuse the next
transactions, to answer 503, or to wait ``n`` polls: the way a test or the
demo makes the service fail or be slow. Transactions live in the cache.
"""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from motcua.esign import certificates
from motcua.organisation.models import Agency

CONTROL_KEY = "sim:smartca:control"
TRANSACTION_KEY = "sim:smartca:tx:{}"
TTL = 600


def _answer(status_code: int, message: str, data: Any = None, *, http: int = 200) -> JsonResponse:
    return JsonResponse({"status_code": status_code, "message": message, "data": data}, status=http)


def _body(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _control() -> dict[str, Any]:
    value = cache.get(CONTROL_KEY)
    return value if isinstance(value, dict) else {"mode": "ok", "delay": 0}


def _authorised(body: dict[str, Any]) -> bool:
    return bool(
        body.get("sp_id") == settings.ESIGN_SMARTCA_SP_ID
        and body.get("sp_password") == settings.ESIGN_SMARTCA_SP_PASSWORD
    )


def _account(user_id: str) -> tuple[rsa.RSAPrivateKey, Any] | None:
    agency = Agency.objects.filter(code=user_id).values_list("name", flat=True).first()
    if agency is None:
        return None
    path, _created = certificates.agency_certificate_ensure(code=user_id, name=agency)
    password = settings.ESIGN_PKCS12_PASSWORD.encode() or None
    key, cert, _chain = pkcs12.load_key_and_certificates(path.read_bytes(), password)
    if not isinstance(key, rsa.RSAPrivateKey) or cert is None:
        return None
    return key, cert


@csrf_exempt
@require_POST
def control(request: HttpRequest) -> JsonResponse:
    """Set how the simulator answers from now on (mode, delay in polls)."""
    body = _body(request) or {}
    mode = body.get("mode", "ok")
    if mode not in {"ok", "refuse", "down"}:
        return _answer(400, "mode: ok, refuse or down", http=400)
    cache.set(CONTROL_KEY, {"mode": mode, "delay": int(body.get("delay", 0))}, TTL)
    return _answer(0, "ok")


@csrf_exempt
@require_POST
def get_certificate(request: HttpRequest) -> JsonResponse:
    body = _body(request)
    if body is None:
        return _answer(400, "Bad request", http=400)
    if _control()["mode"] == "down":
        return _answer(503, "Service unavailable", http=503)
    if not _authorised(body):
        return _answer(401, "Invalid sp_id or sp_password")
    account = _account(str(body.get("user_id", "")))
    if account is None:
        return _answer(404, "User not found")
    _key, cert = account
    return _answer(
        0,
        "Success",
        {
            "user_certificates": [
                {
                    "service_type": "ESEAL",
                    "serial_number": format(cert.serial_number, "X"),
                    "cert_subject": cert.subject.rfc4514_string(),
                    "cert_valid_from": cert.not_valid_before_utc.isoformat(),
                    "cert_valid_to": cert.not_valid_after_utc.isoformat(),
                    "cert_status": "VALID",
                    "cert_data": base64.b64encode(cert.public_bytes(Encoding.DER)).decode(),
                }
            ]
        },
    )


@csrf_exempt
@require_POST
def sign(request: HttpRequest) -> JsonResponse:
    body = _body(request)
    if body is None:
        return _answer(400, "Bad request", http=400)
    control_now = _control()
    if control_now["mode"] == "down":
        return _answer(503, "Service unavailable", http=503)
    if not _authorised(body):
        return _answer(401, "Invalid sp_id or sp_password")
    files = body.get("sign_files")
    user_id = str(body.get("user_id", ""))
    if not isinstance(files, list) or not files or _account(user_id) is None:
        return _answer(400, "sign_files and a known user_id are required")
    try:
        digests = [(str(f["doc_id"]), bytes.fromhex(f["data_to_be_signed"])) for f in files]
    except (KeyError, TypeError, ValueError):
        return _answer(400, "data_to_be_signed must be a hex digest")
    if any(
        len(d) != 32 or f.get("sign_type") != "hash"
        for (_i, d), f in zip(digests, files, strict=True)
    ):
        return _answer(400, "only SHA-256 hashes are signed (sign_type: hash)")
    transaction = secrets.token_hex(16)
    cache.set(
        TRANSACTION_KEY.format(transaction),
        {
            "user_id": user_id,
            "digests": [(i, d.hex()) for i, d in digests],
            "polls": 0,
            "delay": control_now["delay"],
            "refuse": control_now["mode"] == "refuse",
        },
        TTL,
    )
    return _answer(0, "Success", {"transaction_id": transaction, "tran_code": transaction[:8]})


@csrf_exempt
@require_POST
def status(request: HttpRequest, transaction_id: str) -> JsonResponse:
    if _control()["mode"] == "down":
        return _answer(503, "Service unavailable", http=503)
    key = TRANSACTION_KEY.format(transaction_id)
    state = cache.get(key)
    if not isinstance(state, dict):
        return _answer(404, "Transaction not found")
    if state["refuse"]:
        return _answer(4001, "The signer refused the transaction")
    state["polls"] += 1
    cache.set(key, state, TTL)
    if state["polls"] <= state["delay"]:
        return _answer(
            0,
            "Waiting for the signer's confirmation",
            {"transaction_id": transaction_id, "signatures": None},
        )
    account = _account(state["user_id"])
    if account is None:
        return _answer(404, "User not found")
    private_key, _cert = account
    signatures = [
        {
            "doc_id": doc_id,
            "signature_value": base64.b64encode(
                private_key.sign(
                    bytes.fromhex(digest), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256())
                )
            ).decode(),
        }
        for doc_id, digest in state["digests"]
    ]
    return _answer(0, "Success", {"transaction_id": transaction_id, "signatures": signatures})
