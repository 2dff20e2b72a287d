"""A fake GitHub Packages API to test code that talks to GitHub, without the network.

``FakeGitHub`` is a real aiohttp server on loopback serving all 27 Packages operations from an
in-memory ``Store``, with GitHub's pagination, rate limits, token rules, ETags and scriptable
``Fault``\\ s. It is written independently of the client in this package (it never imports
``aiogh_packages._sansio`` or the client), so it catches the client's mistakes.

It always refuses deleting a package's last version or a popular public version, and
restores after 30 days. Without declared tokens it is otherwise permissive (any token is the
store's admin user); with ``tokens=`` it also refuses anonymous requests, packages the
token's user cannot read or administer, fine-grained PATs and Actions tokens outside their
repository. ``secondary_limits=True`` adds GitHub's secondary rate limits; a
``ManualClock`` moves the server's time.
"""

from .auth import TokenInfo
from .clock import ManualClock
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
    "ManualClock",
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
