"""Argument checks and path building."""

from __future__ import annotations

import pytest

from aiogh_packages._sansio import routes


@pytest.mark.parametrize(
    ("kind", "owner", "template", "path"),
    [
        ("user", "octocat", "/users/{username}/packages", "/users/octocat/packages"),
        ("org", "octo-org", "/orgs/{org}/packages", "/orgs/octo-org/packages"),
        ("authenticated_user", None, "/user/packages", "/user/packages"),
    ],
)
def test_owner_routes(kind: routes.OwnerKind, owner: str | None, template: str, path: str) -> None:
    """Each owner scope maps to its spec path template and a filled path."""
    assert routes.owner_route(kind, owner) == routes.Route(template, path)


def test_route_carries_no_http_method() -> None:
    """A Route is template and path only: the caller's verb decides GET, DELETE or POST."""
    assert routes.Route._fields == ("template", "path")


def test_conflicts_route_sits_beside_packages() -> None:
    """Docker-migration conflicts live at /{owner}/docker/conflicts."""
    assert routes.conflicts_route("org", "o").path == "/orgs/o/docker/conflicts"
    assert routes.conflicts_route("authenticated_user", None).template == "/user/docker/conflicts"


@pytest.mark.parametrize(
    ("name", "segment"),
    [
        ("org/image", "org%2Fimage"),
        ("../x", "..%2Fx"),
        ("a b?c#d", "a%20b%3Fc%23d"),
        ("hello_docker", "hello_docker"),
    ],
)
def test_package_names_are_one_encoded_segment(name: str, segment: str) -> None:
    """Slashes and other reserved characters are percent-encoded inside the segment."""
    route = routes.package_route("user", "octocat", "container", name)
    assert route.path == f"/users/octocat/packages/container/{segment}"
    assert route.template == "/users/{username}/packages/{package_type}/{package_name}"


def test_version_route() -> None:
    """Version paths carry the id."""
    route = routes.version_route("org", "o", "npm", "p", 42)
    assert route.path == "/orgs/o/packages/npm/p/versions/42"


@pytest.mark.parametrize(
    ("call", "exc", "words"),
    [
        (lambda: routes.check_package_type("pypi"), ValueError, ["'pypi'", "container", "npm"]),
        (lambda: routes.check_package_type(None), TypeError, ["None", "container"]),
        (lambda: routes.check_visibility("secret"), ValueError, ["'secret'", "internal"]),
        (lambda: routes.check_state("gone"), ValueError, ["'gone'", "active", "deleted"]),
        (lambda: routes.check_per_page(0), ValueError, ["0", "1..100"]),
        (lambda: routes.check_per_page(101), ValueError, ["101", "1..100"]),
        (lambda: routes.check_per_page("10"), TypeError, ["'10'", "1..100"]),
        (lambda: routes.check_per_page(True), TypeError, ["True"]),
        (lambda: routes.check_name("", "username"), ValueError, ["username", "''"]),
        (lambda: routes.check_name("  ", "org"), ValueError, ["org"]),
        (lambda: routes.check_name(5, "package_name"), TypeError, ["package_name", "int"]),
        (lambda: routes.check_name("..", "package_name"), ValueError, ["'..'"]),
        (lambda: routes.check_version_id(0), ValueError, ["package_version_id", "0"]),
        (lambda: routes.check_version_id(-3), ValueError, ["-3"]),
        (lambda: routes.check_version_id("1"), TypeError, ["'1'"]),
        (lambda: routes.check_version_id(False), TypeError, ["False"]),
    ],
)
def test_bad_arguments_name_the_value_and_what_is_accepted(
    call: object, exc: type[Exception], words: list[str]
) -> None:
    """Every check names the bad value and the accepted ones."""
    with pytest.raises(exc) as info:
        call()  # type: ignore[operator]
    for word in words:
        assert word in str(info.value)


def test_valid_arguments_pass_through() -> None:
    """Accepted values come back unchanged."""
    assert routes.check_per_page(100) == 100
    assert routes.check_state("deleted") == "deleted"
    assert routes.check_visibility("internal") == "internal"
    assert routes.check_version_id(7) == 7


def test_query_string_skips_none_and_keeps_order() -> None:
    """None parameters are left out; the rest are encoded in order."""
    assert routes.query_string(
        {"package_type": "container", "visibility": None, "per_page": 100}
    ) == ("?package_type=container&per_page=100")
    assert routes.query_string({"state": None}) == ""
