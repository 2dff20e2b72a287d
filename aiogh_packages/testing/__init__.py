"""A fake GitHub Packages API to test code that talks to GitHub, without the network.

``FakeGitHub`` is a real aiohttp server on loopback serving all 27 Packages operations from an
in-memory ``Store``, with GitHub's pagination, rate limits, token rules, ETags and scriptable
``Fault``\\ s. It is written independently of the client in this package.
"""

from .auth import TokenInfo
from .faults import Fault, FaultKind, RecordedRequest
from .records import OwnerRecord, PackageRecord, RepositoryRecord, VersionRecord
from .registry import FakeRegistry, MultiArchImage, add_multiarch_demo, add_multiarch_image
from .seed import demo_store, sample_store
from .server import FakeGitHub
from .store import Store
from .threaded import ThreadedFakeGitHub

__all__ = [
    "FakeGitHub",
    "FakeRegistry",
    "Fault",
    "FaultKind",
    "MultiArchImage",
    "OwnerRecord",
    "PackageRecord",
    "RecordedRequest",
    "RepositoryRecord",
    "Store",
    "ThreadedFakeGitHub",
    "TokenInfo",
    "VersionRecord",
    "add_multiarch_demo",
    "add_multiarch_image",
    "demo_store",
    "sample_store",
]
