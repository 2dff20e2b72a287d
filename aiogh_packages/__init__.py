"""aiogh_packages: an asyncio SDK for the GitHub Packages REST API."""

from ._sansio.auth import AuthStatus
from ._sansio.ratelimit import RateLimit
from ._sansio.retention_plan import (
    Decision,
    PlannedVersion,
    RetentionPlan,
    RetentionPolicy,
    parse_duration,
    plan_retention,
)
from ._version import __version__
from .budget import LocalRateBudget, RateBudget
from .cache import CachedResponse, ETagCache, MemoryETagCache
from .client import PackagesClient
from .errors import (
    APIError,
    AuthError,
    DecodeError,
    ForbiddenError,
    LinkLoopError,
    NotFoundAfterRetryError,
    NotFoundError,
    PackagesError,
    RateLimitError,
    ServerError,
    TransportError,
    UnsafeURLError,
    ValidationFailed,
)
from .events import RetryEvent, WaitEvent
from .fanout import FanOut, FanOutError, FanOutItem, FanOutResult, fan_out
from .images import read_image_graph, validate_package
from .models import (
    ContainerMetadata,
    DockerMetadata,
    MinimalRepository,
    Package,
    PackageState,
    PackageType,
    PackageVersion,
    PackageVersionMetadata,
    PackageVisibility,
    SimpleUser,
    VersionSummary,
)
from .owner import Owner, OwnerKind
from .pagination import Listing, Page
from .registry import RegistryClient
from .retention import JournalEntry, RestoreReport, RetentionLimitError, RetentionReport

__all__ = [
    "APIError",
    "AuthError",
    "AuthStatus",
    "CachedResponse",
    "ContainerMetadata",
    "Decision",
    "DecodeError",
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
]


def _publish() -> None:
    """Report every public name as ``aiogh_packages.X`` in help(), hovers and reprs.

    A class's string annotations are resolved first, in its defining module, because
    msgspec and ``typing.get_type_hints`` look them up in ``sys.modules[cls.__module__]``.
    """
    from typing import get_type_hints

    for name in __all__:
        obj = globals()[name]
        if isinstance(obj, type) and "__annotations__" in vars(obj):
            hints = get_type_hints(obj, include_extras=True)
            obj.__annotations__ = {key: hints[key] for key in vars(obj)["__annotations__"]}
        if not isinstance(obj, str):  # __version__
            obj.__module__ = __name__


_publish()
del _publish
