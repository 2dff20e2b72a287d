"""The token doctor's pure rules: kinds by prefix, abilities, problems and prune's blockers."""

from __future__ import annotations

import pytest

from aiogh_packages._sansio.auth import (
    FINE_GRAINED_FIX,
    AuthStatus,
    blockers,
    evaluate_token,
    parse_scopes,
    token_abilities,
    token_kind,
)

ALL = "read:packages, write:packages, delete:packages"


@pytest.mark.parametrize(
    ("token", "kind"),
    [
        ("ghp_" + "a" * 36, "classic"),
        ("github_pat_" + "b" * 82, "fine-grained"),
        ("gho_" + "c" * 36, "oauth"),
        ("ghs_" + "d" * 36, "installation"),
        ("ghu_" + "e" * 36, "user-to-server"),
        ("0123456789abcdef0123456789abcdef01234567", "unknown"),
        (None, "none"),
    ],
)
def test_token_kind_comes_from_the_prefix(token: str | None, kind: str) -> None:
    """Each documented prefix names its kind; anything else is unknown."""
    assert token_kind(token) == kind


@pytest.mark.parametrize("length", [4, 40, 93, 520, 2000])
def test_token_kind_never_depends_on_length(length: int) -> None:
    """A ghs_ token is an installation token however long (520 since April 2026)."""
    assert token_kind("ghs_" + "x" * (length - 4)) == "installation"


def test_parse_scopes_splits_and_trims_and_tells_absent_from_empty() -> None:
    """A header lists scopes; an empty header is no scopes; no header is unknown."""
    assert parse_scopes(" read:packages,  repo ,") == ("read:packages", "repo")
    assert parse_scopes("") == ()
    assert parse_scopes(None) is None


def _verdicts(status: AuthStatus) -> dict[str, str]:
    return {a.action: a.verdict for a in status.abilities}


def test_classic_token_with_every_scope_can_read_delete_and_restore() -> None:
    """A classic token's abilities follow its scopes, and nothing is a problem."""
    status = evaluate_token(kind="classic", login="octocat", scopes_header=ALL,
                            required_scopes=("read:packages", "delete:packages"))  # fmt: skip
    assert status.ok and status.scopes == ("read:packages", "write:packages", "delete:packages")
    assert _verdicts(status) == {"read": "yes", "delete": "yes", "restore": "yes"}


def test_classic_token_without_scopes_cannot_read_and_is_told_the_fix() -> None:
    """A scope-less classic token lacks read:packages; the fix names the scope."""
    status = evaluate_token(kind="classic", login="octocat", scopes_header="",
                            required_scopes=("read:packages",))  # fmt: skip
    assert status.missing_scopes == ("read:packages",)
    assert "gh auth refresh -s read:packages" in status.problems[0]
    read = status.abilities[0]
    assert read.verdict == "no" and read.fix and "read:packages" in read.fix


def test_scopes_unknown_when_github_sends_no_scopes_header() -> None:
    """Without X-OAuth-Scopes the abilities depend on what the token has."""
    abilities = token_abilities("oauth", None)
    assert {a.verdict for a in abilities} == {"depends"}


def test_fine_grained_token_is_refused_with_the_classic_pat_fix() -> None:
    """A fine-grained token is a problem whose fix is a classic PAT with the two scopes."""
    status = evaluate_token(kind="fine-grained", login="octocat", scopes_header=None,
                            required_scopes=("read:packages",))  # fmt: skip
    assert not status.ok
    assert FINE_GRAINED_FIX in status.problems[0]
    assert "use a classic PAT with read:packages, delete:packages" in FINE_GRAINED_FIX
    assert set(_verdicts(status).values()) == {"no"}


def test_user_to_server_token_is_refused() -> None:
    """A ghu_ token cannot use the Packages API."""
    status = evaluate_token(kind="user-to-server", login="octocat", scopes_header=None,
                            required_scopes=())  # fmt: skip
    assert "user-to-server token cannot use the Packages API" in status.problems[0]


def test_installation_token_refused_on_user_is_no_problem() -> None:
    """An Actions token answered 403 on GET /user is fine: it acts for a repository."""
    status = evaluate_token(kind="installation", login=None, scopes_header=None,
                            required_scopes=("read:packages",), user_forbidden=True)  # fmt: skip
    assert status.ok
    assert _verdicts(status)["list org packages"] == "no"
    assert _verdicts(status)["user packages"] == "no"
    assert _verdicts(status)["delete"] == "depends"


def test_installation_token_answered_401_was_not_accepted() -> None:
    """An expired Actions token (401) is a problem like any refused token."""
    status = evaluate_token(kind="installation", login=None, scopes_header=None,
                            required_scopes=())  # fmt: skip
    assert "did not accept the token" in status.problems[0]


def test_no_token_and_unknown_prefix() -> None:
    """No token is a problem; an unknown prefix only makes the abilities uncertain."""
    none = evaluate_token(kind="none", login=None, scopes_header=None, required_scopes=())
    assert none.problems[0].startswith("no token")
    unknown = evaluate_token(kind="unknown", login="octocat", scopes_header=None,
                             required_scopes=())  # fmt: skip
    assert unknown.ok and {a.verdict for a in unknown.abilities} == {"depends"}


def _installation() -> AuthStatus:
    return evaluate_token(kind="installation", login=None, scopes_header=None,
                          required_scopes=(), user_forbidden=True)  # fmt: skip


def test_blockers_stop_an_actions_token_listing_an_org() -> None:
    """A glob over an org's packages needs the listing an Actions token gets 400 for."""
    found = blockers(_installation(), owner_kind="org", lists_packages=True, deletes=True)
    assert len(found) == 1 and '400 "Invalid argument."' in found[0]
    assert "--package NAME" in found[0]


def test_blockers_let_an_actions_token_try_named_org_packages() -> None:
    """Named org packages may be linked to the token's repository: nothing blocks."""
    assert blockers(_installation(), owner_kind="org", lists_packages=False, deletes=True) == ()


@pytest.mark.parametrize("owner_kind", ["user", "authenticated_user"])
def test_blockers_stop_an_actions_token_on_user_packages(owner_kind: str) -> None:
    """User-owned packages answer 403 to an Actions token."""
    found = blockers(_installation(), owner_kind=owner_kind, lists_packages=False, deletes=False)
    assert len(found) == 1 and "Resource not accessible by integration" in found[0]


def test_blockers_need_delete_scope_only_when_deleting() -> None:
    """A read-only classic token may plan (dry run) but not delete."""
    status = evaluate_token(kind="classic", login="octocat", scopes_header="read:packages",
                            required_scopes=("read:packages",))  # fmt: skip
    assert blockers(status, owner_kind="org", lists_packages=True, deletes=False) == ()
    found = blockers(status, owner_kind="org", lists_packages=True, deletes=True)
    assert found == (
        "cannot delete: the token lacks delete:packages; add delete:packages to the classic "
        "PAT, or run: gh auth refresh -s delete:packages",
    )
