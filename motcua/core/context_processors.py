from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """Expose the site's name to every template."""
    return {"SITE_NAME": settings.SITE_NAME}
