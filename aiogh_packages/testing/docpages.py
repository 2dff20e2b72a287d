"""The docs page of every Packages operation, for the ``documentation_url`` of its errors.

GitHub's error bodies name the page of the operation that failed, e.g.
``https://docs.github.com/rest/packages/packages#list-packages-for-an-organization``
(cli/cli#9606); the anchors below are the ``externalDocs`` of each operation in GitHub's
OpenAPI description.
"""

from __future__ import annotations

__all__ = ["DOCS", "page"]

DOCS = "https://docs.github.com/rest/packages/packages"

_ANCHORS: dict[tuple[str, str, str], str] = {
    (
        "conflicts",
        "GET",
        "org",
    ): "get-list-of-conflicting-packages-during-docker-migration-for-organization",
    ("list", "GET", "org"): "list-packages-for-an-organization",
    ("package", "GET", "org"): "get-a-package-for-an-organization",
    ("package", "DELETE", "org"): "delete-a-package-for-an-organization",
    ("package_restore", "POST", "org"): "restore-a-package-for-an-organization",
    ("versions", "GET", "org"): "list-package-versions-for-a-package-owned-by-an-organization",
    ("version", "GET", "org"): "get-a-package-version-for-an-organization",
    ("version", "DELETE", "org"): "delete-package-version-for-an-organization",
    ("version_restore", "POST", "org"): "restore-package-version-for-an-organization",
    (
        "conflicts",
        "GET",
        "me",
    ): "get-list-of-conflicting-packages-during-docker-migration-for-authenticated-user",
    ("list", "GET", "me"): "list-packages-for-the-authenticated-users-namespace",
    ("package", "GET", "me"): "get-a-package-for-the-authenticated-user",
    ("package", "DELETE", "me"): "delete-a-package-for-the-authenticated-user",
    ("package_restore", "POST", "me"): "restore-a-package-for-the-authenticated-user",
    (
        "versions",
        "GET",
        "me",
    ): "list-package-versions-for-a-package-owned-by-the-authenticated-user",
    ("version", "GET", "me"): "get-a-package-version-for-the-authenticated-user",
    ("version", "DELETE", "me"): "delete-a-package-version-for-the-authenticated-user",
    ("version_restore", "POST", "me"): "restore-a-package-version-for-the-authenticated-user",
    (
        "conflicts",
        "GET",
        "user",
    ): "get-list-of-conflicting-packages-during-docker-migration-for-user",
    ("list", "GET", "user"): "list-packages-for-a-user",
    ("package", "GET", "user"): "get-a-package-for-a-user",
    ("package", "DELETE", "user"): "delete-a-package-for-a-user",
    ("package_restore", "POST", "user"): "restore-a-package-for-a-user",
    ("versions", "GET", "user"): "list-package-versions-for-a-package-owned-by-a-user",
    ("version", "GET", "user"): "get-a-package-version-for-a-user",
    ("version", "DELETE", "user"): "delete-package-version-for-a-user",
    ("version_restore", "POST", "user"): "restore-package-version-for-a-user",
}


def page(operation: str, method: str, namespace: str) -> str:
    """The docs URL of ``operation`` (an :mod:`.api` name) with ``method`` in ``namespace``."""
    scope = {"orgs": "org", "org_id": "org", "me": "me"}.get(namespace, "user")
    anchor = _ANCHORS.get((operation, "GET" if method == "HEAD" else method, scope))
    return f"{DOCS}#{anchor}" if anchor else DOCS
