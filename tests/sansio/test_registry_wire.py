"""Registry wire rules: repository paths, challenges, tokens, manifests and retries."""

from __future__ import annotations

import msgspec
import pytest

from aiogh_packages._sansio import registry_wire as wire


@pytest.mark.parametrize(
    ("owner", "package", "path"),
    [
        ("Acme", "web-app", "acme/web-app"),
        ("acme", "tools/web-app", "acme/tools/web-app"),
        ("acme", "tools%2Fweb-app", "acme/tools/web-app"),
        ("acme", "a.b_c__d--e", "acme/a.b_c__d--e"),
    ],
)
def test_repository_path_lowercases_owner_and_keeps_nested_slashes(
    owner: str, package: str, path: str
) -> None:
    """The owner is lower-cased; ``/`` (or an API-style ``%2F``) nests the repository path."""
    assert wire.repository_path(owner, package) == path


@pytest.mark.parametrize("package", ["Web-App", "a//b", "../x", "a%20b", "", "-a", "a/"])
def test_repository_path_refuses_names_outside_the_grammar(package: str) -> None:
    """A name the distribution grammar does not admit raises ValueError naming it."""
    with pytest.raises(ValueError, match="registry repository name"):
        wire.repository_path("acme", package)


def test_manifest_path_accepts_digest_and_tag_and_refuses_others() -> None:
    """Digests and tags make a manifest path; anything else raises ValueError."""
    digest = "sha256:" + "a" * 64
    assert wire.manifest_path("acme/app", digest) == f"/v2/acme/app/manifests/{digest}"
    assert wire.manifest_path("acme/app", "v1.0") == "/v2/acme/app/manifests/v1.0"
    with pytest.raises(ValueError, match="neither a digest"):
        wire.manifest_path("acme/app", "../x")


@pytest.mark.parametrize(
    ("base", "registry"),
    [
        ("https://api.github.com", "https://ghcr.io"),
        ("https://ghe.example.com/api/v3", "https://containers.ghe.example.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ],
)
def test_default_registry_url_follows_the_api(base: str, registry: str) -> None:
    """github.com uses ghcr.io, GHES its containers. host, anything else its own origin."""
    assert wire.default_registry_url(base) == registry


def test_parse_challenge_reads_realm_service_and_scope() -> None:
    """A Bearer WWW-Authenticate value gives realm, service and scope."""
    header = 'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull"'
    assert wire.parse_challenge(header) == wire.Challenge(
        realm="https://ghcr.io/token", service="ghcr.io", scope="repository:a/b:pull"
    )


@pytest.mark.parametrize("header", [None, "", 'Basic realm="x"', 'Bearer service="x"'])
def test_parse_challenge_is_none_without_a_bearer_realm(header: str | None) -> None:
    """No challenge without a Bearer scheme and a realm."""
    assert wire.parse_challenge(header) is None


def test_parse_token_uses_expires_in_or_sixty_seconds() -> None:
    """The token expires ``expires_in`` after now, 60 s when the realm omits it."""
    assert wire.parse_token(b'{"token":"x","expires_in":300}', 100.0).expires_at == 400.0
    assert wire.parse_token(b'{"access_token":"y"}', 100.0).expires_at == 160.0


def test_parse_token_refuses_an_answer_without_token() -> None:
    """A token answer without a token raises ValueError."""
    with pytest.raises(ValueError, match="without a token"):
        wire.parse_token(b"{}", 0.0)


def test_token_repr_hides_the_token() -> None:
    """A RegistryToken's repr never shows the token."""
    token = wire.RegistryToken(token="secret-value", expires_at=1.0)
    assert "secret-value" not in repr(token)
    assert not token.is_fresh(0.0)


def test_decode_manifest_dispatches_on_media_type() -> None:
    """An index decodes to ImageIndex, a manifest to ImageManifest, by ``mediaType``."""
    index = b'{"mediaType":"%s","manifests":[{"digest":"sha256:1","platform":{"os":"linux"}}]}'
    decoded = wire.decode_manifest(index % wire.DOCKER_LIST.encode())
    assert isinstance(decoded, wire.ImageIndex)
    assert decoded.manifests[0].platform == wire.Platform(os="linux")
    image = b'{"layers":[],"config":{"digest":"sha256:2"},"artifactType":"x"}'
    decoded_image = wire.decode_manifest(image, wire.OCI_MANIFEST + "; charset=utf-8")
    assert isinstance(decoded_image, wire.ImageManifest)
    assert decoded_image.artifact_type == "x"


def test_decode_manifest_refuses_an_unknown_media_type() -> None:
    """An unknown media type raises ValueError (callers fail closed)."""
    with pytest.raises(ValueError, match="unknown manifest media type"):
        wire.decode_manifest(
            b'{"mediaType":"application/vnd.docker.distribution.manifest.v1+json"}'
        )


def test_decode_manifest_refuses_bad_json() -> None:
    """A body that is not JSON raises msgspec's DecodeError."""
    with pytest.raises(msgspec.DecodeError):
        wire.decode_manifest(b"not json")


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({}, None),
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": "Thu, 01 Jan 1970 00:01:40 GMT"}, 40.0),
        ({"retry-after": "soon"}, None),
    ],
)
def test_retry_after_reads_seconds_or_a_date(headers: dict[str, str], wait: float | None) -> None:
    """Retry-After is delta seconds or an HTTP date; anything else is ignored."""
    assert wire.retry_after_s(headers, 60.0) == wait


@pytest.mark.parametrize(
    ("status", "attempt", "retry"),
    [
        (None, 1, True),
        (429, 1, True),
        (503, 1, True),
        (503, 4, False),
        (404, 1, False),
        (401, 1, False),
    ],
)
def test_should_retry_faults_rate_limits_and_5xx_only(
    status: int | None, attempt: int, retry: bool
) -> None:
    """Faults, 429 and 5xx are sent again until the attempts are used; other 4xx never."""
    assert wire.should_retry(status, attempt, 4) is retry
