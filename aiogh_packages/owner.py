"""The owner scope of a package: a user, an organization, or the authenticated user.

GitHub's Packages API has every operation three times, once per owner scope
(https://docs.github.com/rest/packages/packages). :class:`Owner` is that scope as one
value, so a caller that picks user-vs-org at run time (a CLI, a config file, a fan-out over
many owners) passes it to the owner-generic operations of ``PackagesClient``.
"""

from __future__ import annotations

import msgspec

from ._sansio.routes import OwnerKind, check_name

__all__ = ["Owner", "OwnerKind"]

OWNER_KINDS: tuple[OwnerKind, ...] = ("user", "org", "authenticated_user")
_ME_WORDS = frozenset({"me", "@me", "authenticated_user"})
_SYNTAX = "'user:NAME', 'org:NAME' or 'me'"


class Owner(msgspec.Struct, frozen=True, order=True):
    """Whose packages an operation works on; make one with the classmethods.

    ``Owner.user("octocat")``, ``Owner.org("acme")``, ``Owner.authenticated_user()``, or
    ``Owner.parse("org:acme")`` from text. Hashable and ordered, so owners can be set
    members and dict keys. ``str()`` reads well in messages: ``user octocat``,
    ``org acme``, ``the authenticated user``.

    Attributes:
        kind: ``user``, ``org`` or ``authenticated_user``.
        name: the login of the user or organization; None for the authenticated user.
    """

    kind: OwnerKind
    name: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in OWNER_KINDS:
            raise ValueError(f"owner kind {self.kind!r} is not one of: {', '.join(OWNER_KINDS)}")
        if self.kind == "authenticated_user":
            if self.name is not None:
                raise ValueError(
                    f"the authenticated user takes no name, got {self.name!r}; "
                    "use Owner.user(name) for another user"
                )
            return
        check_name(self.name, "username" if self.kind == "user" else "org")
        if any(c.isspace() or c == "/" for c in str(self.name)):
            raise ValueError(f"{self.kind} name {self.name!r} must not contain spaces or '/'")

    @classmethod
    def user(cls, username: str) -> Owner:
        """A user account, by login."""
        return cls("user", username)

    @classmethod
    def org(cls, org: str) -> Owner:
        """An organization, by login."""
        return cls("org", org)

    @classmethod
    def authenticated_user(cls) -> Owner:
        """The user the token belongs to (``/user/packages``)."""
        return cls("authenticated_user", None)

    @classmethod
    def parse(cls, text: str) -> Owner:
        """An owner from ``user:NAME``, ``org:NAME`` or ``me`` (for CLIs and config files).

        Raises:
            ValueError: the text is none of those forms, naming it and what is accepted.
        """
        if not isinstance(text, str):
            raise TypeError(f"owner must be a str such as {_SYNTAX}, got {text!r}")
        value = text.strip()
        if value.lower() in _ME_WORDS:
            return cls.authenticated_user()
        prefix, colon, rest = value.partition(":")
        kind = prefix.strip().lower()
        if not colon or kind not in ("user", "org"):
            raise ValueError(f"owner {text!r} is not of the form {_SYNTAX}")
        return cls(kind, rest.strip())  # type: ignore[arg-type]  # narrowed by the check above

    @property
    def is_authenticated_user(self) -> bool:
        """True for the token's own account."""
        return self.kind == "authenticated_user"

    def spec(self) -> str:
        """The text :meth:`parse` reads back: ``user:octocat``, ``org:acme`` or ``me``."""
        return "me" if self.name is None else f"{self.kind}:{self.name}"

    def __str__(self) -> str:
        return "the authenticated user" if self.name is None else f"{self.kind} {self.name}"
