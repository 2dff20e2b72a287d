"""The token doctor against the fake GitHub's token kinds: the client, auth-status and prune.

Tokens are declared with ``FakeGitHub(tokens=...)``: classic with and without scopes,
fine-grained (refused), and Actions tokens acting for a repository.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aiogh_packages import PackagesClient
from aiogh_packages._cli.session import gh_auth_token
from aiogh_packages.testing import FakeGitHub, Store, TokenInfo

CLI = (sys.executable, "-m", "aiogh_packages")
ROOT = Path(__file__).resolve().parents[1]
OLD = datetime.now(timezone.utc) - timedelta(days=400)

CLASSIC = "ghp_classicDoctor_DO_NOT_LEAK_0001"
READ_ONLY = "ghp_readOnlyDoctor_DO_NOT_LEAK_0002"
NO_SCOPES = "ghp_noScopesDoctor_DO_NOT_LEAK_0003"
FINE = "github_pat_fineDoctor_DO_NOT_LEAK_0004"
ACTIONS = "ghs_" + "A" * 516  # ~520 characters, as App and Actions tokens can be since April 2026
SECRETS = (CLASSIC, READ_ONLY, NO_SCOPES, FINE, ACTIONS)
TOKENS = {
    CLASSIC: TokenInfo("octocat"),
    READ_ONLY: TokenInfo("octocat", scopes=("read:packages",)),
    NO_SCOPES: TokenInfo("octocat", scopes=()),
    FINE: TokenInfo("octocat", kind="fine_grained"),
    ACTIONS: TokenInfo.actions("acme/web"),
}


def _store() -> Store:
    """User octocat with container mine; org acme's container web, admin for acme/web's token."""
    store = Store()
    store.add_user("octocat")
    store.add_org("acme")
    store.add_package("acme", "container", "web", repository="web")
    store.grant("acme", "container", "web", "admin", repository="acme/web")
    store.add_package("octocat", "container", "mine")
    for i in range(3):
        store.add_version("acme", "container", "web", id=101 + i, created_at=OLD + timedelta(i))
        store.add_version("octocat", "container", "mine", id=201 + i, created_at=OLD)
    return store


@pytest.fixture
def gh_server() -> Iterator[FakeGitHub]:
    """A threaded fake GitHub that knows only the tokens above."""
    with FakeGitHub.in_thread(store=_store(), tokens=TOKENS) as fake:
        yield fake


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    env.update(NO_COLOR="1", PYTHONPATH=str(ROOT))
    env.pop("GITHUB_ACTIONS", None)
    env.update(extra)
    return env


def cli(
    server: FakeGitHub, *args: str, token: str | None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI on ``server``; no token ever shows in its output."""
    pacing = ["--write-interval", "0"] if args[0] in ("prune", "undo") else []
    argv = [*CLI, *args, "--base-url", server.base_url, *pacing]
    done = subprocess.run(
        [*argv, *(["--token", token] if token else [])], capture_output=True, text=True,
        env=env or _env(), stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr
    return done


def _paths(server: FakeGitHub) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.requests]


# -- the client ---------------------------------------------------------------------------------


async def test_classic_token_with_scopes_is_ok_and_can_delete(gh_server: FakeGitHub) -> None:
    """A classic token with the default scopes: login, scopes, every ability yes."""
    async with PackagesClient(CLASSIC, base_url=gh_server.base_url) as gh:
        status = await gh.auth_status(("read:packages", "delete:packages"))
    assert status.ok and status.kind == "classic" and status.login == "octocat"
    assert "delete:packages" in status.scopes
    assert {a.action: a.verdict for a in status.abilities}["delete"] == "yes"


async def test_classic_token_without_scopes_lacks_read_packages(gh_server: FakeGitHub) -> None:
    """A classic token with no scopes: the missing scope and its fix."""
    async with PackagesClient(NO_SCOPES, base_url=gh_server.base_url) as gh:
        status = await gh.auth_status()
    assert status.missing_scopes == ("read:packages",) and not status.ok
    assert status.scopes == ()


async def test_fine_grained_token_gets_the_classic_pat_advice(gh_server: FakeGitHub) -> None:
    """A fine-grained token is unusable, with GitHub's refusal and the fix."""
    async with PackagesClient(FINE, base_url=gh_server.base_url) as gh:
        status = await gh.auth_status()
    assert status.kind == "fine-grained" and not status.ok
    assert (
        "GitHub does not accept fine-grained tokens on the Packages API; use a classic PAT "
        "with read:packages, delete:packages"
    ) in status.problems[0]


async def test_long_actions_token_is_an_installation_token_refused_only_for_users(
    gh_server: FakeGitHub,
) -> None:
    """A 520-character ghs_ token: no login (GET /user is 403), no problem, org listing ruled out."""
    async with PackagesClient(ACTIONS, base_url=gh_server.base_url) as gh:
        status = await gh.auth_status()
    assert status.kind == "installation" and status.login is None and status.ok
    abilities = {a.action: a for a in status.abilities}
    assert abilities["list org packages"].verdict == "no"
    assert "Invalid argument." in abilities["list org packages"].reason
    assert abilities["user packages"].verdict == "no"


# -- auth-status ----------------------------------------------------------------------------


def test_auth_status_names_kind_and_explains_an_actions_token(gh_server: FakeGitHub) -> None:
    """auth-status on an Actions token: its kind, its source and what it cannot do, and why."""
    done = cli(gh_server, "auth-status", token=ACTIONS)
    assert done.returncode == 0, done.stderr
    assert "Actions GITHUB_TOKEN or GitHub App installation token" in done.stdout
    assert "source      --token" in done.stdout
    assert 'cannot list org packages: GitHub answers 400 "Invalid argument."' in done.stdout
    assert "cannot user packages" in done.stdout


def test_auth_status_json_carries_abilities_and_source(gh_server: FakeGitHub) -> None:
    """--json: the abilities with reason and fix, and the token's source."""
    done = cli(gh_server, "auth-status", "--json", token=None, env=_env(GH_TOKEN=READ_ONLY))
    status = json.loads(done.stdout)
    assert status["source"] == "GH_TOKEN" and status["kind"] == "classic"
    delete = next(a for a in status["abilities"] if a["action"] == "delete")
    assert delete["verdict"] == "no" and "delete:packages" in delete["fix"]


# -- prune's pre-flight check -----------------------------------------------------------------


PRUNE = ("prune", "--type", "container", "--keep-latest", "1", "--yes")


def test_prune_with_a_fine_grained_token_stops_before_planning(gh_server: FakeGitHub) -> None:
    """Exit 4 with the fix; nothing but GET /user was sent."""
    done = cli(gh_server, *PRUNE, "--org", "acme", "web", token=FINE)
    assert done.returncode == 4, done.stderr
    assert "GitHub does not accept fine-grained tokens on the Packages API" in done.stderr
    assert _paths(gh_server) == ["GET /user"]


def test_prune_glob_with_an_actions_token_on_an_org_stops_with_the_workaround(
    gh_server: FakeGitHub,
) -> None:
    """Listing an org's packages would be 400: exit 4 naming the 400 and --package instead."""
    done = cli(gh_server, *PRUNE, "--org", "acme", "--package-glob", "w*", token=ACTIONS)
    assert done.returncode == 4, done.stderr
    assert '400 "Invalid argument."' in done.stderr and "--package NAME" in done.stderr
    assert _paths(gh_server) == ["GET /user"]


def test_prune_with_an_actions_token_on_user_packages_stops(gh_server: FakeGitHub) -> None:
    """User-owned packages would be 403 for an Actions token: exit 4 before planning."""
    done = cli(gh_server, *PRUNE, "--user", "octocat", "mine", token=ACTIONS)
    assert done.returncode == 4, done.stderr
    assert "Resource not accessible by integration" in done.stderr


def test_prune_with_an_actions_token_deletes_its_linked_org_package(gh_server: FakeGitHub) -> None:
    """A named org package linked to the token's repository is pruned."""
    done = cli(gh_server, *PRUNE, "--org", "acme", "web", token=ACTIONS)
    assert done.returncode == 0, done.stderr
    assert "deleted 2" in done.stdout


def test_prune_with_a_read_only_classic_token_plans_but_will_not_delete(
    gh_server: FakeGitHub,
) -> None:
    """--dry-run needs read:packages only; deleting stops early for delete:packages."""
    dry = cli(gh_server, *PRUNE, "--org", "acme", "web", "--dry-run", token=READ_ONLY)
    assert dry.returncode == 0, dry.stderr
    done = cli(gh_server, *PRUNE, "--org", "acme", "web", token=READ_ONLY)
    assert done.returncode == 4
    assert "lacks delete:packages" in done.stderr and "gh auth refresh" in done.stderr
    assert not [p for p in _paths(gh_server) if p.startswith("DELETE")]


# -- token sources ---------------------------------------------------------------------------


def _fake_gh(folder: Path, body: str) -> dict[str, str]:
    """A ``gh`` script in ``folder`` that runs ``body``; PATH with it first."""
    script = folder / "gh"
    script.write_text(f"#!{sys.executable}\nimport sys\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return _env(PATH=f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")


@pytest.mark.skipif(sys.platform == "win32", reason="a shebang script stands in for gh")
def test_gh_auth_token_is_the_last_source(gh_server: FakeGitHub, tmp_path: Path) -> None:
    """Without --token, GITHUB_TOKEN or GH_TOKEN, a logged-in gh CLI gives the token."""
    env = _fake_gh(tmp_path, f"assert sys.argv[1:3] == ['auth', 'token']\nprint({CLASSIC!r})")
    done = cli(gh_server, "auth-status", token=None, env=env)
    assert done.returncode == 0, done.stderr
    assert "source      gh auth token" in done.stdout and "login       octocat" in done.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="a shebang script stands in for gh")
def test_environment_tokens_come_before_gh(gh_server: FakeGitHub, tmp_path: Path) -> None:
    """GITHUB_TOKEN wins over GH_TOKEN and gh; GH_TOKEN wins over gh."""
    env = _fake_gh(tmp_path, "raise SystemExit('gh must not run')")
    both = cli(gh_server, "auth-status", token=None,
               env={**env, "GITHUB_TOKEN": CLASSIC, "GH_TOKEN": FINE})  # fmt: skip
    assert "source      GITHUB_TOKEN" in both.stdout and both.returncode == 0
    one = cli(gh_server, "auth-status", token=None, env={**env, "GH_TOKEN": FINE})
    assert "source      GH_TOKEN" in one.stdout and one.returncode == 4


@pytest.mark.skipif(sys.platform == "win32", reason="a shebang script stands in for gh")
def test_logged_out_gh_gives_no_token(gh_server: FakeGitHub, tmp_path: Path) -> None:
    """gh exiting 1 (not logged in) leaves the CLI without a token: nothing is sent with one."""
    env = _fake_gh(tmp_path, "print('no oauth token', file=sys.stderr)\nraise SystemExit(1)")
    done = cli(gh_server, "auth-status", token=None, env=env)
    assert done.returncode == 4 and "source      none" in done.stdout
    assert all("authorization" not in r.headers for r in gh_server.requests)


@pytest.mark.skipif(sys.platform == "win32", reason="a shebang script stands in for gh")
def test_a_hung_gh_is_killed_after_its_timeout_and_gives_no_token(tmp_path: Path) -> None:
    """gh auth token that never answers: killed at the timeout, no token."""
    env = _fake_gh(tmp_path, "import time\ntime.sleep(120)")
    assert gh_auth_token("https://api.github.com", env, timeout_s=0.5) is None


@pytest.mark.skipif(sys.platform == "win32", reason="a shebang script stands in for gh")
def test_gh_is_asked_for_the_enterprise_host(tmp_path: Path) -> None:
    """For GitHub Enterprise Server gh is asked with --hostname; for github.com without."""
    env = _fake_gh(tmp_path, "print('gho_' + '-'.join(sys.argv[1:]))")
    assert (
        gh_auth_token("https://ghe.example/api/v3", env) == "gho_auth-token---hostname-ghe.example"
    )
    assert gh_auth_token("https://api.github.com", env) == "gho_auth-token"


def test_no_gh_on_path_gives_no_token(tmp_path: Path) -> None:
    """Without a gh executable on PATH nothing is run and there is no token."""
    assert gh_auth_token("https://api.github.com", {"PATH": str(tmp_path)}) is None
