"""Every framework's generated test suite covers the same behaviours.

One set per framework (each with a database) is rendered, and the test functions of its
``tests/test_*.py`` files are compared with ONE list, ``SUITE``. A test only some frameworks
have is allowed only in ``FRAMEWORK_ONLY``, with the reason the others cannot have it; a new test
for one framework therefore fails here until the others have it too (or it says why not).
``test_serving.py`` is left out: its tests follow the server (a proxied server's forwarded-header
tests), not the framework, and test_render's server sets cover it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
from matrix import BY_NAME, AnswerSet

SETS = {
    "fastapi": BY_NAME["fastapi-postgresql-gunicorn-py313"],
    "flask": BY_NAME["flask-postgresql-gunicorn-py313"],
    "litestar": BY_NAME["litestar-postgresql-gunicorn-py313"],
    "django": BY_NAME["django-postgresql-gunicorn-py313"],
}

# file -> the tests every framework's suite has in it.
SUITE: dict[str, list[str]] = {
    "test_health.py": [
        "test_liveness_touches_nothing_external",
        "test_readiness_reports_each_check",
        "test_responses_carry_a_request_id",
        "test_unknown_routes_and_methods_answer_json",
        "test_openapi_schema_lists_the_routes",
        "test_readiness_answers_within_one_deadline",
        "test_readiness_fails_while_the_database_is_down",
        "test_readiness_recovers_when_the_database_comes_back",
    ],
    "test_readiness.py": [
        "test_blocking_checks_share_one_deadline",
        "test_async_checks_share_one_deadline",
        "test_ready_when_every_check_passes",
        "test_no_checks_is_ready_at_once",
    ],
    "test_items.py": [
        "test_create_then_read",
        "test_missing_item_is_404",
        "test_invalid_payload_is_422",
        "test_malformed_json_is_422",
        "test_list_paginates_in_id_order",
        "test_paging_out_of_range_is_422",
        "test_update_changes_only_given_fields",
        "test_a_null_name_is_422",
        "test_delete_removes_the_item",
        "test_ids_are_never_reused",
        "test_timestamps_carry_their_offset",
        "test_bad_input_gets_a_json_error",
    ],
    "test_sessions.py": ["test_the_connection_is_back_in_the_pool_after_the_response"],
    "test_settings.py": [
        "test_production_refuses_the_placeholder_secret",
        "test_production_accepts_a_real_secret",
        "test_environment_variables_configure_settings",
        "test_an_invalid_setting_stops_the_start_with_one_line",
    ],
}

DEPLOY_CHECK = "Django's `manage.py check --deploy` and its split settings modules"

# (file, test) -> (the frameworks that have it, why the others do not).
FRAMEWORK_ONLY: dict[tuple[str, str], tuple[set[str], str]] = {
    ("test_health.py", "test_probes_answer_any_host_other_paths_do_not"): (
        {"django"},
        "only Django validates the Host header (ALLOWED_HOSTS), which the probes must pass",
    ),
    ("test_health.py", "test_asgi_handler_serves_the_probe"): (
        {"django"},
        "one Django project serves both WSGI and ASGI; the others have one interface",
    ),
    ("test_admin.py", "test_admin_is_mounted_only_when_enabled"): ({"django"}, "the Django admin"),
    ("test_deploy.py", "test_production_settings_pass_check_deploy"): ({"django"}, DEPLOY_CHECK),
    ("test_deploy.py", "test_production_refuses_the_placeholder_secret"): (
        {"django"},
        DEPLOY_CHECK,
    ),
    ("test_deploy.py", "test_production_settings_need_the_production_environment"): (
        {"django"},
        DEPLOY_CHECK,
    ),
    ("test_resources.py", "test_outbound_tls_reads_the_os_store_lazily"): (
        {"fastapi", "litestar"},
        "resources.py opens the ASGI lifespan's pools; Flask and Django have no lifespan",
    ),
    ("test_resources.py", "test_outbound_tls_falls_back_to_the_ca_bundle"): (
        {"fastapi", "litestar"},
        "resources.py opens the ASGI lifespan's pools; Flask and Django have no lifespan",
    ),
}

LEFT_OUT = {"test_serving.py"}


def suite_of(project: Path) -> set[tuple[str, str]]:
    """(file, test) for every test function of the project's tests/test_*.py files."""
    found: set[tuple[str, str]] = set()
    for path in sorted((project / "tests").glob("test_*.py")):
        if path.name in LEFT_OUT:
            continue
        for node in ast.parse(path.read_text()).body:
            is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            if is_function and node.name.startswith("test_"):
                found.add((path.name, node.name))
    return found


def expected_suite(framework: str) -> set[tuple[str, str]]:
    shared = {(file, test) for file, tests in SUITE.items() for test in tests}
    own = {key for key, (owners, _) in FRAMEWORK_ONLY.items() if framework in owners}
    return shared | own


@pytest.mark.parametrize("framework", sorted(SETS))
def test_every_framework_tests_the_same_behaviours(
    rendered: Callable[[AnswerSet], Path], framework: str
) -> None:
    found = suite_of(rendered(SETS[framework]))
    expected = expected_suite(framework)
    missing = sorted(expected - found)
    extra = sorted(found - expected)
    assert not missing, f"{framework} lacks tests every framework has: {missing}"
    assert not extra, (
        f"{framework} has tests the others lack: {extra}; add them to every framework's suite "
        "(SUITE) or, with the reason, to FRAMEWORK_ONLY"
    )


def test_each_framework_only_test_says_why() -> None:
    for key, (owners, reason) in FRAMEWORK_ONLY.items():
        assert owners <= set(SETS), key
        assert owners != set(SETS), f"every framework has {key}: move it to SUITE"
        assert len(reason) > 15, key
        assert key[1] not in SUITE.get(key[0], []), f"{key} is in SUITE too"
