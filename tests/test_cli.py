"""The ``aiogh-packages`` command line, run as a subprocess against the fake GitHub in a thread."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from aiogh_packages.testing import FakeGitHub, Fault, Store, TokenInfo, sample_store

TOKEN = "ghp_cliTEST_do_not_leak_8472"
OTHER_TOKEN = "ghp_someone_else_entirely_1234"
CLI = (sys.executable, "-m", "aiogh_packages")
ROOT = Path(__file__).resolve().parents[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any GitHub token (plus ``extra``)."""
    unset = ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_API_URL")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(NO_COLOR="1", PYTHONPATH=str(ROOT), **extra)
    return env


def no_secrets(*texts: str) -> None:
    """Neither token appears in any of ``texts``."""
    for secret in (TOKEN, OTHER_TOKEN):
        assert all(secret not in text for text in texts)


CHILD_TIMEOUT_S = 60
# The CLI with SIGINT handled even when this test run ignores it (a background job of a
# non-interactive shell starts with SIGINT ignored, and children inherit that).
CLI_WITH_SIGINT = (sys.executable, "-c", "import runpy, signal; "
                   "signal.signal(signal.SIGINT, signal.default_int_handler); "
                   "runpy.run_module('aiogh_packages', run_name='__main__')")  # fmt: skip


def shown(command: Sequence[str]) -> str:
    """``command`` as a failure message may show it: tokens masked."""
    return " ".join("***" if arg in (TOKEN, OTHER_TOKEN) else arg for arg in command)


def timed_out(command: Sequence[str], timeout_s: float, stderr: str | bytes | None) -> str:
    """The failure message for a child killed after ``timeout_s``, with its stderr so far."""
    text = stderr.decode(errors="replace") if isinstance(stderr, bytes) else stderr or ""
    no_secrets(text)
    return f"killed after {timeout_s} s without exiting: {shown(command)}\nstderr so far:\n{text}"


def run_child(
    command: Sequence[str], *, timeout_s: float = CHILD_TIMEOUT_S, **options: Any
) -> subprocess.CompletedProcess[str]:
    """Run ``command``; on timeout kill it and fail the test, saying which command hung."""
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, **options)
    except subprocess.TimeoutExpired as exc:  # subprocess.run has killed and reaped the child
        pytest.fail(timed_out(command, timeout_s, exc.stderr), pytrace=False)


@contextmanager
def started(command: Sequence[str], **options: Any) -> Iterator[subprocess.Popen[str]]:
    """A running child with piped output, killed and reaped on leaving, whatever happened."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **options)  # fmt: skip
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def finish(proc: subprocess.Popen[str], timeout_s: float = CHILD_TIMEOUT_S) -> tuple[str, str]:
    """``proc``'s stdout and stderr once it exits; on timeout kill it and fail the test."""
    try:
        return proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, stderr = proc.communicate()
        pytest.fail(timed_out([str(arg) for arg in proc.args], timeout_s, stderr), pytrace=False)


def run(
    *args: str, env: dict[str, str] | None = None, stdin: int = subprocess.DEVNULL
) -> subprocess.CompletedProcess[str]:
    """Run the CLI; every run also checks that the token never shows in its output."""
    done = run_child([*CLI, *args], env=env or clean_env(), stdin=stdin)
    no_secrets(done.stdout, done.stderr)
    return done


def on(server: FakeGitHub, *args: str, token: str | None = TOKEN) -> list[str]:
    """``args`` plus the options pointing at ``server`` (no write spacing for writes)."""
    writes = args[0] in WRITE_COMMANDS
    extra = ["--base-url", server.base_url, *(["--write-interval", "0"] if writes else [])]
    return [*args, *extra, *(["--token", token] if token else [])]


WRITE_COMMANDS = ("delete", "restore", "prune", "undo")  # the commands with --write-interval


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The single error line on stderr (and no traceback)."""
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(lines) == 1, done.stderr
    return lines[0]


def methods(server: FakeGitHub) -> list[str]:
    return [r.method for r in server.requests]


@pytest.fixture(scope="module")
def shared() -> Iterator[FakeGitHub]:
    """One server with the sample data for the read-only tests."""
    with FakeGitHub.in_thread(store=sample_store()) as gh:
        yield gh


@pytest.fixture
def fresh() -> Iterator[FakeGitHub]:
    """A server of its own, for tests that change the data."""
    with FakeGitHub.in_thread(store=sample_store()) as gh:
        yield gh


# -- help, demo -------------------------------------------------------------------------------


def test_help_lists_every_command_and_the_exit_codes() -> None:
    done = run("--help")
    assert done.returncode == 0
    for command in ("packages", "versions", "get", "delete", "restore", "fan-out", "prune",
                    "undo", "auth-status", "demo", "exit codes:", "130"):  # fmt: skip
        assert command in done.stdout


def test_demo_is_the_default_and_needs_no_token_nor_network() -> None:
    done = run(env=clean_env())
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "265 packages in 3 pages of up to 100" in out
    assert "… 260 more packages" in out
    assert "ID        NAME                 TAGS    CREATED               UPDATED" in out
    assert "latest" in out
    assert "would delete" in out and "dry run: nothing was deleted" in out
    assert "1 of 41 owners failed" in out and "ghost: not found" in out
    assert "requests left (core)" in out
    assert "\x1b[" not in out  # no colour when not a terminal


# -- the subprocess helpers ---------------------------------------------------------------------

HANGS = (sys.executable, "-c", "import signal, sys, time; signal.signal(signal.SIGINT, "
         "signal.SIG_IGN); print('started', file=sys.stderr, flush=True); time.sleep(600)")  # fmt: skip


def test_a_child_that_outlives_its_timeout_is_killed_and_fails_the_test() -> None:
    """run_child kills a hung child and fails naming the command (token masked) and its stderr."""
    with pytest.raises(pytest.fail.Exception) as info:
        run_child([*HANGS, "--token", TOKEN], timeout_s=3)
    message = str(info.value)
    assert "killed after 3 s" in message and "--token ***" in message and "started" in message
    no_secrets(message)


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
def test_a_started_child_ignoring_sigint_is_killed_on_timeout() -> None:
    """finish() kills a child that ignores SIGINT and fails; the child is gone afterwards."""
    with started(HANGS) as proc:
        assert proc.stderr is not None and proc.stderr.readline() == "started\n"
        proc.send_signal(signal.SIGINT)
        with pytest.raises(pytest.fail.Exception, match="killed after 1 s"):
            finish(proc, timeout_s=1)
    assert proc.returncode == -signal.SIGKILL


# -- listings -------------------------------------------------------------------------------


def test_packages_table(shared: FakeGitHub) -> None:
    done = run(*on(shared, "packages", "--user", "monalisa", "--type", "container"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "OWNER", "VISIBILITY", "CREATED"]
    assert lines[1].split() == [
        "197",
        "hello_docker",
        "monalisa",
        "private",
        "2020-05-19T22:19:11Z",
    ]
    assert lines[2].split() == ["198", "goodbye_docker", "monalisa", "private",
                                "2020-05-20T22:19:11Z"]  # fmt: skip
    assert lines[3] == "2 packages"


def test_packages_json_with_the_token_from_the_environment(shared: FakeGitHub) -> None:
    args = on(shared, "packages", "--org", "octo-org", "--type", "npm", "--json", token=None)
    done = run(*args, env=clean_env(GH_TOKEN=TOKEN))
    assert done.returncode == 0, done.stderr
    [package] = json.loads(done.stdout)
    assert package["name"] == "hello-world-npm" and package["id"] == 43752
    assert package["created_at"] == "2019-10-29T15:42:11Z"
    assert shared.requests[-1].headers["authorization"] == f"Bearer {TOKEN}"


def test_versions_table_shows_container_tags(shared: FakeGitHub) -> None:
    done = run(*on(shared, "versions", "--user", "octocat", "--type", "container", "hello_docker"))
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert rows[0] == ["ID", "NAME", "TAGS", "CREATED", "UPDATED"]
    assert [(r[0], r[2]) for r in rows[1:4]] == [("45763", "latest"), ("881", "-"),
                                                 ("214", "1.13.6")]  # fmt: skip
    assert rows[1][3:] == ["2020-09-11T21:56:40Z", "2021-02-05T21:32:32Z"]


def test_versions_jsonl_is_one_object_per_line_across_pages(shared: FakeGitHub) -> None:
    before = len(shared.requests)
    args = ("versions", "--user", "octocat", "--type", "container", "hello_docker")
    done = run(*on(shared, *args, "--jsonl", "--per-page", "1"))
    assert done.returncode == 0, done.stderr
    ids = [json.loads(line)["id"] for line in done.stdout.splitlines()]
    assert ids == [45763, 881, 214]
    pages = [r.query.get("page", "1") for r in shared.requests[before:]]
    assert sorted(pages) == ["1", "2", "3"]


def test_versions_state_is_refused_for_users(shared: FakeGitHub) -> None:
    args = ("versions", "--user", "octocat", "--type", "npm", "x", "--state", "deleted")
    done = run(*on(shared, *args))
    assert done.returncode == 2
    assert "--state" in one_error_line(done)


def test_get_package_and_version(shared: FakeGitHub) -> None:
    target = ("--user", "octocat", "--type", "container", "hello_docker")
    done = run(*on(shared, "get", *target))
    assert done.returncode == 0, done.stderr
    assert "visibility  private" in done.stdout and "versions    3" in done.stdout
    done = run(*on(shared, "get", *target, "--version-id", "45763", "--json"))
    assert done.returncode == 0, done.stderr
    version = json.loads(done.stdout)
    assert version["id"] == 45763 and version["metadata"]["container"]["tags"] == ["latest"]


# -- exit codes --------------------------------------------------------------------------------


def test_not_found_is_exit_3(shared: FakeGitHub) -> None:
    done = run(*on(shared, "get", "--user", "octocat", "--type", "npm", "no-such-package"))
    assert done.returncode == 3
    assert "not found: HTTP 404" in one_error_line(done)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--type", "pypi"], "invalid choice: 'pypi'"),
        (["--type", "npm", "--per-page", "0"], "argument --per-page: must be 1..100, got '0'"),
        (["--type", "npm", "--concurrency", "500"], "--concurrency: must be 1..100, got '500'"),
    ],
)
def test_bad_arguments_are_exit_2_before_sending(
    shared: FakeGitHub, options: list[str], message: str
) -> None:
    before = len(shared.requests)
    done = run(*on(shared, "packages", "--user", "octocat", *options))
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(shared.requests) == before


def test_bad_token_is_exit_4_and_never_shown_even_verbose() -> None:
    with FakeGitHub.in_thread(tokens={OTHER_TOKEN: TokenInfo("octocat")}) as gh:
        done = run(*on(gh, "packages", "--user", "octocat", "--type", "npm"))
        assert done.returncode == 4
        assert "Bad credentials" in one_error_line(done)
        done = run(*on(gh, "packages", "--user", "octocat", "--type", "npm", "-v"))
        assert done.returncode == 4 and "Traceback" in done.stderr
        done = run(*on(gh, "auth-status"))
        assert done.returncode == 4
        assert "did not accept the token" in done.stdout


def test_auth_status_reports_scopes_and_unusable_token_kinds() -> None:
    pat = "github_pat_" + "x" * 20
    tokens = {
        TOKEN: TokenInfo("octocat", scopes=("read:packages",)),
        pat: TokenInfo("octocat", kind="fine_grained"),
    }
    with FakeGitHub.in_thread(tokens=tokens) as gh:
        done = run(*on(gh, "auth-status"))
        assert done.returncode == 0, done.stderr
        assert "login       octocat" in done.stdout
        assert "delete no (needs delete:packages)" in done.stdout
        assert "requests left (core)" in done.stdout
        done = run(*on(gh, "auth-status", "--require", "delete:packages", "--json"))
        assert done.returncode == 4
        status = json.loads(done.stdout)
        assert status["ok"] is False and status["missing_scopes"] == ["delete:packages"]
        done = run(*on(gh, "auth-status", token=pat))
        assert done.returncode == 4 and pat not in done.stdout + done.stderr
        assert "fine-grained token cannot use the Packages API" in done.stdout


def test_missing_token_for_a_real_host_is_exit_4_before_sending() -> None:
    args = ("packages", "--user", "octocat", "--type", "npm")
    done = run(*args, "--base-url", "https://ghes.example.invalid/api/v3")
    assert done.returncode == 4
    line = one_error_line(done)
    assert "--token" in line and "GITHUB_TOKEN" in line and "GH_TOKEN" in line


def test_missing_token_is_allowed_on_loopback(shared: FakeGitHub) -> None:
    done = run(*on(shared, "packages", "--org", "github", "--type", "container", token=None))
    assert done.returncode == 0, done.stderr
    assert "super-linter" in done.stdout
    assert "authorization" not in shared.requests[-1].headers


def test_rate_limit_beyond_max_wait_is_exit_5_with_the_reset_time(fresh: FakeGitHub) -> None:
    reset = int(time.time()) + 3000
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
    fresh.add_fault(Fault(status=403, headers=headers, body={"message": "API rate limit exceeded"}))
    done = run(*on(fresh, "packages", "--user", "octocat", "--type", "npm", "--max-wait", "5"))
    assert done.returncode == 5
    line = one_error_line(done)
    assert "rate limited" in line and "try again after" in line and "resets at" in line


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals")
def test_ctrl_c_stops_cleanly_with_exit_130(fresh: FakeGitHub) -> None:
    reset = int(time.time()) + 3000
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
    fresh.add_fault(Fault(status=403, headers=headers, body={"message": "API rate limit exceeded"}))
    args = on(fresh, "packages", "--user", "octocat", "--type", "npm", "--max-wait", "4000")
    with started([*CLI_WITH_SIGINT, *args], env=clean_env()) as proc:
        deadline = time.monotonic() + 30
        while not fresh.requests and time.monotonic() < deadline:  # then it waits for the reset
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = finish(proc, timeout_s=30)
    assert proc.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    no_secrets(stdout, stderr)


def test_verbose_logs_retries_and_waits(fresh: FakeGitHub) -> None:
    fresh.add_fault(Fault(status=429, headers={"retry-after": "0"}))
    fresh.add_fault(Fault(status=502))
    done = run(*on(fresh, "packages", "--user", "octocat", "--type", "npm", "-v"))
    assert done.returncode == 0, done.stderr
    assert "WARNING: holding GET" in done.stderr and "secondary-rate-limit" in done.stderr
    assert "INFO: retrying GET" in done.stderr and "after HTTP 502" in done.stderr


def test_transport_failure_is_exit_6() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = ("packages", "--user", "x", "--type", "npm", "--max-tries", "1", "--token", TOKEN)
    done = run(*args, "--base-url", f"http://127.0.0.1:{port}")
    assert done.returncode == 6
    assert "network error" in one_error_line(done)


# -- fan-out -----------------------------------------------------------------------------------


def test_fan_out_table_and_a_failing_owner_is_exit_7(shared: FakeGitHub) -> None:
    args = ("fan-out", "--type", "container", "--users", "monalisa,octocat,ghost")
    done = run(*on(shared, *args))
    assert done.returncode == 7
    rows = [line.split() for line in done.stdout.splitlines()]
    assert rows[0] == ["ID", "NAME", "OWNER", "VISIBILITY", "CREATED"]
    assert sorted(r[0] for r in rows[1:4]) == ["197", "198", "40202"]
    assert "3 packages from 2 owners; 1 of 3 owners failed" in done.stdout
    assert "ghost: not found: HTTP 404" in done.stderr and "Traceback" not in done.stderr


def test_fan_out_from_file_json_and_jsonl(shared: FakeGitHub, tmp_path: Path) -> None:
    owners = tmp_path / "owners.txt"
    owners.write_text("# who\nuser:monalisa\n\norg:github   # an org\noctocat\n")
    base = ("fan-out", "--type", "container", "--from-file", str(owners))
    done = run(*on(shared, *base, "--owner-kind", "user", "--json"))
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)  # the records of --jsonl as one array, as `packages`
    found = sorted((p["owner"]["login"], p["id"]) for p in document)
    assert found == [("github", 200), ("monalisa", 197), ("monalisa", 198), ("octocat", 40202)]
    assert not [r for r in document if "error" in r]
    done = run(*on(shared, *base, "--owner-kind", "user", "--jsonl"))
    assert done.returncode == 0, done.stderr
    assert len([json.loads(line) for line in done.stdout.splitlines()]) == 4
    done = run(*on(shared, *base))  # a bare name without --owner-kind
    assert done.returncode == 2
    assert "--owner-kind" in one_error_line(done)


# -- delete, restore ---------------------------------------------------------------------------

TARGET = ("--user", "octocat", "--type", "container", "hello_docker", "--version-id", "881")


def test_delete_dry_run_sends_only_a_get(fresh: FakeGitHub) -> None:
    """A dry run checks the version exists with one GET and changes nothing."""
    done = run(*on(fresh, "delete", *TARGET, "--dry-run"))
    assert done.returncode == 0, done.stderr
    assert "would delete version 881" in done.stdout
    assert methods(fresh) == ["GET"]


MISSING = ("--user", "octocat", "--type", "container", "hello_docker", "--version-id", "999999")


@pytest.mark.parametrize("how", [["--dry-run"], ["--yes"], []])
def test_deleting_a_missing_version_is_not_found_before_any_prompt(
    fresh: FakeGitHub, how: list[str]
) -> None:
    """A dry run, --yes or a prompt: a version that does not exist exits 3, no DELETE sent."""
    done = run(*on(fresh, "delete", *MISSING, *how))
    assert done.returncode == 3, done.stderr
    assert "not found" in one_error_line(done) and "would delete" not in done.stdout
    assert methods(fresh) == ["GET"]


def test_restore_dry_run_of_an_active_version_is_not_found(fresh: FakeGitHub) -> None:
    """Restoring a version that is not deleted would fail, so its dry run exits 3."""
    done = run(*on(fresh, "restore", *TARGET, "--dry-run"))
    assert done.returncode == 3, done.stderr
    assert "is not deleted" in one_error_line(done)
    assert "POST" not in methods(fresh)


def test_restore_dry_run_of_a_deleted_org_version_finds_it(fresh: FakeGitHub) -> None:
    """An org's deleted version is looked up in its deleted listing; nothing is restored."""
    target = ("--org", "octo-org", "--type", "npm", "hello-world-npm", "--version-id", "245301")
    assert run(*on(fresh, "delete", *target, "--yes")).returncode == 0
    done = run(*on(fresh, "restore", *target, "--dry-run"))
    assert done.returncode == 0, done.stderr
    assert "would restore version 245301" in done.stdout
    assert "POST" not in methods(fresh)


def test_restore_dry_run_of_an_org_version_never_deleted_is_not_found(fresh: FakeGitHub) -> None:
    """A version id missing from the org's deleted listing exits 3."""
    target = ("--org", "octo-org", "--type", "npm", "hello-world-npm", "--version-id", "209672")
    done = run(*on(fresh, "restore", *target, "--dry-run"))
    assert done.returncode == 3, done.stderr
    assert "not among the deleted versions" in one_error_line(done)


def test_delete_without_yes_on_a_non_terminal_is_refused(fresh: FakeGitHub) -> None:
    done = run(*on(fresh, "delete", *TARGET))
    assert done.returncode == 8
    assert "--yes" in one_error_line(done)
    assert "DELETE" not in methods(fresh)
    assert fresh.store.get_version("octocat", "container", "hello_docker", 881).state == "active"


def test_delete_yes_then_restore(fresh: FakeGitHub) -> None:
    done = run(*on(fresh, "delete", *TARGET, "--yes"))
    assert done.returncode == 0, done.stderr
    assert "deleted version 881" in done.stdout
    assert methods(fresh).count("DELETE") == 1
    assert fresh.store.get_version("octocat", "container", "hello_docker", 881).state == "deleted"
    done = run(*on(fresh, "restore", *TARGET))
    assert done.returncode == 0, done.stderr
    assert fresh.store.get_version("octocat", "container", "hello_docker", 881).state == "active"


def run_on_terminal(args: Sequence[str], answer: str) -> subprocess.CompletedProcess[str]:
    """Run with stdin on a pseudo-terminal that has ``answer`` typed in advance."""
    import pty

    controller, terminal = pty.openpty()
    try:
        os.write(controller, answer.encode())
        return run(*args, stdin=terminal)
    finally:
        os.close(terminal)
        os.close(controller)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_delete_asks_on_a_terminal(fresh: FakeGitHub) -> None:
    done = run_on_terminal(on(fresh, "delete", *TARGET), "n\n")
    assert done.returncode == 8
    assert "Delete version 881" in done.stderr and "[y/N]" in done.stderr
    assert "DELETE" not in methods(fresh)
    done = run_on_terminal(on(fresh, "delete", *TARGET), "y\n")
    assert done.returncode == 0, done.stderr
    assert methods(fresh).count("DELETE") == 1


# -- prune, undo -------------------------------------------------------------------------------

PRUNE = ("prune", "--user", "octocat", "--type", "rubygems", "octo-name", "--keep-latest", "1")


def active_ids(server: FakeGitHub) -> list[int]:
    return [v.id for v in server.store.versions("octocat", "rubygems", "octo-name")]


def test_prune_dry_run_apply_and_undo(fresh: FakeGitHub, tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    done = run(*on(fresh, *PRUNE, "--dry-run"))
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()]
    assert rows[0] == ["ID", "NAME", "TAGS", "AGE", "DECISION", "RULE"]
    assert [(r[0], r[4], r[5]) for r in rows[1:4]] == [
        ("3497268", "keep", "keep-latest"), ("387039", "delete", "delete"),
        ("169770", "delete", "delete"),
    ]  # fmt: skip
    assert "dry run: nothing was deleted" in done.stdout
    assert "DELETE" not in methods(fresh)

    done = run(*on(fresh, *PRUNE))
    assert done.returncode == 8 and "DELETE" not in methods(fresh)
    done = run(*on(fresh, *PRUNE, "--yes", "--max-deletions", "1"))
    assert done.returncode == 8 and "--max-deletions 2" in one_error_line(done)
    assert "DELETE" not in methods(fresh)

    done = run(*on(fresh, *PRUNE, "--yes", "--journal", str(journal)))
    assert done.returncode == 0, done.stderr
    assert "deleted 2, already gone 0, failed 0" in done.stdout
    assert active_ids(fresh) == [3497268]
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    statuses = [r.get("status", r.get("record")) for r in records]
    assert statuses == ["plan", "pending", "deleted", "pending", "deleted"]  # write-ahead

    done = run(*on(fresh, "undo", "--journal", str(journal), "--json"))
    assert done.returncode == 0, done.stderr
    assert sorted(json.loads(done.stdout)["restored"]) == [169770, 387039]
    assert sorted(active_ids(fresh)) == [169770, 387039, 3497268]


def test_prune_json_plan_by_image_reports_versions_without_a_manifest(shared: FakeGitHub) -> None:
    args = ("prune", "--user", "octocat", "--type", "container", "hello_docker")
    done = run(*on(shared, *args, "--tag-state", "untagged", "--dry-run", "--json"))
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    decisions = {i["id"]: (i["decision"], i["rule"]) for i in document["plan"]["items"]}
    assert decisions == {
        45763: ("keep", "not-selected:tagged-filter"), 881: ("delete", "delete"),
        214: ("keep", "not-selected:tagged-filter"),
    }  # fmt: skip
    assert document["dry_run"] is True and document["deleted"] == []
    assert "no manifest in the registry (404)" in document["plan"]["warnings"][0]
    assert "warning:" in done.stderr and "(404)" in done.stderr


def test_prune_bad_duration_and_missing_journal_are_exit_2(shared: FakeGitHub) -> None:
    done = run(*on(shared, *PRUNE, "--older-than", "3x", "--dry-run"))
    assert done.returncode == 2 and "invalid duration '3x'" in done.stderr
    done = run(*on(shared, "undo", "--journal", "/nonexistent/journal.jsonl"))
    assert done.returncode == 2 and "no journal file" in one_error_line(done)


def test_a_small_store_listed_in_pages_of_two() -> None:
    store = Store()
    store.add_user("mona")
    store.add_packages("mona", "npm", count=3)
    with FakeGitHub.in_thread(store=store) as gh:
        done = run(*on(gh, "packages", "--user", "mona", "--type", "npm", "--per-page", "2"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "3 packages"
