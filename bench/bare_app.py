"""The baseline for bench/server.py: a Starlette handler that only parses the JSON body."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def create(request: Request) -> Response:
    json.loads(await request.body())
    return Response('{"data": {"id": 1}}', 201, media_type="application/json")


app = Starlette(routes=[Route("/api/goods_outs", create, methods=["POST"])])
