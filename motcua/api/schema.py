"""OpenAPI post-processing: every operation documents the one error shape it may return."""

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
    "404": "Not found",
    "409": "Conflict with the current state",
    "413": "Too many or too large files",
}


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Add the ``Error`` schema and 400/404 (409/413 for writes) responses where missing."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            codes = ["400", "404"] + (["409", "413"] if method in {"post", "put", "patch"} else [])
            responses = operation.setdefault("responses", {})
            for code in codes:
                response = responses.setdefault(code, {"description": _DESCRIPTIONS[code]})
                response.setdefault("content", {"application/json": {"schema": ref}})
    return result
