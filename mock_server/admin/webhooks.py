"""/__mock/webhooks and /__mock/outbox: the delivery log, redelivery, chaos switches, emails."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mock_server.admin.control import json_body, limit_of, tenant_of
from mock_server.clock import iso
from mock_server.errors import ApiError, json_response
from mock_server.store import Delivery
from mock_server.webhooks.chaos import ChaosError
from mock_server.webhooks.payload import present

if TYPE_CHECKING:
    from mock_server.app import MockState


def shown(delivery: Delivery) -> dict[str, Any]:
    """A delivery as the log shows it: ``{id, automation_id, event, resource, record_id, url,
    state, attempts: [{at, status_code, latency_ms, error}], due}``; emails show ``to`` for url."""
    found: dict[str, Any] = {
        "id": delivery.id,
        "tenant": delivery.tenant,
        "automation_id": delivery.automation_id,
        "event": delivery.event,
        "resource": delivery.resource,
        "record_id": delivery.record_id,
    }
    if delivery.channel == "email":
        found.update(
            to=delivery.target,
            state=delivery.state,
            body=present(delivery.resource, delivery.body),
        )
        return found
    found.update(
        url=delivery.target,
        state=delivery.state,
        attempts=[
            {k: v for k, v in attempt.items() if k != "round" or v} for attempt in delivery.attempts
        ],
        due=None if delivery.due is None else iso(delivery.due),
    )
    return found


async def deliveries(request: Request) -> Response:
    """GET /__mock/webhooks/deliveries?limit=&tenant=&state=: newest first."""
    app = request.app.state.mock
    state = request.query_params.get("state")
    if state not in (None, "pending", "delivered", "failed"):
        raise ApiError(400, "state is pending, delivered or failed")
    found = app.store.deliveries(tenant_of(request, {}), "webhook", limit_of(request, 100), state)
    return json_response({"data": [shown(d) for d in found]})


async def delivery(request: Request) -> Response:
    """GET /__mock/webhooks/deliveries/{id}: one delivery with its body."""
    found = _delivery(request)
    return json_response({"data": {**shown(found), "body": present(found.resource, found.body)}})


async def redeliver(request: Request) -> Response:
    """POST /__mock/webhooks/deliveries/{id}/redeliver: send again now, with a fresh schedule."""
    app = request.app.state.mock
    found = _delivery(request)
    if app.worker.attempting(found.id):
        raise ApiError(
            409,
            f"delivery {found.id} has an attempt in flight; redeliver it once that attempt has "
            f"ended (GET /__mock/webhooks/deliveries/{found.id} shows it)",
        )
    if found.state == "pending" and (
        found.due is None or found.due <= app.clocks.now(found.tenant)
    ):
        raise ApiError(
            409,
            f"delivery {found.id} is due already and waits for its attempt; there is nothing to "
            "redeliver yet",
        )
    latest = max((a.get("round", 0) for a in found.attempts), default=0)
    found.attempts.append(
        {"at": app.clocks.of(found.tenant).iso(), "redelivery": True, "round": latest + 1}
    )
    found.state, found.due = "pending", app.clocks.now(found.tenant)
    app.store.save_deliveries([found])
    app.worker.wake()
    return json_response({"data": shown(found)}, 202)


def _delivery(request: Request) -> Delivery:
    # Starlette's State answers Any; create_app puts a MockState there.
    app: MockState = request.app.state.mock
    found = app.store.delivery(request.path_params["id"])
    if found is None or found.channel != "webhook":
        raise ApiError(404, f"no webhook delivery {request.path_params['id']}")
    return found


async def chaos(request: Request) -> Response:
    """GET /__mock/webhooks/chaos; POST it with the switches to change (the rest stay)."""
    app = request.app.state.mock
    if request.method == "POST":
        try:
            app.worker.chaos.update(await json_body(request))
        except ChaosError as exc:
            raise ApiError(422, str(exc)) from None
        app.worker.replan()  # delays planned under the old switches do not hold on
    return json_response({"data": app.worker.chaos.to_dict()})


async def outbox(request: Request) -> Response:
    """GET /__mock/outbox?limit=&tenant=: emails the automations would have sent, newest first."""
    app = request.app.state.mock
    found = app.store.deliveries(tenant_of(request, {}), "email", limit_of(request, 100))
    return json_response({"data": [shown(d) for d in found]})


ROUTES = [
    Route("/webhooks/deliveries", deliveries, methods=["GET"]),
    Route("/webhooks/deliveries/{id:int}", delivery, methods=["GET"]),
    Route("/webhooks/deliveries/{id:int}/redeliver", redeliver, methods=["POST"]),
    Route("/webhooks/chaos", chaos, methods=["GET", "POST"]),
    Route("/outbox", outbox, methods=["GET"]),
]
