"""The dossier's result secret: printed on the receipt, it opens the electronic results.

The dossier code is public (anyone may track a dossier); the signed result
may hold personal data, so downloading it from the tracking page asks for a
secret only the receipt carries: a keyed hash of the code (``SECRET_KEY``),
ten characters, that never expires (a result may come weeks after the
receipt).
"""

from __future__ import annotations

import base64
import hmac

from django.utils.crypto import salted_hmac

from motcua.dossiers.models import Dossier

SALT = "motcua.esign.result-secret"
LENGTH = 10


def result_secret(dossier: Dossier | str) -> str:
    """Return the dossier's result secret: ten letters and digits (base32, no 0/1/8/9)."""
    code = dossier if isinstance(dossier, str) else dossier.code
    digest = salted_hmac(SALT, code, algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:LENGTH]


def result_secret_check(dossier: Dossier | str, given: str) -> bool:
    """Tell whether ``given`` is the dossier's secret (case, spaces and dashes ignored)."""
    cleaned = "".join(c for c in given.upper() if c.isalnum())
    return hmac.compare_digest(cleaned.encode(), result_secret(dossier).encode())
