"""A local RFC 3161 timestamp authority for the demo and tests (``ESIGN_TSA_URL``).

Answers ``application/timestamp-query`` POSTs with a ``application/timestamp-reply``
signed by the demo TSA certificate (issued by the demo CA); the tokens are
made by pyHanko's own test TSA.
"""

from __future__ import annotations

from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from motcua.esign import certificates


@csrf_exempt
@require_POST
def timestamp(request: HttpRequest) -> HttpResponse:
    """Answer one RFC 3161 timestamp request."""
    try:
        query = tsp.TimeStampReq.load(request.body)
        query.native  # noqa: B018 - parse it all now: a bad request is a 400, not a 500
    except (ValueError, TypeError):
        return HttpResponse("bad timestamp request", status=400, content_type="text/plain")
    cert, key = certificates.tsa_ensure()
    ca = certificates.ca_ensure()
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(
            key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        ),
        certs_to_embed=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [asn1_x509.Certificate.load(ca.certificate.public_bytes(Encoding.DER))]
        ),
    )
    answer = stamper.request_tsa_response(query)
    return HttpResponse(answer.dump(), content_type="application/timestamp-reply")
