"""The CLI inside GitHub Actions: job summary, step outputs, annotations, the mask, the journal.

Each test runs ``aiogh-packages`` as a process against the fake GitHub with
``GITHUB_ACTIONS=true`` and temporary ``GITHUB_STEP_SUMMARY``/``GITHUB_OUTPUT`` files, and
reads the outputs file as the runner does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aiogh_packages._cli.actions import output_block
from aiogh_packages.testing import FakeGitHub, Fault, Store, add_multiarch_demo

CLI = (sys.executable, "-m", "aiogh_packages")
ROOT = Path(__file__).resolve().parents[1]
TOKEN = "ghp_actionsCLI_DO_NOT_LEAK_7781"
OLD = datetime.now(timezone.utc) - timedelta(days=400)
TARGET = ("--org", "acme", "--type", "container", "web")
UNTAGGED = 14  # more than the summary shows unfolded


def _store() -> Store:
    """acme/web: one tagged version, UNTAGGED untagged ones (ids 101..), one of them popular."""
    store = Store()
    store.add_org("acme")
    store.add_package("acme", "container", "web", visibility="public")
    store.add_version("acme", "container", "web", tags=("v1",), id=100, created_at=OLD)
    for i in range(UNTAGGED):
        store.add_version("acme", "container", "web", id=101 + i, created_at=OLD + timedelta(i),
                          downloads=9000 if i == 0 else 0)  # fmt: skip
    return store


@pytest.fixture
def server() -> Iterator[FakeGitHub]:
    """A threaded fake GitHub with the store above; deleting 102 and 103 answers 409."""
    with FakeGitHub.in_thread(store=_store()) as gh:
        for version in (102, 103):
            path = f"/orgs/acme/packages/container/web/versions/{version}"
            gh.add_fault(Fault(status=409, method="DELETE", path=path))
        yield gh


class Step:
    """The files and environment of one Actions step."""

    def __init__(self, folder: Path, *, actions: bool = True) -> None:
        self.summary = folder / "summary.md"
        self.output = folder / "output.txt"
        self.temp = folder / "runner-temp"
        self.temp.mkdir()
        self.summary.touch()
        self.output.touch()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_"))}
        env.update(NO_COLOR="1", PYTHONPATH=str(ROOT), RUNNER_TEMP=str(self.temp),
                   GITHUB_STEP_SUMMARY=str(self.summary), GITHUB_OUTPUT=str(self.output),
                   GITHUB_RUN_ID="4242", GITHUB_RUN_ATTEMPT="1")  # fmt: skip
        if actions:
            env["GITHUB_ACTIONS"] = "true"
        self.env = env

    def run(self, server: FakeGitHub, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the CLI on ``server`` as this step; the token shows only in the mask line."""
        pacing = ["--write-interval", "0"] if args[0] in ("prune", "undo") else []
        argv = [*CLI, *args, "--base-url", server.base_url, *pacing, "--token", TOKEN]
        done = subprocess.run(argv, capture_output=True, text=True, env=self.env,
                              stdin=subprocess.DEVNULL, timeout=60)  # fmt: skip
        leaks = [line for line in (done.stdout + done.stderr).splitlines() if TOKEN in line]
        assert leaks in ([], [f"::add-mask::{TOKEN}"])
        return done

    def outputs(self) -> dict[str, str]:
        """``$GITHUB_OUTPUT`` read as the runner reads it: ``name=value`` or heredoc blocks."""
        values: dict[str, str] = {}
        lines = iter(self.output.read_text(encoding="utf-8").splitlines())
        for line in lines:
            if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
                name, delimiter = line.split("<<", 1)
                body = []
                for text in lines:
                    if text == delimiter:
                        break
                    body.append(text)
                else:
                    raise AssertionError(f"unterminated output {name!r}")
                values[name] = "\n".join(body)
            elif line:
                name, _, value = line.partition("=")
                values[name] = value
        return values


def test_prune_in_actions_masks_the_token_before_anything_else(
    server: FakeGitHub, tmp_path: Path
) -> None:
    """The first thing the step prints is ::add-mask:: with the token."""
    done = Step(tmp_path).run(server, "prune", *TARGET, "--tag-state", "untagged", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == f"::add-mask::{TOKEN}"
    assert "::" not in done.stdout


def test_prune_in_actions_writes_outputs_including_multi_line_values(
    server: FakeGitHub, tmp_path: Path
) -> None:
    """Counts, the journal path and id lists are step outputs, parsed as GitHub parses them."""
    step = Step(tmp_path)
    done = step.run(server, "prune", *TARGET, "--tag-state", "untagged", "--yes")
    assert done.returncode == 1, done.stderr  # two deletions failed
    out = step.outputs()
    assert out["planned"] == str(UNTAGGED)
    assert (out["deleted"], out["retained"], out["failed"]) == (str(UNTAGGED - 3), "1", "2")
    assert out["deleted-ids"].splitlines() == [str(i) for i in range(104, 101 + UNTAGGED)]
    failures = out["failures"].splitlines()
    assert len(failures) == 2 and failures[0].startswith("102: HTTP 409")


def test_prune_in_actions_journals_to_runner_temp_and_says_where(
    server: FakeGitHub, tmp_path: Path
) -> None:
    """Without --journal the journal is a file in $RUNNER_TEMP, printed and an output."""
    step = Step(tmp_path)
    done = step.run(server, "prune", *TARGET, "--tag-state", "untagged", "--yes")
    journal = Path(step.outputs()["journal"])
    assert journal.parent == step.temp and journal.name.startswith("aiogh-packages-prune-4242-1")
    assert journal.is_file() and f"journal: {journal}" in done.stderr


def test_prune_in_actions_summary_has_rule_counts_and_outcome_tables(
    server: FakeGitHub, tmp_path: Path
) -> None:
    """The job summary: counts by rule, deleted (folded, long), retained and failed tables."""
    step = Step(tmp_path)
    step.run(server, "prune", *TARGET, "--tag-state", "untagged", "--yes")
    summary = step.summary.read_text(encoding="utf-8")
    assert summary.startswith("## aiogh-packages prune\n")
    assert "**Plan by rule (2)**" in summary and f"| delete | delete | {UNTAGGED} |" in summary
    assert "| keep | not-selected:tagged-filter | 1 |" in summary
    assert f"<details><summary>Deleted ({UNTAGGED - 3})</summary>" in summary
    assert "| 104 | " in summary
    assert "**Retained (1)**" in summary and "more than 5000 downloads" in summary
    assert "**Failed (2)**" in summary and "| 103 | HTTP 409" in summary


def test_prune_in_actions_annotates_warnings_and_failed_deletions(
    server: FakeGitHub, tmp_path: Path
) -> None:
    """Plan warnings become ::warning::, failed deletions ::error:: (one line each)."""
    done = Step(tmp_path).run(server, "prune", *TARGET, "--tag-state", "untagged", "--yes")
    lines = done.stderr.splitlines()
    warning = "::warning::web: 15 listed version(s) have no manifest in the registry (404)"
    assert any(line.startswith(warning) for line in lines)
    errors = [line for line in lines if line.startswith("::error::")]
    assert len(errors) == 2
    assert errors[0].startswith("::error::web: failed to delete version 102: HTTP 409")
    assert errors[1].startswith("::error::web: failed to delete version 103: HTTP 409")


def test_prune_refusal_in_actions_is_an_error_annotation(
    server: FakeGitHub, tmp_path: Path
) -> None:
    """A plan over --max-deletions is refused (exit 8) with an ::error:: annotation."""
    step = Step(tmp_path)
    done = step.run(server, "prune", *TARGET, "--tag-state", "untagged", "--yes",
                    "--max-deletions", "3")  # fmt: skip
    assert done.returncode == 8
    errors = [line for line in done.stderr.splitlines() if line.startswith("::error::")]
    assert len(errors) == 1 and "more than --max-deletions 3" in errors[0]
    assert not [r for r in server.requests if r.method == "DELETE"]


def test_none_of_it_appears_outside_actions(server: FakeGitHub, tmp_path: Path) -> None:
    """Without GITHUB_ACTIONS: no workflow commands, no summary, no outputs, no default journal."""
    step = Step(tmp_path, actions=False)
    done = step.run(server, "prune", *TARGET, "--tag-state", "untagged", "--yes")
    assert done.returncode == 1
    assert "::" not in done.stdout + done.stderr
    assert step.summary.read_text() == "" and step.output.read_text() == ""
    assert list(step.temp.iterdir()) == []


def test_output_block_survives_a_value_with_newlines_and_equals() -> None:
    """A heredoc output keeps every line of its value, '=' and '<<' included."""
    value = "a=b\nc<<d\n\nlast"
    block = output_block("failures", value, "EOF_abc")
    assert block == f"failures<<EOF_abc\n{value}\nEOF_abc\n"
    with pytest.raises(ValueError, match="delimiter"):
        output_block("x", "EOF_abc", "EOF_abc")


def test_validate_in_actions_summarises_and_annotates_broken_images(tmp_path: Path) -> None:
    """validate: a summary table of broken images, ::error:: per image, a broken count output."""
    store = Store()
    store.add_org("acme")
    images = add_multiarch_demo(store, "acme")
    step = Step(tmp_path)
    with FakeGitHub.in_thread(store=store) as gh:
        done = step.run(gh, "validate", "--org", "acme", "--type", "container", "web-app")
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[0] == f"::add-mask::{TOKEN}"
    summary = step.summary.read_text(encoding="utf-8")
    assert summary.startswith("## aiogh-packages validate\n")
    assert "**Broken images of `web-app` (2)**" in summary and images["ghost"].index in summary
    errors = [line for line in done.stderr.splitlines() if line.startswith("::error::")]
    assert len(errors) == 2 and all("web-app: broken image" in e for e in errors)
    assert step.outputs()["broken"] == "2"


def test_empty_summary_tables_say_none(server: FakeGitHub, tmp_path: Path) -> None:
    """A dry run's summary says no version was deleted, retained or failed, without empty tables."""
    step = Step(tmp_path)
    done = step.run(server, "prune", *TARGET, "--tag-state", "untagged", "--dry-run")
    assert done.returncode == 0, done.stderr
    summary = step.summary.read_text(encoding="utf-8")
    assert "dry run: nothing was deleted" in summary
    for title in ("Deleted", "Retained", "Failed"):
        assert f"**{title} (0)**: none" in summary
    assert step.outputs()["journal"] == ""
