"""The OpenAPI schema says what the API accepts and answers."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from motcua.testing import ProcedureFactory


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    body: dict[str, Any] = response.json()
    return body


def _operation(schema: dict[str, Any], operation_id: str) -> dict[str, Any]:
    for operations in schema["paths"].values():
        for operation in operations.values():
            if operation["operationId"] == operation_id:
                found: dict[str, Any] = operation
                return found
    raise AssertionError(operation_id)


def test_the_schema_is_valid_and_the_generator_has_no_warning() -> None:
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO())


@pytest.mark.django_db
def test_every_operation_documents_the_error_shape(schema: dict[str, Any]) -> None:
    assert "Error" in schema["components"]["schemas"]
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"400", "404"} <= set(responses), (method, path)
            if "requestBody" in operation:
                assert {"413", "415"} <= set(responses), path
            if operation.get("security") == [{"tokenAuth": []}]:
                assert {"401", "403"} <= set(responses), path
            for code, response in responses.items():
                if code[0] in "45":
                    assert response["content"]["application/json"]["schema"] == ref, (path, code)


# The statistics anyone may read (counts only), beside the staff's statistics.
OPEN_DATA = {"/api/v1/statistics/figures", "/api/v1/statistics/agencies"}


@pytest.mark.django_db
def test_staff_operations_need_the_token_and_public_ones_do_not(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            # Staff-only (the token): the staff API and the statistics (but their open data),
            # indicators and reports.
            staff = (
                path.startswith(
                    (
                        "/api/v1/staff/",
                        "/api/v1/statistics/",
                        "/api/v1/indicators/",
                        "/api/v1/reports/",
                    )
                )
                and path not in OPEN_DATA
            )
            security = operation.get("security") or [{}]
            assert (security == [{"tokenAuth": []}]) is staff, path
            assert all("tokenAuth" not in way for way in security) or staff, path
            if path.startswith("/api/v1/applicant/"):  # the applicant's own identity only
                assert security == [{"nationalIdentity": []}], path


@pytest.mark.django_db
def test_file_endpoints_say_multipart_and_their_file_fields(schema: dict[str, Any]) -> None:
    schemas = schema["components"]["schemas"]
    for operation_id in ("dossier_submit", "staff_counter_intake", "staff_dossier_record_result"):
        content = _operation(schema, operation_id)["requestBody"]["content"]
        assert list(content) == ["multipart/form-data"], operation_id
        body = schemas[content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]]
        assert body["required"], operation_id
        if operation_id == "staff_dossier_record_result":
            assert body["properties"]["file"] == {
                "type": "string",
                "format": "binary",
                "description": "The signed result: PDF, JPEG, PNG",
            }
        else:  # files named after the procedure's components
            assert "`component-<id>`" in body["additionalProperties"]["description"]
    assert set(schemas["Submission"]["required"]) >= {"procedure", "applicant_name", "delivery"}


@pytest.mark.django_db
def test_file_downloads_say_their_content_types(schema: dict[str, Any]) -> None:
    for operation_id in ("staff_dossier_file", "staff_dossier_result_file"):
        ok = _operation(schema, operation_id)["responses"]["200"]["content"]
        assert set(ok) == {"application/pdf", "image/jpeg", "image/png"}
    form = _operation(schema, "staff_dossier_form")["responses"]["200"]["content"]
    assert set(form) == {"application/pdf"}


@pytest.mark.django_db
def test_statuses_as_they_occur(schema: dict[str, Any]) -> None:
    assert {"200", "201", "409"} <= set(_operation(schema, "dossier_submit")["responses"])
    assert "429" in _operation(schema, "auth_token_obtain")["responses"]
    assert "409" in _operation(schema, "staff_dossier_accept")["responses"]
    assert "409" not in _operation(schema, "procedure_fees_quote")["responses"]


@pytest.mark.django_db
def test_an_empty_optional_query_parameter_is_documented_as_absent(schema: dict[str, Any]) -> None:
    for operation_id in ("procedures_search", "staff_inbox"):
        for parameter in _operation(schema, operation_id)["parameters"]:
            if parameter["in"] == "query":
                assert parameter["allowEmptyValue"] is True


@pytest.mark.django_db
def test_the_component_ids_a_submission_needs_are_in_the_procedure(
    client: Client, schema: dict[str, Any]
) -> None:
    component = schema["components"]["schemas"]["Component"]
    assert "id" in component["required"]
    procedure = ProcedureFactory()  # with a version of two components
    assert procedure.current_version is not None
    ids = set(procedure.current_version.components.values_list("id", flat=True))
    body = client.get(f"/api/v1/procedures/{procedure.code}").json()
    assert {c["id"] for c in body["components"]} == ids
    assert len(ids) == 2


@pytest.mark.django_db
def test_the_docs_page_is_served(client: Client) -> None:
    assert client.get("/api/v1/docs/").status_code == 200
