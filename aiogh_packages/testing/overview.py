"""The bodies of ``GET /user`` (``private-user``) and ``GET /rate_limit``
(``rate-limit-overview``), with every field GitHub's OpenAPI description requires
(https://docs.github.com/rest/users/users#get-the-authenticated-user,
https://docs.github.com/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user),
so strict third-party models (githubkit's) accept them.
"""

from __future__ import annotations

from .records import OwnerRecord
from .render import simple_user_json

__all__ = ["RESOURCES", "private_user_json", "rate_limit_json"]

# The resources GitHub reports; only ``core`` is counted by the fake, the others show their
# documented hourly (or per-minute) allowance untouched.
RESOURCES = {
    "search": 30,
    "graphql": 5000,
    "integration_manifest": 5000,
    "source_import": 100,
    "code_scanning_upload": 1000,
    "actions_runner_registration": 10000,
    "scim": 15000,
    "dependency_snapshots": 100,
    "dependency_sbom": 100,
    "code_search": 10,
    "code_scanning_autofix": 10,
    "audit_log": 1750,
    "audit_log_streaming": 15,
}


_CREATED = "2011-01-25T18:44:36Z"  # octocat's, from GitHub's example


def private_user_json(owner: OwnerRecord) -> dict[str, object]:
    """The ``private-user`` object of the authenticated user."""
    doc = simple_user_json(owner)
    doc.update(
        name=owner.login,
        company=None,
        blog="",
        location=None,
        email=None,
        notification_email=None,
        hireable=None,
        bio=None,
        twitter_username=None,
        public_repos=0,
        public_gists=0,
        followers=0,
        following=0,
        created_at=_CREATED,
        updated_at=_CREATED,
        private_gists=0,
        total_private_repos=0,
        owned_private_repos=0,
        disk_usage=0,
        collaborators=0,
        two_factor_authentication=True,
        plan={"name": "free", "space": 976562499, "private_repos": 10000, "collaborators": 0},
    )
    return doc


def rate_limit_json(core: dict[str, int], reset: int) -> dict[str, object]:
    """The ``rate-limit-overview``: ``core`` as counted, every other resource unused."""
    resources: dict[str, object] = {"core": core}
    for name, limit in RESOURCES.items():
        resources[name] = {"limit": limit, "used": 0, "remaining": limit, "reset": reset}
    return {"resources": resources, "rate": core}
