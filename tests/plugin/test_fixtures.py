"""The pytest plugin's fixtures, options and contract report, run through pytester."""

from __future__ import annotations

import pytest

EXAMPLE = """
import pytest

ORDER = {
    "data": {
        "type": "goods_outs",
        "attributes": {
            "goods_out_type": "sales_order",
            "account_id": 1,
            "warehouse_id": 1,
            "reference": "SO-PLUGIN",
            "expected_date_of_dispatch": "2026-12-01T10:00:00Z",
            "lines_changes": [{"type": "ADD", "attributes": {"product_id": 1, "order_quantity": 1}}],
        },
        "relationships": {"address": {"data": {"type": "addresses", "attributes": {
            "name": "Jane Doe", "address_1": "1 High Street", "postcode": "LS1 1AA", "country_code": "GB"}}}},
    }
}


def test_each_test_gets_its_own_tenant(clarus_tenant, clarus_client):
    assert clarus_tenant.subdomain.startswith("t-")
    r = clarus_client.post("/api/goods_outs", json=ORDER)
    assert r.status_code == 201


def test_the_previous_order_is_not_here(clarus_tenant):
    found = clarus_tenant.query('{ goods_outs { all(filter: {reference: {eq: "SO-PLUGIN"}}) { edges { node { id } } } } }')
    assert found["goods_outs"]["all"]["edges"] == []


def test_the_clock_is_manual(clarus_clock):
    before = clarus_clock.now()
    clarus_clock.advance("2h")
    assert clarus_clock.now() > before


def test_webhooks_arrive(clarus_client, clarus_webhooks):
    automation = {"data": {"type": "automations", "attributes": {
        "resource_name": "goods_out", "event": "created", "enabled": True, "conditions_changes": [],
        "actions_changes": [{"type": "ADD", "attributes": {
            "destination_type": "webhook", "destination_code": "default",
            "parameters_changes": [{"type": "ADD", "attributes": {"parameter_code": "url", "value": clarus_webhooks.url}}]}}]}}}
    assert clarus_client.post("/api/automations", json=automation).status_code == 201
    order_id = clarus_client.post("/api/goods_outs", json=ORDER).json()["data"]["id"]
    call = clarus_webhooks.wait_for("created", record_id=order_id)
    assert call.json()["data"]["reference"] == "SO-PLUGIN"
    assert clarus_webhooks.call_count == 1


def test_the_client_renews_a_token_the_tenants_clock_expired(clarus_client, clarus_clock):
    assert clarus_client.post("/api/goods_outs", json=ORDER).status_code == 201
    clarus_clock.advance("3h")  # tokens last two hours of the tenant's time
    assert clarus_client.post("/api/goods_outs", json=ORDER).status_code == 201


def test_the_journal_lists_the_requests(clarus_client, clarus_journal):
    clarus_client.post("/api/goods_outs", json=ORDER)
    [entry] = [e for e in clarus_journal() if e["path"] == "/api/goods_outs"]
    assert entry["status"] == 201
    assert entry["violations"] == []
"""

BROKEN = """
def test_code_that_swallows_a_422(clarus_client):
    r = clarus_client.post("/api/products", json={"data": {"type": "products", "attributes": {"code": "X"}}})
    assert r.status_code == 422  # the code under test "handles" it


def test_a_warning_passes_unless_strict(clarus_client):
    body = {"data": {"type": "products", "attributes": {"code": "W-1", "description": "d", "stock_unit_type_id": "1"}}}
    assert clarus_client.post("/api/products", json=body).status_code == 201
"""


def test_fixtures_give_each_test_a_fresh_tenant(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(EXAMPLE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_a_contract_break_fails_the_test_with_pointer_rule_and_hint(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(BROKEN)
    junit = pytester.path / "contract.xml"
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--clarus-junit={junit}")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*the code under test sent payloads that break the Clarus contract*",
            "*POST /api/products -> 422 (products.create)*",
            "*/data/attributes/description*required*",
            "*clarus-mock contract report*",
            "*test_a_warning_passes_unless_strict: POST /api/products*",
            "*warning*id_as_string*",
        ]
    )
    text = junit.read_text()
    assert "<failure" in text
    assert "test_code_that_swallows_a_422 POST /api/products" in text


def test_strict_makes_warnings_fail(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(BROKEN)
    junit = pytester.path / "contract.xml"
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--clarus-strict", f"--clarus-junit={junit}"
    )
    result.assert_outcomes(failed=2)
    # The report says what the strict test saw: the warning was an error there.
    result.stdout.fnmatch_lines(["*test_a_warning_passes_unless_strict: POST /api/products*"])
    result.stdout.fnmatch_lines(["*error*id_as_string*"])
    result.stdout.no_fnmatch_line("*warning*id_as_string*")
    assert junit.read_text().count("<failure") == 2


def test_the_marker_switches_the_check_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\n"
        "@pytest.mark.clarus(contract=False)\n" + BROKEN.split("\n\n\ndef test_a_warning")[0]
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    # Bad payloads sent on purpose are not the report's business either.
    result.stdout.no_fnmatch_line("*clarus-mock contract report*")


def test_a_misspelt_marker_argument_is_an_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\n"
        "@pytest.mark.clarus(colck='instant')\n"
        "def test_x(clarus_tenant):\n"
        "    pass\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*takes pack, clock, strict, source, contract by name*"])
    result.stdout.fnmatch_lines(["*'colck' (did you mean 'clock'?)*"])


def test_against_a_running_server(pytester: pytest.Pytester) -> None:
    from mock_server.testing import local_server

    pytester.makepyfile(EXAMPLE.split("\n\n\ndef test_the_clock_is_manual")[0])
    with local_server() as server:
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", f"--clarus-url={server.url}"
        )
    result.assert_outcomes(passed=2)
