"""The public surface, pinned: a name added or removed is a deliberate change."""

from __future__ import annotations

import inspect

import aiogh_packages
import aiogh_packages.testing

EXPECTED = {
    "APIError",
    "AuthError",
    "AuthStatus",
    "CachedResponse",
    "ContainerMetadata",
    "DecodeError",
    "Decision",
    "DockerMetadata",
    "ETagCache",
    "FanOut",
    "FanOutError",
    "FanOutItem",
    "FanOutResult",
    "ForbiddenError",
    "JournalEntry",
    "LinkLoopError",
    "Listing",
    "LocalRateBudget",
    "MemoryETagCache",
    "MinimalRepository",
    "NotFoundAfterRetryError",
    "NotFoundError",
    "Owner",
    "OwnerKind",
    "Package",
    "PackageState",
    "PackageType",
    "PackageVersion",
    "PackageVersionMetadata",
    "PackageVisibility",
    "PackagesClient",
    "PackagesError",
    "Page",
    "PlannedVersion",
    "RateBudget",
    "RateLimit",
    "RateLimitError",
    "RegistryClient",
    "RestoreReport",
    "RetentionLimitError",
    "RetentionPlan",
    "RetentionPolicy",
    "RetentionReport",
    "RetryEvent",
    "ServerError",
    "SimpleUser",
    "TransportError",
    "UnsafeURLError",
    "ValidationFailed",
    "VersionSummary",
    "WaitEvent",
    "__version__",
    "fan_out",
    "parse_duration",
    "plan_retention",
    "read_image_graph",
    "validate_package",
}


def test_all_is_pinned_and_sorted() -> None:
    """__all__ lists exactly the public names, sorted, and each one exists."""
    assert set(aiogh_packages.__all__) == EXPECTED
    assert list(aiogh_packages.__all__) == sorted(aiogh_packages.__all__)
    assert all(hasattr(aiogh_packages, name) for name in aiogh_packages.__all__)


def test_testing_exports_the_fake_server() -> None:
    """aiogh_packages.testing offers the fake server, its store, faults and seed data."""
    for name in (
        "FakeGitHub",
        "Fault",
        "RecordedRequest",
        "Store",
        "TokenInfo",
        "demo_store",
        "sample_store",
        "FakeRegistry",
        "ManualClock",
        "MultiArchImage",
        "add_multiarch_demo",
        "add_multiarch_image",
    ):
        assert name in aiogh_packages.testing.__all__


def test_public_classes_and_functions_have_docstrings() -> None:
    """Every public class and function carries a docstring (type aliases have none to carry)."""
    for name in aiogh_packages.__all__:
        obj = getattr(aiogh_packages, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert (obj.__doc__ or "").strip(), name


def test_client_methods_have_docstrings() -> None:
    """Every public PackagesClient method is documented."""
    for name in dir(aiogh_packages.PackagesClient):
        if not name.startswith("_"):
            member = getattr(aiogh_packages.PackagesClient, name)
            assert (member.__doc__ or "").strip(), name


def test_public_names_report_the_public_module() -> None:
    """Every public class, function and alias says it lives in ``aiogh_packages``."""
    for name in aiogh_packages.__all__:
        if name != "__version__":
            assert getattr(aiogh_packages, name).__module__ == "aiogh_packages", name
