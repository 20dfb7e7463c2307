"""The demo catalogue tells the person choosing what the national database publishes."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import Component, Procedure
from motcua.demo.services import DemoSummary

pytestmark = pytest.mark.django_db


def test_every_procedure_has_steps_and_who_may_apply(demo: DemoSummary) -> None:
    # The former catalogue's procedures (2019, not published today) have a minimal version.
    procedures = Procedure.objects.filter(is_published=True).select_related("current_version")
    assert procedures.count() == 38
    for procedure in procedures:
        version = procedure.current_version
        assert version is not None
        assert len(version.steps) >= 2, procedure.code
        assert all(isinstance(s, str) and s for s in version.steps), procedure.code
        assert version.applicants, procedure.code


def test_every_component_written_on_a_form_names_it(demo: DemoSummary) -> None:
    current = Component.objects.filter(version__procedure__current_version=F("version"))
    on_form = current.filter(name__icontains="theo mẫu")
    assert on_form.exists()
    assert not on_form.filter(template_name="").exists()


def test_the_blank_form_of_a_demo_procedure_downloads_as_a_pdf(
    demo: DemoSummary, client: Client
) -> None:
    procedure = Procedure.objects.get(code="2.001418.000.00.48.G01")
    version = procedure.current_version
    assert version is not None
    form = version.components.exclude(template_name="").get()
    html = client.get(reverse("portal:procedure", args=[procedure.code])).content.decode()
    url = reverse("portal:component-template", args=[procedure.code, form.pk])
    assert url in html

    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
