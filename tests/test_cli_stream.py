"""Listing output: tables stream as pages arrive, and an empty answer says when it had no token."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator

import pytest
from test_cli import CLI_WITH_SIGINT, clean_env, finish, started

from aiogh_packages import cli
from aiogh_packages.testing import FakeGitHub, Fault, Store, sample_store

TOKEN = "ghp_streamTEST_never_shown_7730"


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No token and no API URL leak in from the environment running the tests."""
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def server() -> Iterator[FakeGitHub]:
    """A fake GitHub of its own, so its faults touch no other test."""
    store = sample_store()
    store.add_packages("octocat", "npm", 7)
    with FakeGitHub.in_thread(store=store) as gh:
        yield gh


def listing(server: FakeGitHub, *args: str) -> list[str]:
    """``args`` against ``server``: one item per page, no retries of a failed page."""
    return [*args, "--base-url", server.base_url, "--token", TOKEN, "--per-page", "1",
            "--max-tries", "1"]  # fmt: skip


def test_versions_rows_before_a_failing_page_are_printed(
    server: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """Page 3 answers 500: the two rows of pages 1 and 2 are on stdout, then the error."""
    server.add_fault(Fault(status=500, query={"page": "3"}, times=10))
    argv = listing(server, "versions", "--user", "octocat", "--type", "container", "hello_docker")
    assert cli.main(argv) == 1
    out, err = capsys.readouterr()
    ids = [line.split()[0] for line in out.splitlines()]
    assert ids == ["ID", "45763", "881"]
    assert "error:" in err and "500" in err


def test_packages_rows_before_a_failing_page_are_printed(
    server: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """A packages table fails on page 5 with its first four rows already shown."""
    server.add_fault(Fault(status=502, query={"page": "5"}, times=10))
    assert cli.main(listing(server, "packages", "--user", "octocat", "--type", "npm")) != 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].split()[0] == "ID" and len(rows) == 5


def test_a_streamed_table_keeps_the_first_pages_column_widths(
    server: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every row starts its columns where the header does, across pages."""
    argv = listing(server, "versions", "--user", "octocat", "--type", "container", "hello_docker")
    assert cli.main(argv) == 0
    header, *rows, total = capsys.readouterr().out.splitlines()
    assert total == "3 versions"
    start = header.index("NAME")
    assert all(row[start - 2 : start] == "  " and row[start] != " " for row in rows)


def test_an_empty_table_still_prints_its_header(capsys: pytest.CaptureFixture[str]) -> None:
    """No rows: the header and "0 packages" still show."""
    store = Store()
    store.add_user("nobody")
    with FakeGitHub.in_thread(store=store) as gh:
        argv = ["packages", "--user", "nobody", "--type", "npm", "--base-url", gh.base_url]
        assert cli.main([*argv, "--token", TOKEN]) == 0
    assert capsys.readouterr().out.splitlines() == ["ID  NAME  OWNER  VISIBILITY  CREATED",
                                                    "0 packages"]  # fmt: skip


def test_an_empty_answer_without_a_token_says_github_would_answer_401(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No token and "0 packages": stderr says the request was unauthenticated, rc stays 0."""
    store = Store()
    store.add_user("nobody")
    with FakeGitHub.in_thread(store=store) as gh:
        assert (
            cli.main(["packages", "--user", "nobody", "--type", "npm", "--base-url", gh.base_url])
            == 0
        )
    out, err = capsys.readouterr()
    assert "0 packages" in out
    assert "unauthenticated" in err and "401" in err and "--token" in err


def test_an_empty_answer_with_a_token_has_no_such_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With a token an empty listing is just empty."""
    store = Store()
    store.add_user("nobody")
    with FakeGitHub.in_thread(store=store) as gh:
        argv = ["packages", "--user", "nobody", "--type", "npm", "--base-url", gh.base_url]
        assert cli.main([*argv, "--token", TOKEN]) == 0
    assert "unauthenticated" not in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_ctrl_c_during_a_listing_leaves_the_rows_so_far(server: FakeGitHub) -> None:
    """Page 3 stalls; Ctrl-C then exits 130 with the rows of pages 1 and 2 on stdout."""
    server.add_fault(Fault(kind="stall", delay_s=60, query={"page": "3"}))
    argv = listing(server, "versions", "--user", "octocat", "--type", "container", "hello_docker")
    with started([*CLI_WITH_SIGINT, *argv], env=clean_env()) as proc:
        assert proc.stdout is not None
        shown = [proc.stdout.readline() for _ in range(3)]  # the header and two rows, streamed
        proc.send_signal(signal.SIGINT)
        rest, stderr = finish(proc, timeout_s=30)
    assert proc.returncode == 130 and "interrupted" in stderr
    assert [line.split()[0] for line in shown] == ["ID", "45763", "881"]
    assert "214" not in rest and TOKEN not in rest + stderr
