"""Every body the fake GitHub sends validates against GitHub's OpenAPI schemas."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from conftest import SPEC_PATH, needs_shared

from aiogh_packages.testing import FakeGitHub, TokenInfo, sample_store

pytestmark = needs_shared

TOKENS = {"ghp_full": TokenInfo("octocat"), "ghp_ro": TokenInfo("octocat", ("read:packages",))}
# One package per owner scope: (prefix, spec prefix, package type, name, version to delete).
SCOPES = [
    ("/orgs/octo-org", "/orgs/{org}", "npm", "hello-world-npm", 245301),
    ("/users/octocat", "/users/{username}", "rubygems", "octo-name", 3497268),
    ("/user", "/user", "container", "hello_docker", 881),
]
_TYPES = {"string": str, "integer": int, "boolean": bool, "object": dict, "array": list}
_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def _spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text())


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        found: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            found = found[part]
        node = found
    return node


def problems(spec: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> list[str]:
    """What in ``value`` breaks ``schema`` (the OpenAPI 3.0 subset the spec uses)."""
    schema = _resolve(spec, schema)
    if value is None:
        return [] if schema.get("nullable") else [f"{where}: null but not nullable"]
    kind = schema.get("type")
    if kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind is not None:
        ok = isinstance(value, _TYPES[kind]) and not (kind == "integer" and value is True)
    else:
        ok = True
    if not ok:
        return [f"{where}: {value!r} is not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    if schema.get("format") == "date-time" and not _DATE_TIME.match(value):
        return [f"{where}: {value!r} is not a date-time"]
    found: list[str] = []
    if isinstance(value, dict):
        found += [
            f"{where}: missing {key}" for key in schema.get("required", ()) if key not in value
        ]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                found += problems(spec, sub, value[key], f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += problems(spec, schema["items"], item, f"{where}[{index}]")
    return found


def response_schema(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    """The schema the spec gives for ``status``; basic-error for undocumented error statuses."""
    responses = spec["paths"][path][method.lower()]["responses"]
    answer = _resolve(spec, responses.get(str(status), {}))
    content = answer.get("content", {}).get("application/json")
    if content is None:
        return {"$ref": "#/components/schemas/basic-error"}
    return dict(content["schema"])


def calls(prefix: str, spec_prefix: str, kind: str, name: str, version: int) -> list[Any]:
    """(method, spec path, real path, token) for every operation of one owner scope."""
    pkg, spec_pkg = (
        f"{prefix}/packages/{kind}/{name}",
        f"{spec_prefix}/packages/{{package_type}}/{{package_name}}",
    )
    ver, spec_ver = f"{pkg}/versions/{version}", f"{spec_pkg}/versions/{{package_version_id}}"
    full = "ghp_full"
    return [
        ("GET", f"{spec_prefix}/packages", f"{prefix}/packages?package_type={kind}", full),
        ("GET", f"{spec_prefix}/packages", f"{prefix}/packages?package_type=pypi", full),
        ("GET", f"{spec_prefix}/packages", f"{prefix}/packages?package_type={kind}", None),
        ("GET", f"{spec_prefix}/docker/conflicts", f"{prefix}/docker/conflicts", full),
        ("GET", spec_pkg, pkg, full),
        ("GET", spec_pkg, f"{prefix}/packages/{kind}/missing", full),
        ("GET", f"{spec_pkg}/versions", f"{pkg}/versions", full),
        ("GET", spec_ver, ver, full),
        ("DELETE", spec_ver, ver, "ghp_ro"),
        ("DELETE", spec_ver, ver, full),
        ("GET", f"{spec_pkg}/versions", f"{pkg}/versions?state=deleted", full),
        ("POST", f"{spec_ver}/restore", f"{ver}/restore", full),
        ("DELETE", spec_pkg, pkg, full),
        ("POST", f"{spec_pkg}/restore", f"{pkg}/restore", full),
    ]


@pytest.fixture
async def gh() -> AsyncIterator[FakeGitHub]:
    """The sample data with declared tokens, so 401 and 403 bodies occur too."""
    async with FakeGitHub(store=sample_store(), tokens=TOKENS) as server:
        yield server


@pytest.mark.parametrize("scope", SCOPES, ids=["org", "user", "authenticated-user"])
async def test_every_body_matches_the_spec_schema(gh: FakeGitHub, scope: Any) -> None:
    """Successes and errors of every operation of an owner scope validate against the spec."""
    spec, found, statuses = _spec(), [], set()
    async with aiohttp.ClientSession() as session:
        for method, spec_path, path, token in calls(*scope):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            async with session.request(method, gh.base_url + path, headers=headers) as reply:
                status, raw = reply.status, await reply.read()
            statuses.add(status)
            if status == 204:
                assert raw == b"", f"{method} {path}: 204 with a body"
                continue
            schema = response_schema(spec, spec_path, method, status)
            found += problems(spec, schema, json.loads(raw), f"{method} {path} {status}")
    assert found == []
    assert {200, 204, 401, 403, 404} <= statuses


def test_the_schema_check_catches_a_missing_field_and_a_wrong_type() -> None:
    """The validator used above does reject bad bodies."""
    spec = _spec()
    error = {"$ref": "#/components/schemas/basic-error"}
    assert problems(spec, error, {"message": 1}, "body") == ["body.message: 1 is not string"]
    package = {"$ref": "#/components/schemas/package"}
    assert "body: missing id" in problems(spec, package, {}, "body")


PRIVATE_USER = [
    "login",
    "id",
    "node_id",
    "avatar_url",
    "gravatar_id",
    "url",
    "html_url",
    "followers_url",
    "following_url",
    "gists_url",
    "starred_url",
    "subscriptions_url",
    "organizations_url",
    "repos_url",
    "events_url",
    "received_events_url",
    "type",
    "site_admin",
    "name",
    "company",
    "blog",
    "location",
    "email",
    "hireable",
    "bio",
    "public_repos",
    "public_gists",
    "followers",
    "following",
    "created_at",
    "updated_at",
    "private_gists",
    "total_private_repos",
    "owned_private_repos",
    "collaborators",
    "two_factor_authentication",
    "disk_usage",
]


async def test_user_and_rate_limit_bodies_are_complete(gh: FakeGitHub) -> None:
    """/user has every private-user field and /rate_limit every resource with four counts."""
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer ghp_full"}) as session:
        async with session.get(gh.base_url + "/user") as reply:
            user = await reply.json()
        async with session.get(gh.base_url + "/rate_limit") as reply:
            limits = await reply.json()
    assert [key for key in PRIVATE_USER if key not in user] == []
    assert {"core", "search", "graphql", "code_search"} <= set(limits["resources"])
    for resource in [*limits["resources"].values(), limits["rate"]]:
        assert set(resource) == {"limit", "used", "remaining", "reset"}
