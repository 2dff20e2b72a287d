"""msgspec Structs for what the Packages API returns; Literal aliases for what it accepts.

The Structs follow the ``package``, ``package-version``, ``simple-user`` and
``nullable-minimal-repository`` schemas of GitHub's OpenAPI description: fields the schema
requires are required here, fields it marks ``nullable`` are ``... | None``, and fields it may
leave out default to ``None`` (or an empty tuple for arrays). Keys GitHub adds later are
skipped, and enum-like strings (``visibility``, ``package_type``) are decoded as plain ``str``
so that a value GitHub starts sending tomorrow (such as ``internal``) never breaks a listing.
The Literal aliases list what the *requests* accept; arguments are checked against them. To
narrow a decoded field, test membership in ``typing.get_args(PackageVisibility)`` (and kin),
then ``cast``; the README shows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

import msgspec

__all__ = [
    "CodeOfConduct",
    "ContainerMetadata",
    "DockerMetadata",
    "MinimalRepository",
    "Package",
    "PackageState",
    "PackageType",
    "PackageVersion",
    "PackageVersionMetadata",
    "PackageVisibility",
    "RepositoryLicense",
    "RepositoryPermissions",
    "SecurityAndAnalysis",
    "SecurityFeature",
    "SecretScanningBypassReviewer",
    "SecretScanningDelegatedBypassOptions",
    "SimpleUser",
    "VersionSummary",
    "PACKAGE_TYPES",
    "PACKAGE_VISIBILITIES",
    "PACKAGE_STATES",
]

PackageType = Literal["npm", "maven", "rubygems", "docker", "nuget", "container"]
"""The ``package_type`` path and query values the API accepts."""

PackageVisibility = Literal["public", "private", "internal"]
"""The ``visibility`` filter of the list-packages endpoints."""

PackageState = Literal["active", "deleted"]
"""The ``state`` filter of the org and authenticated-user version listings."""

PACKAGE_TYPES: tuple[str, ...] = get_args(PackageType)
PACKAGE_VISIBILITIES: tuple[str, ...] = get_args(PackageVisibility)
PACKAGE_STATES: tuple[str, ...] = get_args(PackageState)


class SimpleUser(msgspec.Struct, frozen=True, kw_only=True):
    """A GitHub account (user or organization), the ``simple-user`` schema."""

    login: str
    id: int
    node_id: str
    avatar_url: str
    gravatar_id: str | None
    url: str
    html_url: str
    followers_url: str
    following_url: str
    gists_url: str
    starred_url: str
    subscriptions_url: str
    organizations_url: str
    repos_url: str
    events_url: str
    received_events_url: str
    type: str
    site_admin: bool
    name: str | None = None
    email: str | None = None
    starred_at: str | None = None
    user_view_type: str | None = None


class CodeOfConduct(msgspec.Struct, frozen=True, kw_only=True):
    """A repository's code of conduct."""

    key: str
    name: str
    url: str
    html_url: str | None
    body: str | None = None


class RepositoryLicense(msgspec.Struct, frozen=True, kw_only=True):
    """The licence summary embedded in a repository."""

    key: str | None = None
    name: str | None = None
    spdx_id: str | None = None
    url: str | None = None
    node_id: str | None = None


class RepositoryPermissions(msgspec.Struct, frozen=True, kw_only=True):
    """What the requesting token may do with the repository."""

    admin: bool | None = None
    maintain: bool | None = None
    push: bool | None = None
    triage: bool | None = None
    pull: bool | None = None


class SecurityFeature(msgspec.Struct, frozen=True, kw_only=True):
    """One ``security_and_analysis`` entry: ``enabled`` or ``disabled``."""

    status: str | None = None


class SecretScanningBypassReviewer(msgspec.Struct, frozen=True, kw_only=True):
    """A team or role that reviews secret-scanning bypass requests."""

    reviewer_id: int
    reviewer_type: str
    mode: str = "ALWAYS"


class SecretScanningDelegatedBypassOptions(msgspec.Struct, frozen=True, kw_only=True):
    """Reviewers of delegated secret-scanning bypass."""

    reviewers: tuple[SecretScanningBypassReviewer, ...] = ()


class SecurityAndAnalysis(msgspec.Struct, frozen=True, kw_only=True):
    """A repository's security feature switches."""

    advanced_security: SecurityFeature | None = None
    code_security: SecurityFeature | None = None
    dependabot_security_updates: SecurityFeature | None = None
    secret_scanning: SecurityFeature | None = None
    secret_scanning_push_protection: SecurityFeature | None = None
    secret_scanning_non_provider_patterns: SecurityFeature | None = None
    secret_scanning_ai_detection: SecurityFeature | None = None
    secret_scanning_delegated_alert_dismissal: SecurityFeature | None = None
    secret_scanning_delegated_bypass: SecurityFeature | None = None
    secret_scanning_delegated_bypass_options: SecretScanningDelegatedBypassOptions | None = None


class MinimalRepository(msgspec.Struct, frozen=True, kw_only=True):
    """The repository a package belongs to, the ``nullable-minimal-repository`` schema."""

    id: int
    node_id: str
    name: str
    full_name: str
    owner: SimpleUser
    private: bool
    html_url: str
    description: str | None
    fork: bool
    url: str
    archive_url: str
    assignees_url: str
    blobs_url: str
    branches_url: str
    collaborators_url: str
    comments_url: str
    commits_url: str
    compare_url: str
    contents_url: str
    contributors_url: str
    deployments_url: str
    downloads_url: str
    events_url: str
    forks_url: str
    git_commits_url: str
    git_refs_url: str
    git_tags_url: str
    hooks_url: str
    issue_comment_url: str
    issue_events_url: str
    issues_url: str
    keys_url: str
    labels_url: str
    languages_url: str
    merges_url: str
    milestones_url: str
    notifications_url: str
    pulls_url: str
    releases_url: str
    stargazers_url: str
    statuses_url: str
    subscribers_url: str
    subscription_url: str
    tags_url: str
    teams_url: str
    trees_url: str
    git_url: str | None = None
    ssh_url: str | None = None
    clone_url: str | None = None
    mirror_url: str | None = None
    svn_url: str | None = None
    homepage: str | None = None
    language: str | None = None
    forks_count: int | None = None
    stargazers_count: int | None = None
    watchers_count: int | None = None
    size: int | None = None
    default_branch: str | None = None
    open_issues_count: int | None = None
    is_template: bool | None = None
    topics: tuple[str, ...] = ()
    has_issues: bool | None = None
    has_projects: bool | None = None
    has_wiki: bool | None = None
    has_pages: bool | None = None
    has_downloads: bool | None = None
    has_discussions: bool | None = None
    has_pull_requests: bool | None = None
    pull_request_creation_policy: str | None = None
    archived: bool | None = None
    disabled: bool | None = None
    visibility: str | None = None
    pushed_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    permissions: RepositoryPermissions | None = None
    role_name: str | None = None
    temp_clone_token: str | None = None
    delete_branch_on_merge: bool | None = None
    subscribers_count: int | None = None
    network_count: int | None = None
    code_of_conduct: CodeOfConduct | None = None
    license: RepositoryLicense | None = None
    forks: int | None = None
    open_issues: int | None = None
    watchers: int | None = None
    allow_forking: bool | None = None
    web_commit_signoff_required: bool | None = None
    security_and_analysis: SecurityAndAnalysis | None = None
    custom_properties: dict[str, object] | None = None


class Package(msgspec.Struct, frozen=True, kw_only=True):
    """A package, the ``package`` schema.

    ``package_type`` and ``visibility`` are plain strings: the spec lists
    ``private``/``public`` for visibility, but GitHub also answers ``internal``.
    """

    id: int
    name: str
    package_type: str
    url: str
    html_url: str
    version_count: int
    visibility: str
    created_at: datetime
    updated_at: datetime
    owner: SimpleUser | None = None
    repository: MinimalRepository | None = None


class ContainerMetadata(msgspec.Struct, frozen=True, kw_only=True):
    """Container registry (``ghcr.io``) metadata of a version: its tags."""

    tags: tuple[str, ...]


class DockerMetadata(msgspec.Struct, frozen=True, kw_only=True):
    """Docker registry metadata of a version.

    The spec names the property ``tag`` but requires ``tags``; either key is accepted and
    both fields end up holding the same tags.
    """

    tags: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.tags and self.tag:
            msgspec.structs.force_setattr(self, "tags", self.tag)
        elif self.tags and not self.tag:
            msgspec.structs.force_setattr(self, "tag", self.tags)


class PackageVersionMetadata(msgspec.Struct, frozen=True, kw_only=True):
    """Registry-specific metadata of a version."""

    package_type: str
    container: ContainerMetadata | None = None
    docker: DockerMetadata | None = None


class PackageVersion(msgspec.Struct, frozen=True, kw_only=True):
    """A version of a package, the ``package-version`` schema."""

    id: int
    name: str
    url: str
    package_html_url: str
    created_at: datetime
    updated_at: datetime
    html_url: str | None = None
    license: str | None = None
    description: str | None = None
    deleted_at: datetime | None = None
    metadata: PackageVersionMetadata | None = None

    @property
    def tags(self) -> tuple[str, ...]:
        """The container or docker tags of this version; empty when it has none."""
        meta = self.metadata
        if meta is None:
            return ()
        if meta.container is not None:
            return meta.container.tags
        if meta.docker is not None:
            return meta.docker.tags
        return ()


class VersionSummary(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """The fields of a package version that retention reads, and nothing else.

    What :meth:`~aiogh_packages.PackagesClient.iter_version_summaries` yields: about a third
    of a :class:`PackageVersion` in memory (no URLs, description or license, no nested
    metadata), for planning over packages with 100,000 versions and more.
    :func:`~aiogh_packages.plan_retention` and :func:`~aiogh_packages.retention.apply_plan` take
    either kind.
    """

    id: int
    name: str
    created_at: datetime
    updated_at: datetime
    tags: tuple[str, ...] = ()
    deleted_at: datetime | None = None

    @classmethod
    def from_version(cls, version: PackageVersion) -> VersionSummary:
        """The summary of a decoded :class:`PackageVersion`."""
        return cls(
            id=version.id, name=version.name, created_at=version.created_at,
            updated_at=version.updated_at, tags=version.tags, deleted_at=version.deleted_at,
        )  # fmt: skip
