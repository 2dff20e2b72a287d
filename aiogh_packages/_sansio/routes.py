"""URL paths of the Packages API and the checks on the arguments that fill them.

Does no I/O. Every check raises ``ValueError``/``TypeError`` naming the bad value and what
is accepted, so a bad call fails before anything is sent. Path segments are
percent-encoded whole: GitHub requires ``/`` in a package name as ``%2F``
(https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api), and a name
like ``../x`` stays inside its own segment.
"""

from __future__ import annotations

from typing import Literal, NamedTuple
from urllib.parse import quote, urlencode

from ..models import PACKAGE_STATES, PACKAGE_TYPES, PACKAGE_VISIBILITIES

__all__ = [
    "OwnerKind",
    "Route",
    "check_name",
    "check_package_type",
    "check_per_page",
    "check_state",
    "check_version_id",
    "check_visibility",
    "owner_route",
    "query_string",
]

OwnerKind = Literal["user", "org", "authenticated_user"]


class Route(NamedTuple):
    """A request target: the spec's path template (the budget key) and the real path.

    The HTTP method is the caller's: one route serves GET, DELETE and POST alike.
    """

    template: str
    path: str

    def child(self, template_suffix: str, path_suffix: str) -> Route:
        """A route below this one, e.g. ``/versions`` under a package."""
        return Route(self.template + template_suffix, self.path + path_suffix)


def check_name(value: object, what: str) -> str:
    """A non-empty string usable as one path segment; ``what`` names it in errors."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__} ({value!r})")
    if not value.strip():
        raise ValueError(f"{what} must be a non-empty string, got {value!r}")
    if value in (".", ".."):
        raise ValueError(f"{what} {value!r} is not a valid name")
    return value


def check_package_type(value: object) -> str:
    """One of the spec's package types."""
    return _check_choice(value, "package_type", PACKAGE_TYPES)


def check_visibility(value: object) -> str:
    """One of ``public``, ``private``, ``internal``."""
    return _check_choice(value, "visibility", PACKAGE_VISIBILITIES)


def check_state(value: object) -> str:
    """``active`` or ``deleted``."""
    return _check_choice(value, "state", PACKAGE_STATES)


def check_per_page(value: object) -> int:
    """An int in 1..100 (GitHub's maximum page size)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"per_page must be an int in 1..100, not {type(value).__name__} ({value!r})"
        )
    if not 1 <= value <= 100:
        raise ValueError(f"per_page must be in 1..100, got {value}")
    return value


def check_version_id(value: object) -> int:
    """A positive int."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"package_version_id must be a positive int, not {type(value).__name__} ({value!r})"
        )
    if value <= 0:
        raise ValueError(f"package_version_id must be a positive int, got {value}")
    return value


def _check_choice(value: object, what: str, accepted: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, one of {', '.join(accepted)}; got {value!r}")
    if value not in accepted:
        raise ValueError(f"{what} {value!r} is not one of: {', '.join(accepted)}")
    return value


def _segment(value: str) -> str:
    return quote(value, safe="")


def owner_route(kind: OwnerKind, owner: str | None) -> Route:
    """The route of an owner's package list: ``/users/{username}/packages`` and kin."""
    if kind == "authenticated_user":
        return Route("/user/packages", "/user/packages")
    if kind == "user":
        name = check_name(owner, "username")
        return Route("/users/{username}/packages", f"/users/{_segment(name)}/packages")
    name = check_name(owner, "org")
    return Route("/orgs/{org}/packages", f"/orgs/{_segment(name)}/packages")


def conflicts_route(kind: OwnerKind, owner: str | None) -> Route:
    """The docker-migration conflict listing of an owner."""
    base = owner_route(kind, owner)
    prefix = base.path.removesuffix("/packages")
    template = base.template.removesuffix("/packages")
    return Route(template + "/docker/conflicts", prefix + "/docker/conflicts")


def package_route(
    kind: OwnerKind, owner: str | None, package_type: str, package_name: str
) -> Route:
    """``.../packages/{package_type}/{package_name}`` of an owner, checked and encoded."""
    ptype = check_package_type(package_type)
    name = check_name(package_name, "package_name")
    return owner_route(kind, owner).child(
        "/{package_type}/{package_name}", f"/{ptype}/{_segment(name)}"
    )


def version_route(
    kind: OwnerKind, owner: str | None, package_type: str, package_name: str, version_id: int
) -> Route:
    """``.../versions/{package_version_id}`` of a package, checked and encoded."""
    vid = check_version_id(version_id)
    return package_route(kind, owner, package_type, package_name).child(
        "/versions/{package_version_id}", f"/versions/{vid}"
    )


def query_string(params: dict[str, str | int | None]) -> str:
    """``?a=1&b=2`` from the non-None parameters, in the given order; ``""`` when none."""
    kept = [(k, str(v)) for k, v in params.items() if v is not None]
    return "?" + urlencode(kept) if kept else ""
