"""Settings for production: DEBUG off and a secret required by default, HTTPS only, the
security headers and the Content Security Policy on every page, `check --deploy` clean.

The settings module reads the environment once, at import, so what it does with an
environment is seen in a fresh process (``manage.py``); what the middleware does with the
settings is seen through the test client.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
# What a production deployment sets (README "Configuration", the Security section of
# docs/architecture.md): everything else keeps its production default.
PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "dichvucong.example.gov.vn",
    "SITE_URL": "https://dichvucong.example.gov.vn",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}
# Every variable the settings read that could make a run here differ from a deployment.
OURS = {
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
}


def manage(*args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` in a fresh process with only ``environ`` of the settings' variables."""
    env = {k: v for k, v in os.environ.items() if k not in OURS and not k.startswith("DJANGO_")}
    env.update(environ)
    return subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SHOWN = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
]


def settings_under(**environ: str) -> dict[str, object]:
    """Return the security settings a process started with ``environ`` has."""
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {SHOWN!r}}}))"
    )
    run = manage("shell", "-c", code, **environ)
    assert run.returncode == 0, run.stderr
    shown: dict[str, object] = json.loads(run.stdout.strip().splitlines()[-1])
    return shown


# --- The environment -----------------------------------------------------------------------


def test_check_deploy_is_clean_with_the_documented_production_settings() -> None:
    run = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues" in run.stdout
    assert "WARNING" not in run.stderr.upper()


def test_check_deploy_tells_a_weakened_production_setting() -> None:
    """The check above can fail: a deployment that turns HSTS off hears it."""
    run = manage(
        "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, SECURE_HSTS_SECONDS="0"
    )

    assert run.returncode != 0
    assert "security.W004" in run.stderr


def test_without_a_secret_key_outside_debug_nothing_starts_and_the_message_says_why() -> None:
    run = manage("check", ALLOWED_HOSTS="dichvucong.example.gov.vn")

    assert run.returncode != 0
    assert "ImproperlyConfigured" in run.stderr
    assert "SECRET_KEY is not set" in run.stderr
    assert "SECRET_KEY_FILE" in run.stderr
    assert "insecure" not in run.stdout  # no built-in key was used instead


def test_an_empty_secret_key_is_no_secret_key() -> None:
    run = manage("check", SECRET_KEY="", DEBUG="false")

    assert run.returncode != 0
    assert "SECRET_KEY is not set" in run.stderr


def test_the_secret_key_may_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(50) + "\n", encoding="utf-8")

    run = manage("check", SECRET_KEY_FILE=str(key_file))

    assert run.returncode == 0, run.stderr


def test_debug_is_off_unless_asked_for_and_production_defaults_are_https_only() -> None:
    shown = settings_under(SECRET_KEY=PRODUCTION["SECRET_KEY"])

    assert shown == {
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": None,  # only when a proxy is said to set it
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_AGE": 10 * 3600,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_REFERRER_POLICY": "same-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
    }


def test_the_demo_in_debug_serves_plain_http_with_cookies_it_can_send() -> None:
    """`make run` (DEBUG=true) serves http://127.0.0.1:8000: no redirect, no HSTS."""
    shown = settings_under(DEBUG="true")

    assert shown["DEBUG"] is True
    assert shown["SECURE_SSL_REDIRECT"] is False
    assert shown["SECURE_HSTS_SECONDS"] == 0
    assert shown["SESSION_COOKIE_SECURE"] is False
    assert shown["CSRF_COOKIE_SECURE"] is False


def test_each_production_setting_can_be_set_from_the_environment() -> None:
    shown = settings_under(
        **PRODUCTION,
        SECURE_HSTS_SECONDS="300",
        SECURE_HSTS_PRELOAD="false",
        SESSION_COOKIE_AGE="3600",
        SESSION_EXPIRE_AT_BROWSER_CLOSE="false",
    )

    assert shown["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert shown["SECURE_HSTS_SECONDS"] == 300
    assert shown["SECURE_HSTS_PRELOAD"] is False
    assert shown["SESSION_COOKIE_AGE"] == 3600
    assert shown["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is False


@pytest.mark.parametrize("value", ["X_FORWARDED_PROTO,https", "HTTP_X_FORWARDED_PROTO", "a,b,c"])
def test_a_malformed_proxy_header_setting_is_refused(value: str) -> None:
    run = manage("check", DEBUG="true", SECURE_PROXY_SSL_HEADER=value)

    assert run.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER" in run.stderr


# --- The headers ---------------------------------------------------------------------------


def csp(response: object) -> dict[str, str]:
    """Return the directives of a response's Content-Security-Policy header."""
    header = response["Content-Security-Policy"]  # type: ignore[index]
    return {
        name: value.strip()
        for name, _, value in (part.strip().partition(" ") for part in header.split(";"))
    }


@pytest.mark.django_db
def test_every_page_has_the_security_headers_and_a_policy_of_its_own_scripts_only(
    client: Client,
) -> None:
    for url in (reverse("portal:home"), reverse("staff:login"), "/khong-co-trang-nay/"):
        response = client.get(url)

        assert response.status_code in (200, 404), url
        assert csp(response) == {
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "img-src": "'self' data:",
            "font-src": "'self'",
            "connect-src": "'self'",
            "object-src": "'none'",
            "base-uri": "'self'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
        }, url
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_api_has_the_policy_too(client: Client) -> None:
    response = client.get(reverse("api-schema"))

    assert csp(response)["default-src"] == "'self'"


@pytest.mark.django_db
def test_https_is_required_and_remembered_when_configured(client: Client, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    home = reverse("portal:home")

    plain = client.get(home)
    assert plain.status_code == 301
    assert plain["Location"] == f"https://testserver{home}"
    assert "Strict-Transport-Security" not in plain  # only said over HTTPS

    secure = client.get(home, headers={"x-forwarded-proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# --- The pages: nothing inline --------------------------------------------------------------

TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("motcua/*/templates"))]
# Rendered to PDF by WeasyPrint (motcua/core/pdf.py), never served to a browser.
# Templates only WeasyPrint renders (PDFs), never served to a browser.
PRINTED = re.compile(r"/print/|dossiers/receipt\.html|dossiers/_receipt_fees\.html|/forms/")
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "htmx code attribute": re.compile(r"\shx-on[:-]|\shx-vars=|js:", re.I),
}


def test_no_page_template_has_inline_script_or_style() -> None:
    found = []
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*.html")):
            name = path.relative_to(ROOT).as_posix()
            if PRINTED.search(name):
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{name}: {what}" for what, pattern in INLINE.items() if pattern.search(text)]

    assert found == []


def test_the_template_check_finds_what_it_looks_for() -> None:
    page = '<p style="x">a</p><script>alert(1)</script><button onclick="f()">'

    assert [what for what, pattern in INLINE.items() if pattern.search(page)] == [
        "inline script",
        "event handler attribute",
        "style attribute",
    ]
    assert not INLINE["inline script"].search('<script src="/static/js/portal.js" defer>')


# --- The API docs page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_docs_page_loads_everything_from_the_site_itself(client: Client) -> None:
    page = client.get(reverse("api-docs"))

    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]*\b(?:src|href)="([^"]+)"', html)
    assert len(sources) == 6  # favicon, two style sheets, three scripts
    assert all(s.startswith(("/static/", "/api/v1/docs/")) for s in sources), sources
    assert "cdn" not in html
    assert not INLINE["inline script"].search(html)
    assert not INLINE["style element"].search(html)
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    assert "'unsafe-eval'" not in page["Content-Security-Policy"]

    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert reverse("api-schema") in script.content.decode()
