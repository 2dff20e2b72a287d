"""The Structs against GitHub's OpenAPI description: every example decodes, every field exists."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from conftest import EXAMPLES, SPEC_PATH, needs_shared

from aiogh_packages import models

SCHEMA_STRUCTS: dict[str, type[msgspec.Struct]] = {
    "package": models.Package,
    "package-version": models.PackageVersion,
    "simple-user": models.SimpleUser,
    "nullable-simple-user": models.SimpleUser,
    "nullable-minimal-repository": models.MinimalRepository,
    "code-of-conduct": models.CodeOfConduct,
    "security-and-analysis": models.SecurityAndAnalysis,
}


def _spec() -> dict[str, Any]:
    return json.loads(SPEC_PATH.read_text())


def _fields(struct: type[msgspec.Struct]) -> set[str]:
    return set(struct.__struct_fields__)


@needs_shared
@pytest.mark.parametrize("schema", sorted(SCHEMA_STRUCTS))
def test_every_schema_property_has_a_field(schema: str) -> None:
    """Each property the spec documents is a field of the matching Struct."""
    properties = _spec()["components"]["schemas"][schema]["properties"]
    assert set(properties) <= _fields(SCHEMA_STRUCTS[schema])


@needs_shared
@pytest.mark.parametrize("schema", sorted(SCHEMA_STRUCTS))
def test_required_properties_are_required_fields(schema: str) -> None:
    """Fields the spec requires have no default; the others do (GitHub may omit them)."""
    definition = _spec()["components"]["schemas"][schema]
    struct = SCHEMA_STRUCTS[schema]
    required_fields = set(
        struct.__struct_fields__[: len(struct.__struct_fields__) - len(struct.__struct_defaults__)]
    )
    assert required_fields == set(definition.get("required", []))


@needs_shared
def test_version_metadata_properties_have_fields() -> None:
    """Package-version metadata, container and docker metadata cover the spec's properties."""
    metadata = _spec()["components"]["schemas"]["package-version"]["properties"]["metadata"]
    assert set(metadata["properties"]) <= _fields(models.PackageVersionMetadata)
    assert set(metadata["properties"]["container"]["properties"]) <= _fields(
        models.ContainerMetadata
    )
    docker = metadata["properties"]["docker"]
    assert set(docker["properties"]) | set(docker["required"]) <= _fields(models.DockerMetadata)


@needs_shared
def test_nullable_properties_accept_null() -> None:
    """Every property the spec marks nullable decodes from JSON null."""
    schemas = _spec()["components"]["schemas"]
    for schema, struct in SCHEMA_STRUCTS.items():
        hints = msgspec.structs.fields(struct)
        for field in hints:
            prop = schemas[schema]["properties"].get(field.encode_name, {})
            if prop.get("nullable"):
                assert type(None) in getattr(field.type, "__args__", ()), f"{schema}.{field.name}"


def _examples() -> list[str]:
    if not EXAMPLES.is_dir():
        return []
    return sorted(p.parent.name for p in EXAMPLES.glob("*/default.json"))


@needs_shared
@pytest.mark.parametrize("operation", _examples() or ["(no examples)"])
def test_every_spec_example_decodes(operation: str) -> None:
    """Each official example response decodes into the Struct its operation returns."""
    body = (EXAMPLES / operation / "default.json").read_bytes()
    item = models.PackageVersion if "version" in operation else models.Package
    many = isinstance(json.loads(body), list)
    decoded = msgspec.json.decode(body, type=list[item] if many else item)  # type: ignore[valid-type]
    assert decoded


@needs_shared
def test_examples_cover_all_fifteen_get_operations() -> None:
    """The spec ships an example for every GET; none is silently skipped."""
    assert len(_examples()) == 15


def test_unknown_fields_and_enum_values_are_accepted() -> None:
    """New keys are ignored and visibility 'internal' (not in the spec's enum) decodes."""
    body = {
        "id": 1,
        "name": "n",
        "package_type": "cargo",
        "url": "u",
        "html_url": "h",
        "version_count": 1,
        "visibility": "internal",
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
        "brand_new_field": {"x": 1},
    }
    pkg = msgspec.convert(body, models.Package)
    assert (pkg.visibility, pkg.package_type, pkg.owner) == ("internal", "cargo", None)
    assert pkg.created_at.tzinfo is not None


@pytest.mark.parametrize("key", ["tag", "tags"])
def test_docker_metadata_accepts_tag_or_tags(key: str) -> None:
    """The spec names the docker property 'tag' but requires 'tags': both decode to .tags."""
    meta = msgspec.convert(
        {"package_type": "docker", "docker": {key: ["v1", "latest"]}}, models.PackageVersionMetadata
    )
    assert meta.docker is not None
    assert meta.docker.tags == ("v1", "latest") == meta.docker.tag


def test_version_tags_property() -> None:
    """PackageVersion.tags reads container tags, docker tags, or nothing."""
    base = {
        "id": 1,
        "name": "n",
        "url": "u",
        "package_html_url": "p",
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
    }
    assert msgspec.convert(base, models.PackageVersion).tags == ()
    container = {**base, "metadata": {"package_type": "container", "container": {"tags": ["a"]}}}
    assert msgspec.convert(container, models.PackageVersion).tags == ("a",)
    npm = {**base, "metadata": {"package_type": "npm"}}
    assert msgspec.convert(npm, models.PackageVersion).tags == ()


def test_literal_aliases_narrow_decoded_strings() -> None:
    """typing.get_args of an alias tells a known value from one GitHub added later."""
    from typing import get_args

    from aiogh_packages import PackageType, PackageVisibility

    assert get_args(PackageVisibility) == ("public", "private", "internal")
    assert "container" in get_args(PackageType) and "pypi" not in get_args(PackageType)
