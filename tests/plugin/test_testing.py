"""`mock_server.testing`, the helpers the plugin's fixtures are made of, used without pytest."""

from __future__ import annotations

# Imported at collection, not in the test: pytester (test_fixtures.py) drops from sys.modules what
# its tests imported first, and an app imported again after that could not read its pack (PyYAML).
import mock_server.app  # noqa: F401
from mock_server.testing import in_process


def test_in_process_serves_a_tenant_without_a_socket() -> None:
    with in_process() as server:
        tenant = server.new_tenant()
        # The tenant's client goes through the server's TestClient, on the loop of its lifespan.
        with tenant.client() as client:
            r = client.post("/api/goods_outs/999/cancel")
        assert r.status_code == 404, r.text
        assert server.url == "http://testserver"
        assert [entry["status"] for entry in tenant.journal()] == [404]
