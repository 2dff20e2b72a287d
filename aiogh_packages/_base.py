"""Compatibility only: the client's machinery now lives in ``client.py`` and ``_operations.py``.

Kept so that modules not yet switched (``retention.py``'s type hints, the benchmarks) still
import; delete once nothing imports ``aiogh_packages._base``.
"""

from __future__ import annotations

from ._operations import PACKAGE, PACKAGES, USER, VERSION, VERSIONS
from .client import DEFAULT_API_VERSION, DEFAULT_BASE_URL
from .client import PackagesClient as ClientBase

__all__ = [
    "DEFAULT_API_VERSION",
    "DEFAULT_BASE_URL",
    "PACKAGE",
    "PACKAGES",
    "USER",
    "VERSION",
    "VERSIONS",
    "ClientBase",
]
