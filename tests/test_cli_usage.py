"""The command line's usage: options in either place, errors in CLI terms, and its help."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from aiogh_packages import cli
from aiogh_packages._cli.errors import in_cli_terms
from aiogh_packages.testing import FakeGitHub, sample_store

TOKEN = "ghp_usageTEST_never_shown_5521"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeGitHub]:
    """One fake GitHub with the sample data."""
    with FakeGitHub.in_thread(store=sample_store()) as gh:
        yield gh


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No token and no API URL leak in from the environment running the tests."""
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


def help_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The help text ``argv`` prints."""
    assert cli.main([*argv, "--help"]) == 0
    return capsys.readouterr().out


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The usage error (exit 2) that ``argv`` gives."""
    assert cli.main(list(argv)) == 2
    return capsys.readouterr().err


def test_shared_options_before_the_subcommand_are_accepted(
    server: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """``aiogh-packages --base-url URL --token T packages ...`` lists as if they came after."""
    argv = ["--base-url", server.base_url, "--token", TOKEN, "-v", "--per-page=1", "packages"]
    assert cli.main([*argv, "--org", "github", "--type", "container"]) == 0
    assert "super-linter" in capsys.readouterr().out
    assert server.requests[-1].query.get("per_page") == "1"


def test_an_unknown_option_before_the_subcommand_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Only the shared options move; anything else before the subcommand is still refused."""
    assert "--bogus" in usage_error(capsys, "--bogus", "packages", "--me", "--type", "npm")


def test_base_url_defaults_to_github_api_url(
    server: FakeGitHub, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --base-url the CLI talks to $GITHUB_API_URL, as the library does."""
    monkeypatch.setenv("GITHUB_API_URL", server.base_url)
    assert cli.main(["packages", "--org", "github", "--type", "container"]) == 0
    assert "super-linter" in capsys.readouterr().out


def test_per_page_zero_names_the_flag_and_the_value_as_typed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--per-page 0`` is refused naming --per-page, not the library's per_page."""
    err = usage_error(capsys, "packages", "--me", "--type", "npm", "--per-page", "0")
    assert "argument --per-page: must be 1..100, got '0'" in err and "per_page" not in err


def test_a_non_number_names_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    """``--timeout soon`` says what --timeout accepts."""
    err = usage_error(capsys, "packages", "--me", "--type", "npm", "--timeout", "soon")
    assert "argument --timeout: must be a number >= 0.001, got 'soon'" in err


def test_older_than_zero_shows_the_duration_as_typed(capsys: pytest.CaptureFixture[str]) -> None:
    """``--older-than 0d`` is refused showing 0d, not datetime.timedelta(0)."""
    argv = ["prune", "--me", "--type", "npm", "pkg", "--older-than", "0d", "--dry-run"]
    err = usage_error(capsys, *argv)
    assert "argument --older-than: must be longer than zero, got '0d'" in err
    assert "timedelta" not in err


def test_auth_status_without_a_token_says_pass_token_flag(
    server: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """auth-status tells a CLI user to pass --token, not the library's token=..."""
    assert cli.main(["auth-status", "--base-url", server.base_url]) == 4
    out = capsys.readouterr().out
    assert "pass --token TOKEN" in out and "token=" not in out


@pytest.mark.parametrize(
    ("library", "cli_words"),
    [
        ("per_page must be in 1..100, got 0", "--per-page must be in 1..100, got 0"),
        ("max_concurrency must be at most 100", "--concurrency must be at most 100"),
        ("keep_latest_tagged must be an int", "--keep-latest-tagged must be an int"),
        ("package_version_id must be a positive int", "--version-id must be a positive int"),
        ("wait of 900 s exceeds max_wait_s=300", "wait of 900 s exceeds --max-wait=300"),
        ("no token: pass token=..., or set GITHUB_TOKEN", "no token: pass --token TOKEN, or set"),
        ("package 'my_per_page_tool' not found", "package 'my_per_page_tool' not found"),
        ("package_name '..' is not a valid name", "PACKAGE '..' is not a valid name"),
        ("keep_latest must be an int >= 0 or None, got -1", "--keep-latest must be an int >= 0,"),
    ],
)
def test_library_parameter_names_become_flags(library: str, cli_words: str) -> None:
    """Every library parameter a CLI flag sets is shown as that flag; other words stay."""
    assert cli_words in in_cli_terms(library)


def test_the_exit_code_table_is_only_in_the_top_level_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Top-level help has the exit codes; a subcommand's help does not repeat them."""
    assert "exit codes:" in help_of(capsys)
    assert "exit codes:" not in help_of(capsys, "packages")


@pytest.mark.parametrize("command", ["packages", "versions", "get", "fan-out", "auth-status"])
def test_read_only_commands_do_not_list_write_interval(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--write-interval paces writes, so only commands that write offer it."""
    assert "--write-interval" not in help_of(capsys, command)


@pytest.mark.parametrize("command", ["delete", "restore", "prune", "undo"])
def test_writing_commands_list_write_interval(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """delete, restore, prune and undo keep --write-interval."""
    assert "--write-interval" in help_of(capsys, command)


def test_demo_does_not_list_token_or_base_url(capsys: pytest.CaptureFixture[str]) -> None:
    """demo runs its own fake server with no token, so it offers neither option."""
    text = help_of(capsys, "demo")
    assert "--token" not in text and "--base-url" not in text


def test_help_shows_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    """Options with a default say it in the help."""
    text = help_of(capsys, "versions")
    for default in ("(default: 100)", "(default: 8)", "(default: 300.0)", "(default: 5)"):
        assert default in text


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stderr_on_a_terminal(argv: list[str]) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal; its exit status and what it wrote there."""
    import pty

    controller, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    with subprocess.Popen([sys.executable, "-m", "aiogh_packages", *argv], stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=terminal, env=env) as proc:  # fmt: skip
        os.close(terminal)
        chunks: list[bytes] = []
        try:
            while select.select([controller], [], [], 60)[0]:
                chunk = os.read(controller, 4096)
                if not chunk:
                    break
                chunks.append(chunk)
        except OSError:  # EIO: the child closed the terminal
            pass
        finally:
            os.close(controller)
            if proc.poll() is None:
                proc.kill()
        return proc.wait(), b"".join(chunks).decode(errors="replace")


UNREACHABLE = ["packages", "--me", "--type", "npm", "--max-tries", "2", "--token", TOKEN]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_a_retry_shows_a_line_on_a_terminal_and_the_cause_once() -> None:
    """Connection refused: one retry line on the terminal, then one error naming the cause."""
    code, err = stderr_on_a_terminal(
        [*UNREACHABLE, "--base-url", f"http://127.0.0.1:{free_port()}"]
    )
    assert code == 6
    assert TOKEN not in err
    [retry] = [line for line in err.splitlines() if "retrying" in line]
    assert "retrying GET" in retry and "connection" in retry and "attempt 1 of 2" in retry
    [error] = [line for line in err.splitlines() if "error:" in line]
    assert error.count("refused") == 1


def test_no_retry_line_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """Off a terminal (a log file, CI) retries stay quiet unless -v is given."""
    assert cli.main([*UNREACHABLE, "--base-url", f"http://127.0.0.1:{free_port()}"]) == 6
    err = capsys.readouterr().err
    assert "retrying" not in err and err.count("refused") == 1


def test_an_empty_package_name_is_a_usage_error_naming_package(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``get ... ''`` is refused before any request, naming PACKAGE as the help does."""
    argv = [
        "get",
        "--org",
        "x",
        "--type",
        "npm",
        "",
        "--base-url",
        f"http://127.0.0.1:{free_port()}",
    ]
    err = usage_error(capsys, *argv)
    assert "PACKAGE must be a non-empty string" in err and "package_name" not in err
