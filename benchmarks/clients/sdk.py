"""aiogh_packages, configured as the benchmarks prescribe."""

from __future__ import annotations

import inspect

import msgspec

from aiogh_packages import FanOutError, FanOutItem, Package, PackagesClient

from ..data import Tally
from . import TOKEN

__all__ = ["SdkClient", "sdk_config", "sdk_defaults", "sdk_page_decoder"]


def _default(name: str) -> object:
    return inspect.signature(PackagesClient).parameters[name].default


def sdk_defaults() -> tuple[int, int]:
    """The SDK's default ``max_concurrency`` and ``prefetch_window`` (None: max_concurrency)."""
    concurrency = int(str(_default("max_concurrency")))
    window = _default("prefetch_window")
    return concurrency, concurrency if window is None else int(str(window))


def sdk_config(max_concurrency: int | None, prefetch_window: int | None = None) -> str:
    """How the SDK is configured, as printed beside its figures (None: the SDK's default)."""
    if max_concurrency is None:
        settings = ", ".join(
            f"{name}={_default(name)}"
            for name in (
                "max_concurrency",
                "prefetch_window",
                "points_per_minute",
                "write_interval",
            )
        )
        return f"SDK defaults ({settings})"
    window = str(prefetch_window)
    if prefetch_window is None:
        default = _default("prefetch_window")
        window = f"{default} (default: max_concurrency)" if default is None else f"{default}"
    return (
        f"max_concurrency={max_concurrency}, prefetch_window={window}, "
        "points_per_minute=None, write_interval=0"
    )


def sdk_page_decoder() -> tuple[msgspec.json.Decoder[list[Package]], str]:
    """The prebuilt decoder ``PackagesClient`` uses for a page of packages, and its name.

    Looked up rather than imported by name so a refactor of the library's internals shows
    up here as "(rebuilt)" instead of breaking the suite.
    """
    import importlib

    for module in ("aiogh_packages._operations", "aiogh_packages.client"):
        try:
            found = vars(importlib.import_module(module))
        except ImportError:
            continue
        for name, value in found.items():
            if isinstance(value, msgspec.json.Decoder) and value.type == list[Package]:
                return value, f"{module}.{name}"
    return msgspec.json.Decoder(list[Package]), "msgspec.json.Decoder(list[Package]) (rebuilt)"


class SdkClient:
    """``PackagesClient`` with its defaults (``max_concurrency=None``), or else tuned.

    Tuned means the given ``max_concurrency``/``prefetch_window`` and no client-side
    budget or write spacing.
    """

    def __init__(
        self,
        base_url: str,
        *,
        max_concurrency: int | None,
        prefetch_window: int | None = None,
        label: str = "aiogh_packages",
    ) -> None:
        self.label = label
        self.config = sdk_config(max_concurrency, prefetch_window)
        if max_concurrency is None:
            self.gh = PackagesClient(token=TOKEN, base_url=base_url)
            return
        self.gh = PackagesClient(
            token=TOKEN,
            base_url=base_url,
            max_concurrency=max_concurrency,
            points_per_minute=None,
            write_interval=0,
            prefetch_window=prefetch_window,
        )

    async def list_user(self, login: str) -> Tally:
        tally = Tally()
        add = tally.add
        async for pkg in self.gh.iter_user_packages(login, "container"):
            add(pkg.id)
        return tally

    async def fan_out(self, logins: list[str]) -> Tally:
        """``fan_out_user_packages`` over ``logins`` (concurrency = max_concurrency)."""
        tally = Tally()
        async for result in self.gh.fan_out_user_packages(logins, "container"):
            if isinstance(result, FanOutItem):
                tally.add(result.item.id)
            elif isinstance(result, FanOutError):
                raise result.error
        return tally

    async def aclose(self) -> None:
        await self.gh.aclose()
