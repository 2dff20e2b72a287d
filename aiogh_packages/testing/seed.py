"""Ready-made stores: ``sample_store()`` (GitHub's documented examples) and ``demo_store()``.

``sample_store`` holds the accounts, packages, ids and timestamps of GitHub's Packages
documentation examples. One liberty: the examples show id 9919 both for the organization
``github`` and for the user ``monalisa``; here ``github`` keeps 9919 and ``monalisa`` is
1000001, so that owners can be addressed by id (``/user/{id}``, ``/organizations/{id}``).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from .store import Store

__all__ = ["DEMO_NOW", "demo_store", "sample_store"]

DEMO_NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
"""The default "now" of :func:`demo_store`: version ages are spread over the two years before."""

_D1 = "sha256:08a44bab0bddaddd8837a8b381aebc2e4b933768b981685a9e088360af0d3dd9"
_D2 = "sha256:b3d3e366b55f9a54599220198b3db5da8f53592acbbb7dc7e4e9878762fc5344"
_D3 = "sha256:3561f0cff06caccddb99c93bd26e712fcc56a811de0f8ea7a17bb865f30b176a"


def _at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def _octocat(store: Store) -> None:
    store.add_user("octocat", id=583231)
    store.add_repository(
        "octocat", "octo-name-repo", id=216219492, description="Project for octocats"
    )
    store.add_package(
        "octocat",
        "rubygems",
        "octo-name",
        repository="octo-name-repo",
        id=40201,
        created_at=_at("2019-10-20T14:17:14Z"),
    )
    for ident, name, created, updated, description in (
        (169770, "0.1.0", "2019-10-20T14:17:14Z", "2019-10-20T14:17:15Z", None),
        (387039, "0.2.0", "2019-12-01T20:49:29Z", "2019-12-01T20:49:30Z", "Project for octocats"),
        (3497268, "0.3.0", "2020-08-31T15:22:11Z", "2020-08-31T15:22:12Z", "Project for octocats"),
    ):
        store.add_version(
            "octocat",
            "rubygems",
            "octo-name",
            name,
            id=ident,
            created_at=_at(created),
            updated_at=_at(updated),
            license="MIT",
            description=description,
        )
    store.add_package(
        "octocat",
        "container",
        "hello_docker",
        visibility="private",
        id=40202,
        created_at=_at("2020-05-15T03:46:45Z"),
    )
    for ident, name, tags, created, updated in (
        (214, _D3, ("1.13.6",), "2020-05-15T03:46:45Z", "2020-05-15T03:46:45Z"),
        (881, _D2, (), "2020-05-21T22:22:20Z", "2021-02-05T21:32:32Z"),
        (45763, _D1, ("latest",), "2020-09-11T21:56:40Z", "2021-02-05T21:32:32Z"),
    ):
        store.add_version(
            "octocat",
            "container",
            "hello_docker",
            name,
            id=ident,
            tags=tags,
            created_at=_at(created),
            updated_at=_at(updated),
        )


def _monalisa(store: Store) -> None:
    store.add_user("monalisa", id=1000001)
    for ident, name, created, versions in (
        (197, "hello_docker", "2020-05-19T22:19:11Z", ((836, _D2, ("latest",)),)),
        (
            198,
            "goodbye_docker",
            "2020-05-20T22:19:11Z",
            ((8450, _D3, ("1.0",)), (8451, _D1, ("latest",))),
        ),
    ):
        store.add_package(
            "monalisa", "container", name, visibility="private", id=ident, created_at=_at(created)
        )
        for offset, (vid, digest, tags) in enumerate(versions):
            moment = _at(created) + timedelta(hours=offset)
            store.add_version(
                "monalisa", "container", name, digest, id=vid, tags=tags, created_at=moment
            )
    store.add_package(
        "monalisa",
        "docker",
        "hello_docker",
        visibility="private",
        id=199,
        created_at=_at("2019-06-01T12:00:00Z"),
    )
    store.add_version(
        "monalisa",
        "docker",
        "hello_docker",
        _D2,
        id=700,
        tags=("latest",),
        created_at=_at("2019-06-01T12:00:00Z"),
    )
    store.mark_docker_conflict("monalisa", "docker", "hello_docker")


def _orgs(store: Store) -> None:
    _github_org(store)
    _octo_org(store)


def _github_org(store: Store) -> None:
    store.add_org("github", id=9919)
    store.add_package(
        "github",
        "container",
        "super-linter",
        visibility="public",
        id=200,
        created_at=_at("2020-06-29T15:00:00Z"),
    )
    store.add_version(
        "github",
        "container",
        "super-linter",
        id=786068,
        tags=("latest", "v4"),
        created_at=_at("2021-02-01T10:00:00Z"),
    )


def _octo_org(store: Store) -> None:
    store.add_org("octo-org", id=6811672)
    store.add_package(
        "octo-org",
        "npm",
        "hello-world-npm",
        repository="hello-world-npm",
        id=43752,
        created_at=_at("2019-10-29T15:42:11Z"),
    )
    store.add_version(
        "octo-org",
        "npm",
        "hello-world-npm",
        "1.0.3",
        id=209672,
        created_at=_at("2019-10-29T15:42:11Z"),
        updated_at=_at("2019-10-29T15:42:12Z"),
    )
    store.add_version(
        "octo-org",
        "npm",
        "hello-world-npm",
        "1.0.4",
        id=245301,
        created_at=_at("2019-11-05T22:49:04Z"),
    )
    store.add_package(
        "octo-org",
        "docker",
        "hello-world-docker",
        visibility="private",
        id=43753,
        created_at=_at("2019-07-01T09:00:00Z"),
    )
    store.add_version(
        "octo-org",
        "docker",
        "hello-world-docker",
        id=701,
        tags=("1.0", "latest"),
        created_at=_at("2019-07-01T09:00:00Z"),
    )
    store.mark_docker_conflict("octo-org", "docker", "hello-world-docker")
    store.add_member("octo-org", "octocat", "admin")
    store.add_member("octo-org", "monalisa")


def sample_store() -> Store:
    """A new store with GitHub's documented examples.

    * ``octocat`` (user 583231, added first, so any token authenticates as octocat): rubygems
      ``octo-name`` (40201; versions ``0.3.0`` 3497268, ``0.2.0`` 387039, ``0.1.0`` 169770)
      and private container ``hello_docker`` (versions 45763 ``latest``, 881, 214 ``1.13.6``).
    * ``monalisa`` (user 1000001): private containers ``hello_docker`` (197, one version) and
      ``goodbye_docker`` (198, two versions); docker ``hello_docker``, a migration conflict.
    * ``github`` (org 9919): container ``super-linter`` (version 786068).
    * ``octo-org`` (org 6811672): npm ``hello-world-npm`` (43752, linked to the repository
      ``octo-org/hello-world-npm``; ``1.0.4`` 245301, ``1.0.3`` 209672); docker
      ``hello-world-docker``, a migration conflict. ``octocat`` is an owner (admin) of it,
      ``monalisa`` a member.

    These memberships matter only when the server has declared ``tokens``.
    """
    store = Store()
    _octocat(store)
    _monalisa(store)
    _orgs(store)
    return store


_USERS = (
    "mona hubot ada-lovelace grace-hopper linus-t margaret-h alan-turing katherine-j dennis-r "
    "ken-t barbara-l donald-k edsger-d frances-a john-mc radia-p guido-vr yukihiro-m rasmus-l "
    "bjarne-s james-g anders-h larry-w brendan-e rich-h joe-a sophie-w jean-s"
)
_ORGS = (
    "acme-corp globex initech umbrella-labs hooli stark-industries wayne-enterprises "
    "cyberdyne soylent tyrell wonka-industries aperture-science"
)
_NAMES = (
    "api web worker frontend backend gateway auth-service billing search cache scheduler "
    "notifier docs cli db-migrate ingest"
)


def _containers(store: Store, rng: random.Random, owner: str, org: bool, now: datetime) -> None:
    weights = (45, 40, 15) if org else (60, 40, 0)
    for name in rng.sample(_NAMES.split(), rng.randint(2, 6)):
        visibility = rng.choices(("public", "private", "internal"), weights)[0]
        span = timedelta(days=rng.randint(20, 700))
        store.add_package(
            owner, "container", name, visibility=visibility, created_at=now - span - _DAY
        )
        store.add_versions(owner, "container", name, rng.randint(1, 15), now=now, span=span)


_DAY = timedelta(days=1)


def demo_store(seed: int = 0, now: datetime | None = None) -> Store:
    """A new, deterministic store of realistic data for demos (built in well under 0.2 s).

    40 owners (28 users, ``mona`` first, and 12 organizations), each with 2-6 container
    packages (public, private and, for organizations, some internal) of 1-15 versions;
    ``hooli`` (org) and ``hubot`` (user) have over 250 packages each; ``acme-corp``'s container
    ``web-app`` has 300 versions of mixed tags (semver, ``latest``, ``sha-``, untagged) spread
    over the two years before ``now`` (default :data:`DEMO_NOW`); a few npm, maven, rubygems
    and nuget packages and two docker migration conflicts complete it.
    """
    now = now or DEMO_NOW
    rng = random.Random(seed)
    store = Store()
    for login in _USERS.split():
        store.add_user(login)
        _containers(store, rng, login, False, now)
    for login in _ORGS.split():
        store.add_org(login)
        _containers(store, rng, login, True, now)
    store.add_packages("hooli", "container", 260, visibility="private", now=now)
    store.add_packages("hubot", "container", 255, now=now)
    store.add_package(
        "acme-corp", "container", "web-app", repository="web-app", created_at=now - 800 * _DAY
    )
    store.add_versions("acme-corp", "container", "web-app", 300, now=now)
    for owner, kind, name, count in (
        ("acme-corp", "npm", "ui-kit", 12),
        ("globex", "npm", "globex-sdk", 20),
        ("globex", "nuget", "Globex.Client", 4),
        ("initech", "maven", "com.initech.tps", 8),
        ("grace-hopper", "rubygems", "cobol-rb", 5),
    ):
        store.add_package(owner, kind, name, repository=name, created_at=now - 400 * _DAY)
        store.add_versions(owner, kind, name, count, now=now, span=300 * _DAY)
    for owner, name in (("umbrella-labs", "legacy-api"), ("mona", "old-image")):
        store.add_package(owner, "docker", name, created_at=now - 900 * _DAY)
        store.add_versions(owner, "docker", name, 3, now=now - 700 * _DAY, span=100 * _DAY)
        store.mark_docker_conflict(owner, "docker", name)
    return store
