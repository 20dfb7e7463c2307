"""Where to go after a form: a ``next`` from the request, only when it stays on this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, candidate: str | None, default: str) -> str:
    """Return ``candidate`` when it is a URL of this host, else ``default`` resolved.

    Django's own check (``url_has_allowed_host_and_scheme``) refuses other
    hosts however they are spelled (``//evil.example``, ``/\\evil.example``,
    ``https://evil.example/``), other schemes (``javascript:``), and an
    ``http`` target from an ``https`` page.
    """
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)
