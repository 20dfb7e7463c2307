"""Admin of process definitions and dossier steps: drafts edited, used versions frozen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.organisation.models import Agency
from motcua.testing import (
    AgencyFactory,
    DossierFactory,
    OneStopUnitFactory,
    ProcedureFactory,
    UserFactory,
)
from motcua.workflow import processes
from motcua.workflow.admin import PUBLISHED
from motcua.workflow.models import (
    AgencySource,
    DossierStep,
    Process,
    ProcessStep,
    ProcessTransition,
    ProcessVersion,
    StepKind,
)

pytestmark = pytest.mark.django_db

VERSIONS = "/admin/workflow/processversion/"


@pytest.fixture
def procedure() -> Procedure:
    return ProcedureFactory(
        code="1.001193.000.00.21.H15", name="Đăng ký khai sinh", agency__name="UBND phường"
    )


@pytest.fixture
def partner() -> Agency:
    return AgencyFactory(name="Công an phường Hải Châu")


def draft_of(procedure: Procedure) -> ProcessVersion:
    return processes.process_version_create(
        procedure=procedure, steps=processes.default_steps(), publish=False
    )


def use(version: ProcessVersion) -> None:
    """Let a dossier go through the first step of ``version`` (it is then frozen)."""
    step = version.steps.order_by("order").first()
    assert step is not None
    unit = OneStopUnitFactory()
    dossier = DossierFactory(procedure=version.process.procedure, receiving_unit=unit)
    DossierStep.objects.create(
        dossier=dossier,
        step=step,
        agency=unit,
        role=step.role,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )


def change_url(version: ProcessVersion) -> str:
    return f"{VERSIONS}{version.pk}/change/"


def form_data(version: ProcessVersion, **changes: Any) -> dict[str, Any]:
    """Return the change form of ``version`` as the browser posts it, with step ``changes``.

    ``changes`` maps ``"<order>-<field>"`` (e.g. ``"2-share"``) to a new value.
    """
    steps = list(version.steps.order_by("order"))
    transitions = list(version.transitions.all())
    data: dict[str, Any] = {
        "note": version.note,
        "steps-TOTAL_FORMS": len(steps),
        "steps-INITIAL_FORMS": len(steps),
        "steps-MIN_NUM_FORMS": 0,
        "steps-MAX_NUM_FORMS": 1000,
        "transitions-TOTAL_FORMS": len(transitions),
        "transitions-INITIAL_FORMS": len(transitions),
        "transitions-MIN_NUM_FORMS": 0,
        "transitions-MAX_NUM_FORMS": 1000,
    }
    for i, s in enumerate(steps):
        values = {
            "id": s.pk,
            "version": version.pk,
            "order": s.order,
            "name": s.name,
            "kind": s.kind,
            "role": s.role,
            "agency_source": s.agency_source,
            "agency": s.agency_id or "",
            "share": s.share,
        }
        for key, value in changes.items():
            order, field = key.split("-", 1)
            if int(order) == s.order:
                values[field] = value
        data.update({f"steps-{i}-{k}": v for k, v in values.items()})
    for i, t in enumerate(transitions):
        values = {
            "id": t.pk,
            "version": version.pk,
            "source": t.source_id,
            "target": t.target_id,
            "kind": t.kind,
        }
        data.update({f"transitions-{i}-{k}": v for k, v in values.items()})
    return data


def texts(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Pages ---------------------------------------------------------------------------------------


def test_admin_pages_of_processes_and_steps_open(
    admin_client: Client, procedure: Procedure
) -> None:
    version = draft_of(procedure)
    use(version)
    step = DossierStep.objects.get()
    for url in [
        "/admin/workflow/process/",
        "/admin/workflow/process/add/",
        f"/admin/workflow/process/{version.process_id}/change/",
        VERSIONS,
        change_url(version),
        "/admin/workflow/dossierstep/",
        "/admin/workflow/dossierstep/?open=no",
        f"/admin/workflow/dossierstep/{step.pk}/change/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_staff_without_permissions_cannot_open_the_process_admin(
    client: Client, procedure: Procedure
) -> None:
    version = draft_of(procedure)
    client.force_login(UserFactory(username="staff", is_staff=True))

    assert client.get("/admin/workflow/process/").status_code == 403
    assert client.get(change_url(version)).status_code == 403
    assert client.post(f"{VERSIONS}{version.pk}/revise/").status_code == 403
    assert ProcessVersion.objects.count() == 1


@pytest.mark.parametrize("term", ["khai sinh", "Đăng ký KHAI SINH", "1.001193", "000.00.21.h15"])
def test_processes_are_found_by_code_or_name_with_or_without_diacritics(
    admin_client: Client, procedure: Procedure, term: str
) -> None:
    draft_of(procedure)
    draft_of(ProcedureFactory(name="Cấp giấy phép xây dựng"))

    response = admin_client.get("/admin/workflow/process/", {"q": term})

    assert [p.procedure for p in response.context["cl"].result_list] == [procedure]


def test_process_and_version_lists_cost_the_same_queries_for_more_rows(
    admin_client: Client,
) -> None:
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    draft_of(ProcedureFactory())
    few = (queries("/admin/workflow/process/"), queries(VERSIONS))
    for _ in range(3):
        version = draft_of(ProcedureFactory())
        processes.process_version_publish(version=version)
        use(version)
    assert (queries("/admin/workflow/process/"), queries(VERSIONS)) == few


# --- Creating a process from a template ----------------------------------------------------------


def test_a_process_is_created_from_the_single_agency_template_and_published(
    admin_client: Client, procedure: Procedure
) -> None:
    response = admin_client.post(
        "/admin/workflow/process/add/",
        {"procedure": procedure.pk, "template": "single", "publish": "on"},
    )

    process = Process.objects.get(procedure=procedure)
    version = process.versions.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(version)
    assert process.current_version == version
    assert [s.kind for s in version.steps.all()] == [
        StepKind.INTAKE,
        StepKind.PROCESS,
        StepKind.PROCESS,
        StepKind.RETURN,
    ]


def test_the_inter_agency_template_puts_the_partner_in_between_and_may_stay_a_draft(
    admin_client: Client, procedure: Procedure, partner: Agency
) -> None:
    admin_client.post(
        "/admin/workflow/process/add/",
        {"procedure": procedure.pk, "template": "inter_agency", "partner": partner.pk},
    )

    process = Process.objects.get(procedure=procedure)
    fixed = process.versions.get().steps.filter(agency_source=AgencySource.FIXED)
    assert process.current_version is None
    assert {(s.agency, s.role) for s in fixed} == {(partner, "specialist"), (partner, "leader")}


@pytest.mark.parametrize("partner_is", ["missing", "the competent agency"])
def test_the_inter_agency_template_needs_another_agency_as_partner(
    admin_client: Client, procedure: Procedure, partner_is: str
) -> None:
    partner = "" if partner_is == "missing" else procedure.agency_id

    response = admin_client.post(
        "/admin/workflow/process/add/",
        {"procedure": procedure.pk, "template": "inter_agency", "partner": partner},
    )

    assert response.status_code == 200
    assert "partner" in response.context["adminform"].form.errors
    assert not Process.objects.exists()


def test_a_procedure_gets_only_one_process(admin_client: Client, procedure: Procedure) -> None:
    draft_of(procedure)

    response = admin_client.post(
        "/admin/workflow/process/add/", {"procedure": procedure.pk, "template": "single"}
    )

    assert response.status_code == 200
    assert ProcessVersion.objects.count() == 1


def test_a_process_page_lists_its_versions_and_changes_nothing(
    admin_client: Client, procedure: Procedure
) -> None:
    version = draft_of(procedure)
    url = f"/admin/workflow/process/{version.process_id}/change/"

    page = admin_client.get(url).content.decode()

    assert change_url(version) in page
    assert admin_client.post(url, {"procedure": procedure.pk}).status_code == 403


# --- Drafts ------------------------------------------------------------------------------------


def test_a_draft_is_edited_with_its_steps_and_transitions(
    admin_client: Client, procedure: Procedure
) -> None:
    version = draft_of(procedure)
    data = form_data(version, **{"2-share": "60", "3-share": "40", "3-name": "Ký duyệt"})
    data["note"] = "Rút ngắn bước phê duyệt"

    response = admin_client.post(change_url(version), data)

    assert response.status_code == 302
    version.refresh_from_db()
    assert version.note == "Rút ngắn bước phê duyệt"
    assert list(version.steps.values_list("name", "share")) == [
        ("Tiếp nhận hồ sơ", Decimal(0)),
        ("Thẩm định hồ sơ", Decimal(60)),
        ("Ký duyệt", Decimal(40)),
        ("Trả kết quả", Decimal(0)),
    ]


def test_a_named_agency_step_without_its_agency_is_refused_in_the_form(
    admin_client: Client, procedure: Procedure
) -> None:
    version = draft_of(procedure)

    response = admin_client.post(
        change_url(version), form_data(version, **{"2-agency_source": "fixed"})
    )

    assert response.status_code == 200
    assert response.context["errors"]
    assert not version.steps.filter(agency_source="fixed").exists()


def test_transitions_offer_only_the_steps_of_their_own_version(
    admin_client: Client, procedure: Procedure
) -> None:
    other = draft_of(procedure)
    version = draft_of(procedure)

    response = admin_client.get(change_url(version))

    transitions = response.context["inline_admin_formsets"][1].formset
    offered = set(transitions.form.base_fields["source"].queryset)
    assert offered == set(version.steps.all())
    assert not offered & set(other.steps.all())


def test_a_transition_from_a_step_to_itself_is_refused(
    admin_client: Client, procedure: Procedure
) -> None:
    version = draft_of(procedure)
    data = form_data(version)
    data["transitions-0-target"] = data["transitions-0-source"]

    response = admin_client.post(change_url(version), data)

    assert response.status_code == 200
    assert ProcessTransition.objects.filter(source=version.steps.first()).count() == 1


def test_save_and_publish_makes_a_valid_draft_current(
    admin_client: Client, procedure: Procedure
) -> None:
    version = draft_of(procedure)
    data = form_data(version, **{"2-share": "50", "3-share": "50"}) | {"_publish": "1"}

    response = admin_client.post(change_url(version), data)

    assert response.status_code == 302
    assert Process.objects.get().current_version == version
    assert version.steps.get(order=2).share == Decimal(50)
    assert texts(response) == [str(PUBLISHED % {"n": 1, "code": procedure.code})]


def test_publishing_a_broken_draft_keeps_the_edit_and_shows_why_it_was_not_published(
    admin_client: Client, procedure: Procedure
) -> None:
    current = processes.process_version_create(procedure=procedure, steps=processes.default_steps())
    version = processes.process_version_revise(version=current)
    data = form_data(version, **{"2-share": "50"}) | {"_publish": "1"}

    response = admin_client.post(change_url(version), data, follow=True)

    assert response.status_code == 200
    assert Process.objects.get().current_version == current
    assert version.steps.get(order=2).share == Decimal(50)
    assert any(str(processes.SHARES_NOT_100) in m for m in texts(response))
    assert str(processes.SHARES_NOT_100) in response.content.decode()


# --- Versions in use ---------------------------------------------------------------------------


def test_a_version_dossiers_used_is_read_only_and_offers_revise(
    admin_client: Client, procedure: Procedure
) -> None:
    version = processes.process_version_create(procedure=procedure, steps=processes.default_steps())
    use(version)
    before = list(version.steps.values_list("name", "share"))

    page = admin_client.get(change_url(version)).content.decode()
    response = admin_client.post(change_url(version), form_data(version, **{"2-share": "10"}))

    assert 'name="steps-0-share"' not in page
    assert f'formaction="{VERSIONS}{version.pk}/revise/"' in page
    assert response.status_code == 403
    assert list(version.steps.values_list("name", "share")) == before


def test_the_current_version_is_read_only_even_before_any_dossier(
    admin_client: Client, procedure: Procedure
) -> None:
    version = processes.process_version_create(procedure=procedure, steps=processes.default_steps())

    response = admin_client.post(change_url(version), form_data(version, **{"2-share": "10"}))

    assert response.status_code == 403
    assert version.steps.get(order=2).share == Decimal(70)


def test_revise_makes_an_editable_copy_and_opens_it(
    admin_client: Client, procedure: Procedure
) -> None:
    version = processes.process_version_create(procedure=procedure, steps=processes.default_steps())
    use(version)

    response = admin_client.post(f"{VERSIONS}{version.pk}/revise/")

    copy = ProcessVersion.objects.get(number=2)
    assert response["Location"] == change_url(copy)
    assert copy.steps.count() == 4 and copy.transitions.count() == 4
    assert Process.objects.get().current_version == version
    assert 'name="steps-0-share"' in admin_client.get(change_url(copy)).content.decode()


def test_revise_is_a_post_and_of_an_existing_version(admin_client: Client) -> None:
    assert admin_client.get(f"{VERSIONS}1/revise/").status_code == 405
    assert admin_client.post(f"{VERSIONS}999/revise/").status_code == 404


def test_staff_who_may_only_view_cannot_revise(client: Client, procedure: Procedure) -> None:
    version = processes.process_version_create(procedure=procedure, steps=processes.default_steps())
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_processversion"))
    client.force_login(viewer)

    assert client.get(change_url(version)).status_code == 200
    assert client.post(f"{VERSIONS}{version.pk}/revise/").status_code == 403
    assert ProcessVersion.objects.count() == 1


def test_revise_and_publish_actions_on_the_list(admin_client: Client, procedure: Procedure) -> None:
    version = processes.process_version_create(procedure=procedure, steps=processes.default_steps())
    admin_client.post(VERSIONS, {"action": "revise_versions", "_selected_action": [version.pk]})
    copy = ProcessVersion.objects.get(number=2)

    response = admin_client.post(
        VERSIONS, {"action": "publish_versions", "_selected_action": [copy.pk]}
    )

    assert response.status_code == 302
    assert Process.objects.get().current_version == copy


def test_the_publish_action_on_a_broken_version_shows_the_error(
    admin_client: Client, procedure: Procedure
) -> None:
    version = draft_of(procedure)
    ProcessStep.objects.filter(version=version, order=3).update(share=5)

    response = admin_client.post(
        VERSIONS, {"action": "publish_versions", "_selected_action": [version.pk]}, follow=True
    )

    assert response.status_code == 200
    assert str(processes.SHARES_NOT_100) in response.content.decode()
    assert Process.objects.get().current_version is None


# --- Dossier steps -------------------------------------------------------------------------------


def test_dossier_steps_are_listed_read_only_in_constant_queries(
    admin_client: Client, procedure: Procedure
) -> None:
    version = draft_of(procedure)
    use(version)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/admin/workflow/dossierstep/").status_code == 200
        return len(captured)

    one = queries()
    for _ in range(3):
        use(version)
    step = DossierStep.objects.first()
    assert step is not None
    page = admin_client.get(f"/admin/workflow/dossierstep/{step.pk}/change/").content.decode()

    assert queries() == one
    assert 'name="due_at"' not in page
    assert admin_client.post(f"/admin/workflow/dossierstep/{step.pk}/change/").status_code == 403
    assert admin_client.get("/admin/workflow/dossierstep/add/").status_code == 403


def test_dossier_steps_are_found_by_dossier_code(
    admin_client: Client, procedure: Procedure
) -> None:
    version = draft_of(procedure)
    use(version)
    use(version)
    code = DossierStep.objects.select_related("dossier").first().dossier.code  # type: ignore[union-attr]

    response = admin_client.get("/admin/workflow/dossierstep/", {"q": code})

    assert [s.dossier.code for s in response.context["cl"].result_list] == [code]


def test_a_draft_edited_in_the_admin_leaves_one_audit_entry_with_before_and_after(
    admin_client: Any,
) -> None:
    from motcua.audit.models import AuditEntry
    from motcua.workflow.processes import process_draft_edit, process_version_revise

    procedure = ProcedureFactory()
    current = processes.process_version_create(procedure=procedure, steps=processes.default_steps())
    draft = process_version_revise(version=current)
    specialist = draft.steps.get(order=2)
    specialist.name = "Thẩm định hồ sơ và dự thảo kết quả"

    process_draft_edit(version=draft, actor=None, note="Đổi tên bước", save=[specialist])

    entry = AuditEntry.objects.get(action="process_version.edit", object_id=str(draft.pk))
    assert entry.before is not None and entry.after is not None
    assert entry.before["steps"][1]["name"] == "Thẩm định hồ sơ"
    assert entry.after["steps"][1]["name"] == "Thẩm định hồ sơ và dự thảo kết quả"
    assert entry.after["note"] == "Đổi tên bước"


def test_a_published_version_cannot_be_edited_even_once_superseded() -> None:
    from motcua.core.errors import Conflict
    from motcua.workflow.processes import process_draft_edit, process_version_revise

    procedure = ProcedureFactory()
    first = processes.process_version_create(procedure=procedure, steps=processes.default_steps())
    second = process_version_revise(version=first)
    processes.process_version_publish(version=second)
    step = first.steps.get(order=2)
    step.name = "Khác"

    with pytest.raises(Conflict):
        process_draft_edit(version=first, actor=None, save=[step])

    assert first.steps.get(order=2).name == "Thẩm định hồ sơ"
