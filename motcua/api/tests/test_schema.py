import pytest
from django.test import Client


@pytest.mark.django_db
def test_every_operation_documents_the_error_shape(client: Client) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "Error" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], (method, path)
            assert "404" in operation["responses"], (method, path)


@pytest.mark.django_db
def test_the_docs_page_is_served(client: Client) -> None:
    assert client.get("/api/v1/docs/").status_code == 200
