"""The 27 Packages operations: routing on the raw path, filters, pagination and Link headers.

Routing works on the *raw* (still percent-encoded) path, one segment per parameter, so
``.../container/org%2Fimage`` is the package ``org/image`` while ``.../container/org/image``
matches nothing and is a 404, as on GitHub
(https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api). Besides the
spec's paths, the id-addressed forms GitHub puts in ``Link`` headers are served:
``/user/{user_id}/...`` and ``/organizations/{org_id}/...``. Lists are paginated with
``per_page`` (default 30, at most 100) and ``page``, and carry GitHub's ``Link`` header
(https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar
from urllib.parse import quote, unquote

from .access import ADMIN, READ, Principal, effective_visibility, rank
from .docpages import DOCS, page
from .paging import link_header, page_params
from .records import (
    DOWNLOAD_LIMIT,
    PACKAGE_TYPES,
    VISIBILITIES,
    OwnerRecord,
    PackageRecord,
    State,
    restorable,
)
from .render import Answer, ErrorAnswer, package_json, version_json
from .store import Store

__all__ = ["Call", "Target", "handle", "parse"]

T = TypeVar("T")

_OWNER = re.compile(
    r"^(?:/users/(?P<users>[^/]+)|/user/(?P<user_id>[0-9]+)|/orgs/(?P<orgs>[^/]+)"
    r"|/organizations/(?P<org_id>[0-9]+)|(?P<me>/user))(?P<rest>/.*)$"
)
_PKG = r"/packages/(?P<type>[^/]+)/(?P<name>[^/]+)"
_VER = _PKG + r"/versions/(?P<vid>[^/]+)"
_OPERATIONS: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    ("list", re.compile(r"^/packages$"), ("GET",)),
    ("conflicts", re.compile(r"^/docker/conflicts$"), ("GET",)),
    ("package", re.compile(f"^{_PKG}$"), ("GET", "DELETE")),
    ("package_restore", re.compile(f"^{_PKG}/restore$"), ("POST",)),
    ("versions", re.compile(f"^{_PKG}/versions$"), ("GET",)),
    ("version", re.compile(f"^{_VER}$"), ("GET", "DELETE")),
    ("version_restore", re.compile(f"^{_VER}/restore$"), ("POST",)),
)
# Neither the status nor the text of the download-rule refusal is documented (the docs only
# say to contact support); we answer 400 like the other deletion refusals, with the wording
# users have reported.
_POPULAR_MESSAGE = (
    "Publicly visible package versions with more than 5000 downloads cannot be deleted. "
    "Contact GitHub support for further assistance."
)
_CAP_MESSAGE = "The value of `per_page` multiplied by `page` cannot be greater than 10000."


@dataclass(frozen=True)
class Target:
    """A parsed Packages path: the operation, how the owner is named, and decoded parameters."""

    operation: str
    methods: tuple[str, ...]
    namespace: str  # "users", "user_id", "orgs", "org_id" or "me"
    owner: str
    package_type: str = ""
    package_name: str = ""
    version: str = ""

    @property
    def for_viewer(self) -> bool:
        """Whether the path is one of the authenticated user's (``/user/...``)."""
        return self.namespace == "me"


@dataclass(frozen=True)
class Call:
    """What a handler needs to know about one request."""

    method: str
    target: Target
    query: Mapping[str, str]
    origin: str  # "http://host:port", for Link URLs
    viewer: OwnerRecord | None
    principal: Principal
    now: datetime


def parse(raw_path: str) -> Target | None:
    """The Packages operation ``raw_path`` addresses, or ``None`` if it is none of them."""
    owner = _OWNER.match(raw_path)
    if owner is None:
        return None
    namespace = next(k for k in ("users", "user_id", "orgs", "org_id", "me") if owner[k])
    for operation, pattern, methods in _OPERATIONS:
        found = pattern.match(owner["rest"])
        if found is not None:
            fields = {k: unquote(v) for k, v in found.groupdict().items()}
            return Target(
                operation,
                methods,
                namespace,
                unquote(owner[namespace]) if namespace != "me" else "",
                fields.get("type", ""),
                fields.get("name", ""),
                fields.get("vid", ""),
            )
    return None


def _not_found() -> ErrorAnswer:
    return ErrorAnswer(404, "Not Found")


def _no_package() -> ErrorAnswer:
    # GitHub's text for a missing (or hidden) package (shared github-behaviour notes, 15).
    return ErrorAnswer(404, "Package not found.")


def _not_admin() -> ErrorAnswer:
    # The text of this 403 is not documented; "admin on the package" is the documented need.
    return ErrorAnswer(403, "You need admin access to this package to delete or restore it.")


def _invalid() -> ErrorAnswer:
    return ErrorAnswer(400, "Invalid argument.")


def _owner(store: Store, call: Call) -> OwnerRecord:
    target = call.target
    if target.namespace == "me":
        found = call.viewer
    elif target.namespace in ("user_id", "org_id"):
        found = store.owner_by_id(int(target.owner))
    else:
        found = store.owner(target.owner)
    wanted = "Organization" if target.namespace in ("orgs", "org_id") else "User"
    if found is None or found.type != wanted:
        raise _not_found()
    return found


def _id_base(call: Call, owner: OwnerRecord) -> str:
    # GitHub's Link headers name the owner by id: /user/583231/..., /organizations/9919/...
    if call.target.namespace == "me":
        return "/user"
    return f"/organizations/{owner.id}" if owner.type == "Organization" else f"/user/{owner.id}"


def _paged(
    call: Call,
    items: Sequence[T],
    render: Callable[[T], object],
    path: str,
    filters: tuple[str, ...],
    cap: bool = False,
) -> Answer:
    per_page, page = page_params(call.query)
    if cap and per_page * page > 10_000:
        raise ErrorAnswer(400, _CAP_MESSAGE)
    chunk = items[(page - 1) * per_page : page * per_page]
    params = [(key, call.query[key]) for key in filters if key in call.query]
    link = link_header(call.origin, path, params, per_page, page, len(items))
    return Answer(200, [render(item) for item in chunk], {"Link": link} if link else {})


def _visible(call: Call, package: PackageRecord) -> bool:
    # Hidden packages are 404 rather than 403, as GitHub does (https://docs.github.com/rest/
    # using-the-rest-api/troubleshooting-the-rest-api).
    return rank(call.principal, package) >= READ


def _need_admin(call: Call, package: PackageRecord) -> None:
    if rank(call.principal, package) < ADMIN:
        raise _not_admin()


def _package(
    store: Store, call: Call, owner: OwnerRecord, state: State = "active"
) -> PackageRecord:
    target = call.target
    if target.package_type not in PACKAGE_TYPES:
        raise _not_found()
    found = store.package(owner.login, target.package_type, target.package_name)
    if found is None or found.state != state or not _visible(call, found):
        raise _no_package()
    if not restorable(found.deleted_at, call.now):  # gone for good after 30 days
        raise _no_package()
    return found


def _version_id(call: Call) -> int:
    if not (call.target.version.isascii() and call.target.version.isdigit()):
        raise _not_found()
    return int(call.target.version)


def _list_packages(store: Store, call: Call, owner: OwnerRecord) -> Answer:
    kind, visibility = call.query.get("package_type"), call.query.get("visibility")
    if kind not in PACKAGE_TYPES or (visibility is not None and visibility not in VISIBILITIES):
        raise _invalid()
    wanted = None if visibility is None else effective_visibility(kind, visibility)
    found = [
        p
        for p in store.packages(owner.login, kind)
        if _visible(call, p) and wanted in (None, effective_visibility(kind, p.visibility))
    ]
    path = f"{_id_base(call, owner)}/packages"
    return _paged(call, found, package_json, path, ("package_type", "visibility"), cap=True)


def _list_conflicts(store: Store, call: Call, owner: OwnerRecord) -> Answer:
    found = [
        p for p in store.packages(owner.login, "docker") if p.docker_conflict and _visible(call, p)
    ]
    return _paged(call, found, package_json, f"{_id_base(call, owner)}/docker/conflicts", ())


def _list_versions(store: Store, call: Call, owner: OwnerRecord) -> Answer:
    package = _package(store, call, owner)
    state = call.query.get("state", "active")
    if state not in ("active", "deleted"):
        raise _invalid()
    name = quote(package.name, safe="")
    path = f"{_id_base(call, owner)}/packages/{package.package_type}/{name}/versions"
    found = [
        v
        for v in package.listed_versions("deleted" if state == "deleted" else "active")
        if restorable(v.deleted_at, call.now)
    ]
    return _paged(call, found, lambda v: version_json(package, v), path, ("state",))


def _on_package(store: Store, call: Call, owner: OwnerRecord) -> Answer:
    if call.target.operation == "package_restore":
        package = _package(store, call, owner, state="deleted")
        _need_admin(call, package)
        store.restore_package(owner.login, package.package_type, package.name)
        return Answer(204)
    package = _package(store, call, owner)
    if call.method == "DELETE":
        _need_admin(call, package)
        if package.popular_version() is not None:
            raise ErrorAnswer(400, _POPULAR_MESSAGE)
        store.delete_package(owner.login, package.package_type, package.name, now=call.now)
        return Answer(204)
    return Answer(200, package_json(package))


def _on_version(store: Store, call: Call, owner: OwnerRecord) -> Answer:
    package = _package(store, call, owner)
    version = package.versions.get(_version_id(call))
    restoring = call.target.operation == "version_restore"
    if version is None or version.state != ("deleted" if restoring else "active"):
        raise _not_found()
    if not restorable(version.deleted_at, call.now):
        raise _not_found()
    args = (owner.login, package.package_type, package.name, version.id)
    if restoring or call.method == "DELETE":
        _need_admin(call, package)
    if restoring:
        store.restore_version(*args)
        return Answer(204)
    if call.method == "DELETE":
        if package.visibility == "public" and version.downloads > DOWNLOAD_LIMIT:
            raise ErrorAnswer(400, _POPULAR_MESSAGE)
        try:
            store.delete_version(*args, now=call.now)
        except ValueError as exc:  # the package's last active version
            raise ErrorAnswer(400, str(exc)) from None
        return Answer(204)
    return Answer(200, version_json(package, version))


_HANDLERS: dict[str, Callable[[Store, Call, OwnerRecord], Answer]] = {
    "list": _list_packages,
    "conflicts": _list_conflicts,
    "package": _on_package,
    "package_restore": _on_package,
    "versions": _list_versions,
    "version": _on_version,
    "version_restore": _on_version,
}


def handle(store: Store, call: Call) -> Answer:
    """Answer one Packages request (holding the store's lock throughout).

    Raises:
        ErrorAnswer: for every GitHub error answer (400, 404).
    """
    method = "GET" if call.method == "HEAD" else call.method
    if method not in call.target.methods:
        raise _not_found()
    try:
        with store.lock:
            owner = _owner(store, call)
            _check_actions(call, owner)
            return _HANDLERS[call.target.operation](store, call, owner)
    except ErrorAnswer as refusal:
        if refusal.documentation_url == DOCS:
            target = call.target
            refusal.documentation_url = page(target.operation, method, target.namespace)
        raise


def _check_actions(call: Call, owner: OwnerRecord) -> None:
    """An Actions token's refusals (cli/cli#9606, actions/github-script#449)."""
    if not call.principal.is_actions:
        return
    if owner.type == "User":
        raise ErrorAnswer(403, "Resource not accessible by integration")
    if call.target.operation == "list":
        raise _invalid()
