"""OpenAPI post-processing: what the views cannot say through their serializers.

- every operation documents the one error shape for the statuses it may answer
  (400 and 404 everywhere, 413 and 415 with a body, 401 and 403 with the token, 409 and
  429 where a view declares them);
- an optional query parameter sent empty counts as absent (``allowEmptyValue``),
  as the views read it;
- multipart bodies take fields named after data (``component-<id>`` files,
  ``eform-<name>``, ``fee_proof-<code>``, ``fee_qty-<name>``), which a fixed
  list of properties cannot name: they are documented as additional properties.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "example": "invalid"},
                "message": {"type": "string", "description": "In the request's language"},
                "fields": {
                    "type": "object",
                    "description": "Messages per input name",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}
_DESCRIPTIONS = {
    "400": "Invalid input: a message per field",
    "401": "No token, or an invalid one",
    "403": "No staff role, or no role that may do this here",
    "404": "Not found",
    "413": "Too many or too large files, or too large a body",
    "415": "A body in a media type the operation does not take (or none said)",
}
# Names of multipart fields a client makes from data it read first (the procedure's
# components, e-form, exemptions and fee counts).
DYNAMIC_FIELDS = (
    "Besides the fields listed: `component-<id>` files (repeat for several; PDF, JPEG or "
    "PNG), where `<id>` is a `components[].id` of `GET /api/v1/procedures/{code}`; "
    "`eform-<name>` for each field of the procedure's `eform`; `fee_proof-<code>` for each "
    "exemption claimed; `fee_qty-<name>` for counts the fees depend on."
)
_DYNAMIC_BODIES = {"dossier_submit", "staff_counter_intake"}


def _error_responses(operation: dict[str, Any], method: str) -> None:
    codes = ["400", "404"]
    if "requestBody" in operation:
        codes += ["413", "415"]
    if any("tokenAuth" in requirement for requirement in operation.get("security", [])):
        codes += ["401", "403"]
    ref = {"$ref": "#/components/schemas/Error"}
    responses = operation.setdefault("responses", {})
    for code in codes:
        responses.setdefault(code, {"description": _DESCRIPTIONS[code]})
    for code, response in responses.items():
        if code[0] in "45":
            response.setdefault("content", {"application/json": {"schema": ref}})


def _empty_means_absent(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and not parameter.get("required"):
            parameter["allowEmptyValue"] = True


def _dynamic_fields(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    if operation.get("operationId") not in _DYNAMIC_BODIES:
        return
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        name = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
        if name in schemas:
            schemas[name]["additionalProperties"] = {
                "type": "string",
                "description": DYNAMIC_FIELDS,
            }
            schemas[name]["description"] = DYNAMIC_FIELDS


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Add the ``Error`` schema, the error responses, empty queries and dynamic fields."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            _error_responses(operation, method)
            _empty_means_absent(operation)
            _dynamic_fields(operation, schemas)
    return result
