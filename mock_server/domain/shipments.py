"""Shipments: created pending, submitted to the carrier (a tracking number), cancelled if submitted."""

from __future__ import annotations

import secrets
from typing import Any

from mock_server.domain import records
from mock_server.domain.references import check_references
from mock_server.errors import unprocessable
from mock_server.rest.context import Ctx
from mock_server.store import Record

SHIPMENTS = "shipments"


def _check_service(ctx: Ctx, attributes: dict[str, Any]) -> None:
    carrier_id, service_id = attributes.get("carrier_id"), attributes.get("carrier_service_id")
    if carrier_id is None or service_id is None:
        return
    service = ctx.store.get(ctx.tenant, "carrier_services", service_id)
    if service is not None and service.attributes.get("carrier_id") != carrier_id:
        raise unprocessable(
            "/data/attributes/carrier_service_id",
            "unsuitable_reference",
            f"carrier service {service_id} belongs to carrier "
            f"{service.attributes.get('carrier_id')}, not {carrier_id}",
        )


def _require_status(shipment: Record, allowed: tuple[str, ...], doing: str) -> None:
    status = shipment.attributes.get("status")
    if status not in allowed:
        raise unprocessable(
            "",
            "invalid_state",
            f"shipment {shipment.id} is {status}; only {' or '.join(allowed)} shipments can be "
            f"{doing}",
        )


def create_shipment(ctx: Ctx) -> Record:
    """POST /api/shipments: a pending shipment of an existing goods out."""
    attributes = records.plain(ctx.attributes)
    check_references(ctx.store, ctx.tenant, attributes, records.ATTRIBUTES)
    _check_service(ctx, attributes)
    attributes["status"] = "pending"
    return ctx.store.create(ctx.tenant, SHIPMENTS, attributes, ctx.relationships)


def update_shipment(ctx: Ctx) -> Record:
    """PATCH /api/shipments/{id}: refused once the shipment is cancelled or dispatched."""
    shipment = records.load(ctx, SHIPMENTS)
    _require_status(shipment, ("pending", "submitted"), "updated")
    check_references(ctx.store, ctx.tenant, ctx.attributes, records.ATTRIBUTES)
    _check_service(ctx, {**shipment.attributes, **ctx.attributes})
    return records.update(ctx)


def _check_packages(shipment: Record) -> None:
    for index, package in enumerate(shipment.attributes.get("packages") or []):
        missing = [
            k for k in ("weight", "length", "width", "height") if not (package.get(k) or 0) > 0
        ]
        if missing:
            raise unprocessable(
                "",
                "invalid_state",
                f"package {index} of shipment {shipment.id} has no positive {', '.join(missing)}",
                hint=f"PATCH /api/shipments/{shipment.id} with complete packages first",
            )


def submit_shipment(ctx: Ctx) -> Record:
    """POST /api/shipments/{id}/submit: needs a carrier and whole packages; sets a tracking number."""
    shipment = records.load(ctx, SHIPMENTS)
    _require_status(shipment, ("pending",), "submitted")
    carrier_id = shipment.attributes.get("carrier_id")
    if carrier_id is None:
        raise unprocessable(
            "",
            "invalid_state",
            f"shipment {shipment.id} has no carrier_id; a carrier must create its label",
            hint=f"PATCH /api/shipments/{shipment.id} with a carrier_id first",
        )
    _check_packages(shipment)
    carrier = ctx.store.get(ctx.tenant, "carriers", carrier_id)
    prefix = str(carrier.attributes.get("code", "TRK")) if carrier else "TRK"
    if not shipment.attributes.get("tracking_number"):
        shipment.attributes["tracking_number"] = f"{prefix}{secrets.randbelow(10**10):010d}"
    shipment.attributes["status"] = "submitted"
    return ctx.store.save(ctx.tenant, shipment)


def cancel_shipment(ctx: Ctx) -> Record:
    """POST /api/shipments/{id}/cancel: only a submitted shipment; it becomes cancelled."""
    shipment = records.load(ctx, SHIPMENTS)
    _require_status(shipment, ("submitted",), "cancelled")
    shipment.attributes["status"] = "cancelled"
    return ctx.store.save(ctx.tenant, shipment)


HANDLERS = {
    "shipments.create": create_shipment,
    "shipments.update": update_shipment,
    "shipments.submit": submit_shipment,
    "shipments.cancel": cancel_shipment,
}
