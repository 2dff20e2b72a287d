"""The JSON GitHub sends: simple users, repositories, packages, versions and error bodies.

Shapes follow the ``simple-user``, ``nullable-minimal-repository``, ``package``,
``package-version`` and ``basic-error`` schemas of GitHub's OpenAPI description
(https://docs.github.com/rest/packages/packages). Resource URLs point at
``https://api.github.com`` and ``https://github.com`` as GitHub's do: they are data, not the
pagination links (those are built from the request's host in :mod:`.api`). Also here: the
:class:`Answer` a handler produces and the :class:`ErrorAnswer` a handler raises.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import quote

import msgspec

from .records import OwnerRecord, PackageRecord, RepositoryRecord, VersionRecord

__all__ = [
    "API",
    "DOCS",
    "WEB",
    "Answer",
    "ErrorAnswer",
    "error_body",
    "iso",
    "package_json",
    "repository_json",
    "simple_user_json",
    "version_json",
]

API = "https://api.github.com"
WEB = "https://github.com"
DOCS = "https://docs.github.com/rest/packages/packages"

_encode = msgspec.json.Encoder().encode


@dataclass(frozen=True)
class Answer:
    """A response before it hits the wire: status, JSON-able payload (or raw bytes), headers."""

    status: int
    payload: object = None
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> bytes:
        """The encoded body: raw bytes as given, ``None`` as empty, anything else as JSON."""
        if self.payload is None or self.status in (204, 304):
            return b""
        if isinstance(self.payload, bytes):
            return self.payload
        if isinstance(self.payload, str):
            return self.payload.encode()
        return _encode(self.payload)


class ErrorAnswer(Exception):
    """Raised by a handler to answer with a GitHub error body instead of its result."""

    def __init__(
        self,
        status: int,
        message: str,
        documentation_url: str = DOCS,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.documentation_url = documentation_url
        self.headers = dict(headers or {})

    def answer(self) -> Answer:
        """The error as a GitHub ``basic-error`` answer."""
        body = error_body(self.status, self.message, self.documentation_url)
        return Answer(self.status, body, self.headers)


def error_body(status: int, message: str, documentation_url: str = DOCS) -> dict[str, str]:
    """GitHub's error body: ``message``, ``documentation_url`` and ``status`` as a string."""
    return {"message": message, "documentation_url": documentation_url, "status": str(status)}


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` and whole seconds, as GitHub writes timestamps."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _node_id(kind: str, ident: int) -> str:
    # GitHub's legacy global ids: base64 of "0<len(kind)>:<kind><id>", e.g. "04:User583231".
    return base64.b64encode(f"0{len(kind)}:{kind}{ident}".encode()).decode()


def simple_user_json(owner: OwnerRecord) -> dict[str, object]:
    """The ``simple-user`` object GitHub embeds as a package's or repository's owner."""
    api = f"{API}/users/{owner.login}"
    return {
        "login": owner.login,
        "id": owner.id,
        "node_id": _node_id(owner.type, owner.id),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{owner.id}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{WEB}/{owner.login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": owner.type,
        "user_view_type": "public",
        "site_admin": False,
    }


_REPO_LINKS = {
    "forks_url": "/forks",
    "keys_url": "/keys{/key_id}",
    "collaborators_url": "/collaborators{/collaborator}",
    "teams_url": "/teams",
    "hooks_url": "/hooks",
    "issue_events_url": "/issues/events{/number}",
    "events_url": "/events",
    "assignees_url": "/assignees{/user}",
    "branches_url": "/branches{/branch}",
    "tags_url": "/tags",
    "blobs_url": "/git/blobs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "trees_url": "/git/trees{/sha}",
    "statuses_url": "/statuses/{sha}",
    "languages_url": "/languages",
    "stargazers_url": "/stargazers",
    "contributors_url": "/contributors",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "commits_url": "/commits{/sha}",
    "git_commits_url": "/git/commits{/sha}",
    "comments_url": "/comments{/number}",
    "issue_comment_url": "/issues/comments{/number}",
    "contents_url": "/contents/{+path}",
    "compare_url": "/compare/{base}...{head}",
    "merges_url": "/merges",
    "archive_url": "/{archive_format}{/ref}",
    "downloads_url": "/downloads",
    "issues_url": "/issues{/number}",
    "pulls_url": "/pulls{/number}",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "labels_url": "/labels{/name}",
    "releases_url": "/releases{/id}",
    "deployments_url": "/deployments",
}


def repository_json(repo: RepositoryRecord) -> dict[str, object]:
    """The ``nullable-minimal-repository`` object, with every field the schema requires."""
    full_name = f"{repo.owner.login}/{repo.name}"
    api = f"{API}/repos/{full_name}"
    doc: dict[str, object] = {
        "id": repo.id,
        "node_id": _node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": full_name,
        "private": repo.private,
        "owner": simple_user_json(repo.owner),
        "html_url": f"{WEB}/{full_name}",
        "description": repo.description,
        "fork": False,
        "url": api,
    }
    doc.update((key, api + suffix) for key, suffix in _REPO_LINKS.items())
    doc["visibility"] = "private" if repo.private else "public"
    return doc


def _namespace(owner: OwnerRecord) -> str:
    return "orgs" if owner.type == "Organization" else "users"


def package_api_url(package: PackageRecord) -> str:
    """``https://api.github.com/{users|orgs}/LOGIN/packages/TYPE/NAME`` (name encoded)."""
    owner = package.owner
    name = quote(package.name, safe="")
    return f"{API}/{_namespace(owner)}/{owner.login}/packages/{package.package_type}/{name}"


def package_html_url(package: PackageRecord) -> str:
    """The package's page: under its repository for repository-scoped registries."""
    repo = package.repository
    if repo is not None and package.package_type != "container":
        return f"{WEB}/{repo.owner.login}/{repo.name}/packages/{package.id}"
    owner = package.owner
    name = quote(package.name, safe="")
    return f"{WEB}/{_namespace(owner)}/{owner.login}/packages/{package.package_type}/package/{name}"


def package_json(package: PackageRecord) -> dict[str, object]:
    """The ``package`` object; ``version_count`` counts active versions."""
    doc: dict[str, object] = {
        "id": package.id,
        "name": package.name,
        "package_type": package.package_type,
        "owner": simple_user_json(package.owner),
        "version_count": package.version_count,
        "visibility": package.visibility,
        "url": package_api_url(package),
        "created_at": iso(package.created_at),
        "updated_at": iso(package.updated_at),
    }
    if package.repository is not None:
        doc["repository"] = repository_json(package.repository)
    doc["html_url"] = package_html_url(package)
    return doc


def _metadata(package_type: str, tags: tuple[str, ...]) -> dict[str, object]:
    if package_type == "container":
        return {"package_type": "container", "container": {"tags": list(tags)}}
    if package_type == "docker":
        # The spec's docker metadata property is ``tag`` (a list), unlike container's ``tags``.
        return {"package_type": "docker", "docker": {"tag": list(tags)}}
    return {"package_type": package_type}


def version_json(package: PackageRecord, version: VersionRecord) -> dict[str, object]:
    """The ``package-version`` object with registry metadata (tags for container and docker)."""
    page = package_html_url(package)
    if package.repository is not None and package.package_type != "container":
        html = f"{page}?version={quote(version.name, safe='')}"
    else:
        owner = package.owner
        name = quote(package.name, safe="")
        kind = package.package_type
        html = f"{WEB}/{_namespace(owner)}/{owner.login}/packages/{kind}/{name}/{version.id}"
    doc: dict[str, object] = {
        "id": version.id,
        "name": version.name,
        "url": f"{package_api_url(package)}/versions/{version.id}",
        "package_html_url": page,
        "created_at": iso(version.created_at),
        "updated_at": iso(version.updated_at),
        "html_url": html,
    }
    if version.license is not None:
        doc["license"] = version.license
    if version.description is not None:
        doc["description"] = version.description
    if version.deleted_at is not None:
        doc["deleted_at"] = iso(version.deleted_at)
    doc["metadata"] = _metadata(package.package_type, version.tags)
    return doc
