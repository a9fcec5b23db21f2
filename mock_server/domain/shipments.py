"""Shipments: created pending, submitted to the carrier (a tracking number), cancelled if submitted."""

from __future__ import annotations

import secrets
from typing import Any

from mock_server.domain import records
from mock_server.domain.env import Env
from mock_server.domain.errors import Unprocessable
from mock_server.domain.facts import status_codes
from mock_server.domain.references import check_references
from mock_server.domain.transitions import create as create_in_status
from mock_server.domain.transitions import transition
from mock_server.store import Record

SHIPMENTS = "shipments"
PENDING, SUBMITTED, CANCELLED = status_codes(
    SHIPMENTS, "status", "pending", "submitted", "cancelled"
)


def _check_service(env: Env, attributes: dict[str, Any]) -> None:
    carrier_id, service_id = attributes.get("carrier_id"), attributes.get("carrier_service_id")
    if carrier_id is None or service_id is None:
        return
    service = env.store.get(env.tenant, "carrier_services", service_id)
    if service is not None and service.attributes.get("carrier_id") != carrier_id:
        raise Unprocessable(
            "/data/attributes/carrier_service_id",
            "unsuitable_reference",
            f"carrier service {service_id} belongs to carrier "
            f"{service.attributes.get('carrier_id')}, not {carrier_id}",
        )


def _require_status(shipment: Record, allowed: tuple[str, ...], doing: str) -> None:
    status = shipment.attributes.get("status")
    if status not in allowed:
        raise Unprocessable(
            "",
            "invalid_state",
            f"shipment {shipment.id} is {status}; only {' or '.join(allowed)} shipments can be "
            f"{doing}",
        )


def create(
    env: Env, attributes: dict[str, Any], relationships: dict[str, Any] | None = None
) -> Record:
    """A pending shipment of an existing goods out.

    https://documentation.claruswms.com/api-reference/shipments/create-a-shipment. Raises
    Unprocessable for an unknown reference or a carrier service of another carrier.
    """
    attributes = records.plain(attributes)
    check_references(env.store, env.tenant, attributes, records.ATTRIBUTES)
    _check_service(env, attributes)
    attributes["status"] = PENDING
    return create_in_status(env, SHIPMENTS, attributes, relationships or {})


def update(
    env: Env,
    shipment_id: int,
    attributes: dict[str, Any],
    relationships: dict[str, Any] | None = None,
) -> Record:
    """Change a pending or submitted shipment.

    https://documentation.claruswms.com/api-reference/shipments/update-a-shipment. Raises NotFound,
    or Unprocessable (cancelled or dispatched, references, carrier service).
    """
    shipment = records.load(env, SHIPMENTS, shipment_id)
    _require_status(shipment, (PENDING, SUBMITTED), "updated")
    check_references(env.store, env.tenant, attributes, records.ATTRIBUTES)
    _check_service(env, {**shipment.attributes, **attributes})
    return records.update(env, SHIPMENTS, shipment_id, attributes, relationships)


def _check_packages(shipment: Record) -> None:
    for index, package in enumerate(shipment.attributes.get("packages") or []):
        missing = [
            k for k in ("weight", "length", "width", "height") if not (package.get(k) or 0) > 0
        ]
        if missing:
            raise Unprocessable(
                "",
                "invalid_state",
                f"package {index} of shipment {shipment.id} has no positive {', '.join(missing)}",
                hint=f"PATCH /api/shipments/{shipment.id} with complete packages first",
            )


def submit(env: Env, shipment_id: int) -> Record:
    """Submit a pending shipment to its carrier: it needs a carrier and whole packages.

    https://documentation.claruswms.com/api-reference/shipments/submit-a-shipment-to-carrier. Sets a
    tracking number (the carrier code and ten digits) unless it has one. Raises NotFound, or
    Unprocessable (``invalid_state``).
    """
    shipment = records.load(env, SHIPMENTS, shipment_id)
    _require_status(shipment, (PENDING,), "submitted")
    carrier_id = shipment.attributes.get("carrier_id")
    if carrier_id is None:
        raise Unprocessable(
            "",
            "invalid_state",
            f"shipment {shipment.id} has no carrier_id; a carrier must create its label",
            hint=f"PATCH /api/shipments/{shipment.id} with a carrier_id first",
        )
    _check_packages(shipment)
    carrier = env.store.get(env.tenant, "carriers", carrier_id)
    prefix = str(carrier.attributes.get("code", "TRK")) if carrier else "TRK"
    if not shipment.attributes.get("tracking_number"):
        shipment.attributes["tracking_number"] = f"{prefix}{secrets.randbelow(10**10):010d}"
    return transition(env, shipment, SUBMITTED)


def cancel(env: Env, shipment_id: int) -> Record:
    """Cancel a submitted shipment (the page: only submitted shipments can be cancelled).

    https://documentation.claruswms.com/api-reference/shipments/cancel-a-shipment. Raises NotFound,
    or Unprocessable (``invalid_state``).
    """
    shipment = records.load(env, SHIPMENTS, shipment_id)
    _require_status(shipment, (SUBMITTED,), "cancelled")
    return transition(env, shipment, CANCELLED)
