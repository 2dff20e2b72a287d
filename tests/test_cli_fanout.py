"""``fan-out`` output: the shapes of ``packages``, failure records, and both owner kinds at once."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from aiogh_packages.cli import main
from aiogh_packages.testing import FakeGitHub, sample_store


@pytest.fixture(scope="module")
def server() -> Iterator[FakeGitHub]:
    """One thread-backed fake GitHub with the sample data."""
    with FakeGitHub.in_thread(store=sample_store()) as gh:
        yield gh


TOKEN = "ghp_fanoutTEST_do_not_leak_1234"


def _on(server: FakeGitHub) -> list[str]:
    return ["--base-url", server.base_url, "--token", TOKEN]


def _cli(server: FakeGitHub, *args: str) -> int:
    return main(["fan-out", "--type", "container", *args, *_on(server)])


def test_users_and_orgs_combine_in_one_run(
    server: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """--users and --orgs together list both kinds of owner in one fan-out."""
    assert _cli(server, "--users", "monalisa", "--orgs", "github", "--jsonl") == 0
    logins = {json.loads(line)["owner"]["login"] for line in capsys.readouterr().out.splitlines()}
    assert logins == {"monalisa", "github"}


def test_jsonl_package_lines_have_the_shape_of_packages_jsonl(
    server: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each fan-out --jsonl package line is the object `packages --jsonl` prints."""
    assert _cli(server, "--users", "monalisa", "--jsonl") == 0
    fanned = sorted(capsys.readouterr().out.splitlines())
    args = ["packages", "--user", "monalisa", "--type", "container", "--jsonl", *_on(server)]
    assert main(args) == 0
    assert fanned == sorted(capsys.readouterr().out.splitlines())


def test_jsonl_reports_a_failed_owner_as_a_record(
    server: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failing owner is one {"owner", "error", "exit_code"} line in --jsonl, and exit 7."""
    assert _cli(server, "--users", "monalisa,ghost", "--jsonl") == 7
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    failures = [r for r in records if "error" in r]
    assert [(f["owner"], f["exit_code"]) for f in failures] == [("user:ghost", 3)]
    assert "404" in failures[0]["error"]


def test_json_is_the_jsonl_records_as_one_array(
    server: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json prints the same package and failure records as --jsonl, in one array."""
    assert _cli(server, "--users", "monalisa,ghost", "--json") == 7
    document = json.loads(capsys.readouterr().out)
    assert sorted(p["id"] for p in document if "error" not in p) == [197, 198]
    assert [r["owner"] for r in document if "error" in r] == ["user:ghost"]


def test_from_file_cannot_be_combined_with_users(
    server: FakeGitHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """--from-file with --users is a usage error (exit 2) naming both flags."""
    assert _cli(server, "--from-file", "-", "--users", "a") == 2
    assert "--from-file cannot be combined with --users" in capsys.readouterr().err
