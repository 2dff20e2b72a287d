"""prune and undo end to end: the CLI as a process against the fake GitHub on loopback."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import TOKEN

from aiogh_packages.testing import FakeGitHub, Fault, Store

CLI = (sys.executable, "-m", "aiogh_packages")
ROOT = Path(__file__).resolve().parents[1]
OLD = datetime.now(timezone.utc) - timedelta(days=400)
TARGET = ("--org", "acme", "--type", "container", "web")
POLICY = ("--tag-state", "untagged", "--keep-latest", "1")


def _store(untagged: int = 4) -> Store:
    """Org acme, container web: one tagged version and ``untagged`` untagged, a day apart."""
    store = Store()
    store.add_org("acme")
    store.add_package("acme", "container", "web", visibility="public")
    store.add_version("acme", "container", "web", tags=("v1",), id=100, created_at=OLD)
    for i in range(untagged):
        store.add_version(
            "acme", "container", "web", id=101 + i, created_at=OLD + timedelta(days=i)
        )
    return store


@pytest.fixture
def server() -> Iterator[FakeGitHub]:
    """A threaded fake with the store above, for one test."""
    with FakeGitHub.in_thread(store=_store()) as gh:
        yield gh


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    return {**env, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}


def _argv(server: FakeGitHub, *args: str) -> list[str]:
    return [*CLI, *args, "--base-url", server.base_url, "--write-interval", "0", "--token", TOKEN]


def run(server: FakeGitHub, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI against ``server``; the token never shows in its output."""
    done = subprocess.run(
        _argv(server, *args), capture_output=True, text=True, env=_env(),
        stdin=subprocess.DEVNULL, timeout=60,
    )  # fmt: skip
    assert TOKEN not in done.stdout + done.stderr
    return done


def deleted_ids(server: FakeGitHub) -> list[int]:
    """The ids the server shows deleted."""
    return sorted(v.id for v in server.store.versions("acme", "container", "web", state="deleted"))


def deletes(server: FakeGitHub) -> list[str]:
    """The paths of the DELETE requests the server got."""
    return [r.path for r in server.requests if r.method == "DELETE"]


def kill_during_held_delete(server: FakeGitHub, journal: Path, held: int) -> None:
    """Start prune, SIGKILL it while the server holds the answer to DELETE of ``held``."""
    path = f"/orgs/acme/packages/container/web/versions/{held}"
    server.add_fault(Fault(kind="hold", delay_s=120, method="DELETE", path=path))
    child = subprocess.Popen(
        _argv(server, "prune", *TARGET, *POLICY, "--yes", "--journal", str(journal)),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        env=_env(),
    )  # fmt: skip
    try:
        while path not in deletes(server) and child.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=0.05)
        assert child.poll() is None, "prune ended before the held DELETE"
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)


def test_sigkill_while_a_delete_is_in_flight_then_undo_restores_every_deleted_version(
    server: FakeGitHub, tmp_path: Path
) -> None:
    """Killed while GitHub holds a DELETE's answer, undo still restores all it deleted."""
    journal = tmp_path / "prune.jsonl"
    kill_during_held_delete(server, journal, held=102)
    assert deleted_ids(server) == [101, 102]  # the held DELETE was applied
    done = run(server, "undo", "--journal", str(journal), "--json")
    assert done.returncode == 0, done.stderr
    assert sorted(json.loads(done.stdout)["restored"]) == [101, 102]
    assert deleted_ids(server) == []


def test_resume_after_an_interruption_finishes_the_run(server: FakeGitHub, tmp_path: Path) -> None:
    """prune --resume deletes what the killed run left, and a second resume sends nothing."""
    journal = tmp_path / "prune.jsonl"
    kill_during_held_delete(server, journal, held=102)
    server.clear_requests()
    done = run(server, "prune", "--resume", str(journal))
    assert done.returncode == 0, done.stderr
    assert deleted_ids(server) == [101, 102, 103]
    assert deletes(server) == ["/orgs/acme/packages/container/web/versions/103"]
    server.clear_requests()
    again = run(server, "prune", "--resume", str(journal))
    assert again.returncode == 0 and deletes(server) == []


def test_a_403_on_the_first_delete_sends_no_second_delete(server: FakeGitHub) -> None:
    """A token that may not delete stops prune after one DELETE, with exit 4 and advice."""
    body = {"message": "Must have admin rights to Repository."}
    server.add_fault(Fault(status=403, body=body, method="DELETE", times=5))
    done = run(server, "prune", *TARGET, *POLICY, "--yes")
    assert done.returncode == 4, done.stderr
    assert len(deletes(server)) == 1
    assert "delete:packages" in done.stderr and "Must have admin rights" in done.stderr


def test_a_github_rule_refusal_is_reported_as_retained(server: FakeGitHub) -> None:
    """GitHub's 'last version' 400 is a retained version with GitHub's message; exit 0."""
    message = (
        "You cannot delete the last version of a package. You must delete the package instead."
    )
    server.add_fault(Fault(status=400, body={"message": message}, method="DELETE"))
    done = run(server, "prune", *TARGET, *POLICY, "--yes", "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [r["reason"] for r in document["retained"]] == [f"GitHub keeps it: {message}"]
    assert {o["outcome"] for o in document["outcomes"]} == {"retained", "deleted"}
    assert document["failed"] == []


def test_limit_then_a_second_run_clears_the_rest(server: FakeGitHub) -> None:
    """--limit 2 deletes the two oldest and says one remains; the next run deletes it."""
    first = run(server, "prune", *TARGET, *POLICY, "--yes", "--limit", "2")
    assert first.returncode == 0, first.stderr
    assert deleted_ids(server) == [101, 102]
    assert "1 planned deletions remain beyond --limit 2" in first.stdout
    second = run(server, "prune", *TARGET, *POLICY, "--yes", "--limit", "2")
    assert second.returncode == 0 and deleted_ids(server) == [101, 102, 103]
    third = run(server, "prune", *TARGET, *POLICY, "--yes", "--limit", "2")
    assert "nothing to delete" in third.stdout


def test_version_id_plans_exactly_those_versions(server: FakeGitHub) -> None:
    """--version-id deletes the ids given and nothing else."""
    done = run(server, "prune", *TARGET, "--version-id", "102", "--version-id", "104", "--yes")
    assert done.returncode == 0, done.stderr
    assert deleted_ids(server) == [102, 104]


def test_an_empty_policy_is_refused_with_exit_2(server: FakeGitHub) -> None:
    """prune without a selection rule names the flags and sends nothing."""
    done = run(server, "prune", *TARGET, "--yes")
    assert done.returncode == 2 and "--tag-state" in done.stderr
    assert [r.method for r in server.requests] == []


def test_the_undo_hint_carries_the_base_url(server: FakeGitHub, tmp_path: Path) -> None:
    """The undo command printed after prune names the API host, so it works as pasted."""
    journal = tmp_path / "j.jsonl"
    done = run(server, "prune", *TARGET, *POLICY, "--yes", "--journal", str(journal))
    hint = next(line for line in done.stdout.splitlines() if "undo with:" in line)
    assert f"--base-url {server.base_url}" in hint


def test_the_restore_hint_after_delete_carries_the_base_url(server: FakeGitHub) -> None:
    """delete's restore hint names the API host too."""
    done = run(server, "delete", *TARGET, "--version-id", "101", "--yes")
    assert done.returncode == 0, done.stderr
    assert f"--version-id 101 --base-url {server.base_url}" in done.stderr + done.stdout


def test_undo_reads_a_journal_with_a_torn_last_line(server: FakeGitHub, tmp_path: Path) -> None:
    """A torn tail is reported; every complete line is restored."""
    journal = tmp_path / "j.jsonl"
    run(server, "prune", *TARGET, *POLICY, "--yes", "--journal", str(journal))
    with journal.open("a") as handle:
        handle.write('{"owner_kind":"org","owner":"ac')
    done = run(server, "undo", "--journal", str(journal))
    assert done.returncode == 0, done.stderr
    assert "torn" in done.stderr and "restored 3" in done.stdout
    assert deleted_ids(server) == []


MIGRATION = ROOT / "docs" / "migration.md"


def _help(command: str) -> str:
    from aiogh_packages._cli.args import build_parser

    parser = build_parser()
    with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.suppress(SystemExit):
        parser.parse_args([command, "--help"])
    return out.getvalue()


def test_every_prune_flag_in_the_migration_guide_exists() -> None:
    """Each --flag the migration guide names is an option of prune or undo."""

    text = MIGRATION.read_text()
    named = {
        f for code in re.findall(r"`([^`]+)`", text) for f in re.findall(r"--[a-z][a-z-]*", code)
    }
    known = {
        flag for command in ("prune", "undo") for flag in re.findall(r"--[a-z-]+", _help(command))
    }
    assert named and named <= known, sorted(named - known)


def test_every_command_in_the_migration_guide_parses() -> None:
    """The guide's sh commands are accepted by the real argument parser."""
    from aiogh_packages._cli.args import parse_arguments

    block = MIGRATION.read_text().split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line)[1:] for line in block.splitlines() if line.strip()]
    assert len(commands) == 5
    for argv in commands:
        assert parse_arguments(argv).command in ("prune", "undo")


def test_ctrl_c_during_apply_says_what_was_deleted_and_where_the_journal_is(
    server: FakeGitHub, tmp_path: Path
) -> None:
    """SIGINT while a DELETE is held prints 'deleted N of M; journal at ...' and exits 130."""
    journal = tmp_path / "prune.jsonl"
    path = "/orgs/acme/packages/container/web/versions/102"
    server.add_fault(Fault(kind="hold", delay_s=120, method="DELETE", path=path))
    child = subprocess.Popen(
        _argv(server, "prune", *TARGET, *POLICY, "--yes", "--journal", str(journal)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env=_env(), preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        while path not in deletes(server) and child.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=0.05)
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=30)
    finally:
        child.kill()
        child.wait(timeout=30)
    assert child.returncode == 130
    assert f"deleted 1 of 3; journal at {journal}" in stderr
    assert f"prune --resume {journal} --base-url {server.base_url}" in stderr


def test_package_glob_prunes_every_matching_package_with_one_confirmation(
    tmp_path: Path,
) -> None:
    """--package-glob plans each matching package, prints each, and deletes in both."""
    store = _store()
    store.add_package("acme", "container", "web-2", visibility="public")
    store.add_package("acme", "container", "other", visibility="public")
    for i in range(3):
        for name in ("web-2", "other"):
            store.add_version("acme", "container", name, created_at=OLD + timedelta(days=i))
    with FakeGitHub.in_thread(store=store) as gh:
        args = ("--org", "acme", "--type", "container", "--package-glob", "web*", *POLICY)
        done = run(gh, "prune", *args, "--yes", "--json")
        assert done.returncode == 0, done.stderr
        documents = json.loads(done.stdout)["packages"]
        assert [d["package"] for d in documents] == ["web", "web-2"]
        assert [len(d["deleted"]) for d in documents] == [3, 2]
        assert len(gh.store.versions("acme", "container", "other")) == 3


def test_resume_json_reports_per_version_outcomes(server: FakeGitHub, tmp_path: Path) -> None:
    """prune --resume --json gives one report per package section with outcomes."""
    journal = tmp_path / "prune.jsonl"
    kill_during_held_delete(server, journal, held=102)
    done = run(server, "prune", "--resume", str(journal), "--json")
    assert done.returncode == 0, done.stderr
    (report,) = json.loads(done.stdout)["packages"]
    assert [(o["id"], o["outcome"]) for o in report["outcomes"]] == [
        (102, "already_gone"), (103, "deleted"),
    ]  # fmt: skip


def test_undo_warns_when_the_journal_names_another_api_host(
    server: FakeGitHub, tmp_path: Path
) -> None:
    """The journal records its API host; undo against another host says so."""
    journal = tmp_path / "j.jsonl"
    run(server, "prune", *TARGET, *POLICY, "--yes", "--journal", str(journal))
    with FakeGitHub.in_thread(store=_store()) as other:
        done = run(other, "undo", "--journal", str(journal))
    assert f"the journal was written against {server.base_url}" in done.stderr
    assert deleted_ids(server) == [101, 102, 103]  # nothing restored on the right host


def test_the_last_version_of_a_package_is_never_planned(tmp_path: Path) -> None:
    """Asked to delete a package's only version, prune keeps it and sends no DELETE."""
    store = Store()
    store.add_org("acme")
    store.add_package("acme", "npm", "lib", visibility="public")
    only = store.add_version("acme", "npm", "lib", "1.0.0", created_at=OLD).id
    with FakeGitHub.in_thread(store=store) as gh:
        args = ("--org", "acme", "--type", "npm", "lib", "--version-id", str(only))
        done = run(gh, "prune", *args, "--yes", "--json")
        assert done.returncode == 0, done.stderr
        (item,) = json.loads(done.stdout)["plan"]["items"]
        assert item["rule"] == "github-last-version" and deletes(gh) == []
