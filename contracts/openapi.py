"""The OpenAPI 3.1 document, generated from the operation table and its schemas."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from contracts.registry import Operation, operations, resolve

try:
    __version__ = version("clarus-mock")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

_PATH_PARAM = re.compile(r"\{([^}]+)\}")
_ERROR_STATUSES = {
    "400": "Malformed JSON, or X-Clarus-Subdomain missing",
    "401": "Token missing, invalid or expired",
    "403": "Token not valid for this subdomain",
    "404": "Unknown id or route",
    "409": "data.id is not the id of the record in the path (JSON:API); nothing changed",
    "413": "Body over 1 MiB",
    "415": "Body is not JSON",
    "422": "Contract or business-rule violation",
}
_INTRO = (
    "A local twin of the Clarus WMS REST API (clarus-mock). Every route under `/api` is also served "
    "under `/api/v1` (the vendor's curl examples use both). `x-clarus-source` marks what the vendor "
    "documents (`documented`), what the mock infers (`inferred`) and where vendor pages contradict "
    "each other (`contradictory`)."
)


def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document for every operation in the contract kit."""
    components: dict[str, Any] = {
        "schemas": {"Error": resolve("errors.json", "#/$defs/error_body")},
        "securitySchemes": {
            "BearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "OAuth 2.0 access token from POST /oauth/token.",
            }
        },
        "parameters": {
            "ClarusSubdomain": {
                "name": "X-Clarus-Subdomain",
                "in": "header",
                "required": True,
                "description": "The tenant's subdomain; the token must belong to it.",
                "schema": {"type": "string", "minLength": 1},
            }
        },
        "responses": {
            status: {
                "description": text,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
            for status, text in _ERROR_STATUSES.items()
        },
    }
    components["responses"]["401"]["headers"] = {
        "WWW-Authenticate": {
            "schema": {"type": "string"},
            "description": 'Bearer error="invalid_token"',
        }
    }
    paths: dict[str, Any] = {}
    for op in operations().values():
        paths.setdefault(op.prefix + op.path, {})[op.method.lower()] = _operation(op, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Clarus WMS API (clarus-mock)",
            "version": __version__,
            "description": _INTRO,
        },
        "servers": [{"url": "http://127.0.0.1:8765", "description": "clarus-mock serve"}],
        "paths": paths,
        "components": components,
    }


def _operation(op: Operation, components: dict[str, Any]) -> dict[str, Any]:
    vendor = op.prefix == "/api"
    spec: dict[str, Any] = {
        "operationId": op.name,
        "summary": op.summary,
        "description": _description(op),
        "tags": [op.resource],
        "x-clarus-source": op.provenance,
        "parameters": _parameters(op, vendor),
        "responses": _responses(op, components, vendor),
    }
    if not vendor:
        spec["security"] = []
    else:
        spec["security"] = [{"BearerAuth": []}]
    if op.request_schema is not None:
        name = f"{op.name}.request"
        components["schemas"][name] = op.request_schema
        ref = {"$ref": f"#/components/schemas/{name}"}
        spec["requestBody"] = {
            "required": True,
            "content": {media: {"schema": ref} for media in op.media_types},
        }
    return spec


def _description(op: Operation) -> str:
    parts = []
    if op.source:
        parts.append(f"Vendor page: https://documentation.claruswms.com/api-reference/{op.source}")
    if op.note:
        parts.append(f"{op.provenance.capitalize()}: {op.note}")
    if op.prefix == "/api":
        parts.append(f"Also served at /api/v1{op.path}.")
    return "\n\n".join(parts)


def _parameters(op: Operation, vendor: bool) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
        for name in _PATH_PARAM.findall(op.path)
    ]
    params += [{"name": name, "in": "query", **spec} for name, spec in op.query.items()]
    if vendor:
        params.append({"$ref": "#/components/parameters/ClarusSubdomain"})
    return params


def _responses(op: Operation, components: dict[str, Any], vendor: bool) -> dict[str, Any]:
    status = str(op.response_status)
    if op.response_schema is None:
        ok: dict[str, Any] = {"description": "Success, no content"}
    else:
        name = f"{op.name}.response"
        components["schemas"][name] = op.response_schema
        ok = {
            "description": "Success",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
        }
    responses = {status: ok}
    errors = ["400", "401", "403", "404", "422"] if vendor else ["400", "401"]
    if op.request_schema is not None:
        errors += ["413", "415"]
    if op.envelope == "jsonapi" and "{id}" in op.path:
        errors.append("409")
    for code in sorted(errors):
        responses[code] = {"$ref": f"#/components/responses/{code}"}
    return responses
