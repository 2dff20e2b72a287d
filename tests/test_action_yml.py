"""action.yml and the example workflow: every input reaches a real prune flag, safely.

The composite action passes inputs as ``INPUT_*`` variables to
``python -m aiogh_packages._cli.action_inputs``; these tests read ``action.yml`` with a YAML
parser, feed each input through that mapping and parse the result with the real CLI parser.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from aiogh_packages._cli.action_inputs import (
    BOOLEANS,
    LISTS,
    OPTIONS,
    InputError,
    argv_from_inputs,
    env_name,
)
from aiogh_packages._cli.args import build_parser
from aiogh_packages.testing import FakeGitHub, Store

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
EXAMPLE_PATH = ROOT / "examples" / "cleanup.yml"
INPUTS = ACTION["inputs"]
STEPS = ACTION["runs"]["steps"]
PRUNE_STEP = next(step for step in STEPS if step.get("id") == "prune")
OWNER = {env_name("owner"): "acme", env_name("owner-kind"): "org"}

# A sample value for each input and the prune option (argparse dest) it must set.
SAMPLES: dict[str, tuple[str, str, object]] = {
    "package-type": ("container", "package_type", "container"),
    "package": ("web\n\napi\n", "packages", ["web", "api"]),
    "package-glob": ("web-*", "package_glob", "web-*"),
    "keep-latest": ("3", "keep_latest", 3),
    "keep-latest-tagged": ("4", "keep_latest_tagged", 4),
    "keep-latest-untagged": ("5", "keep_latest_untagged", 5),
    "older-than": ("30d", "older_than", None),
    "age-by": ("created", "age_by", "created"),
    "tag-state": ("untagged", "tag_state", "untagged"),
    "include-tags": ("v*\nrc-*", "include_tag", ["v*", "rc-*"]),
    "exclude-tags": ("latest", "exclude_tag", ["latest"]),
    "protect-tags": ("prod", "protect_tag", ["prod"]),
    "protect-names": ("1.*", "protect_name", ["1.*"]),
    "protect-ids": ("7\n8", "protect_id", [7, 8]),
    "version-ids": ("9", "version_ids", [9]),
    "prerelease-only": ("true", "prerelease_only", True),
    "regex": ("true", "regex", True),
    "dry-run": ("true", "dry_run", True),
    "max-deletions": ("7", "max_deletions", 7),
    "limit": ("2", "limit", 2),
    "journal": ("j.jsonl", "journal", "j.jsonl"),
    "base-url": ("https://ghe.example/api/v3", "base_url", "https://ghe.example/api/v3"),
}


def _parse(environ: dict[str, str]) -> Any:
    return build_parser().parse_args(argv_from_inputs(environ))


def test_every_input_is_mapped_once() -> None:
    """Each input is an owner input, the token, or exactly one flag mapping."""
    mapped = [*OPTIONS, *LISTS, *BOOLEANS, "owner", "owner-kind", "token"]
    assert sorted(mapped) == sorted(INPUTS)
    assert set(SAMPLES) == set(OPTIONS) | set(LISTS) | set(BOOLEANS)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_input_reaches_a_real_prune_flag(name: str) -> None:
    """The input's value, through INPUT_*, sets its prune option in the real parser."""
    value, dest, expected = SAMPLES[name]
    baseline = _parse({**OWNER, env_name("package-type"): "npm"})
    args = _parse({**OWNER, env_name("package-type"): "npm", env_name(name): value})
    assert args.command == "prune"
    assert getattr(args, dest) != getattr(baseline, dest)
    if expected is not None:
        assert getattr(args, dest) == expected


@pytest.mark.parametrize(("kind", "flags"), [("org", ["--org", "acme"]), ("user", ["--user", "acme"]), ("me", ["--me"])])  # fmt: skip
def test_owner_kind_picks_the_owner_flag(kind: str, flags: list[str]) -> None:
    """owner-kind org, user or me becomes --org NAME, --user NAME or --me."""
    argv = argv_from_inputs({env_name("owner"): "acme", env_name("owner-kind"): kind})
    assert argv[1 : 1 + len(flags)] == flags


@pytest.mark.parametrize(
    ("name", "value"), [("owner-kind", "team"), ("dry-run", "yes"), ("regex", "1")]
)
def test_bad_input_is_refused_naming_it(name: str, value: str) -> None:
    """A value no flag takes is an InputError naming the input, before any request."""
    with pytest.raises(InputError, match=f"input {name} is"):
        argv_from_inputs({**OWNER, env_name(name): value})


def test_each_input_travels_as_an_environment_variable() -> None:
    """The prune step maps every input (the token as GITHUB_TOKEN) through env:."""
    env = dict(PRUNE_STEP["env"])
    assert env.pop("GITHUB_TOKEN") == "${{ inputs.token }}"
    assert env.pop("AIOGH_PACKAGES_PYTHON") == "${{ steps.install.outputs.python }}"
    assert env == {
        env_name(name): f"${{{{ inputs.{name} }}}}" for name in INPUTS if name != "token"
    }


def test_no_script_interpolates_an_expression() -> None:
    """No run: script contains ${{ }} (script injection); expressions live in env: only."""
    for step in STEPS:
        assert "${{" not in step["run"], step["name"]
        assert step["shell"] == "bash"


def test_dry_run_defaults_to_true_and_token_to_github_token() -> None:
    """The safe defaults the issue asks for."""
    assert INPUTS["dry-run"]["default"] == "true"
    assert INPUTS["token"]["default"] == "${{ github.token }}"


def test_outputs_are_the_step_outputs_the_cli_writes() -> None:
    """deleted, retained, failed, planned, journal (and deleted-ids) come from the prune step."""
    outputs = ACTION["outputs"]
    assert {"deleted", "retained", "failed", "planned", "journal"} <= set(outputs)
    for name, spec in outputs.items():
        assert spec["value"] == f"${{{{ steps.prune.outputs.{name} }}}}"


def test_install_step_handles_bin_and_scripts_and_installs_the_checkout() -> None:
    """The venv's interpreter is found on Windows (Scripts) and elsewhere (bin)."""
    install = STEPS[0]
    assert install["env"] == {"ACTION_PATH": "${{ github.action_path }}"}
    assert '"$venv/Scripts"' in install["run"] and '"$venv/bin"' in install["run"]
    assert 'pip install --quiet --disable-pip-version-check "$ACTION_PATH"' in install["run"]
    assert 'echo "python=$bin/python" >> "$GITHUB_OUTPUT"' in install["run"]


def _example() -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(EXAMPLE_PATH.read_text(encoding="utf-8"))
    return loaded


def test_example_workflow_names_only_real_inputs() -> None:
    """The example is valid YAML; its use of the action passes only declared inputs."""
    steps = _example()["jobs"]["prune"]["steps"]
    uses = [s for s in steps if s.get("uses", "").endswith("/aiogh_packages@v1")]
    assert len(uses) == 1
    assert set(uses[0]["with"]) <= set(INPUTS)
    assert "package-type" in uses[0]["with"]


def test_example_workflow_has_a_concurrency_group_and_uploads_the_journal() -> None:
    """Two runs never prune at once, and the journal outlives the log as an artifact."""
    workflow = _example()
    assert workflow["concurrency"]["cancel-in-progress"] is False
    upload = next(s for s in workflow["jobs"]["prune"]["steps"]
                  if s.get("uses", "").startswith("actions/upload-artifact@"))  # fmt: skip
    assert upload["with"]["path"] == "${{ steps.prune.outputs.journal }}"


def test_readme_shows_the_example_workflow_verbatim() -> None:
    """README's yaml block is examples/cleanup.yml, byte for byte."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)
    assert EXAMPLE_PATH.read_text(encoding="utf-8") in blocks


# -- the step's command, end to end ---------------------------------------------------------


@pytest.fixture
def server() -> Iterator[FakeGitHub]:
    """A fake GitHub with org acme's container web: one tagged and three untagged versions."""
    store = Store()
    store.add_org("acme")
    store.add_package("acme", "container", "web")
    store.add_version("acme", "container", "web", tags=("v1",), id=100)
    for i in range(3):
        store.add_version("acme", "container", "web", id=101 + i)
    with FakeGitHub.in_thread(store=store) as gh:
        yield gh


def test_the_prune_step_command_runs_a_dry_run_with_the_inputs(
    server: FakeGitHub, tmp_path: Path
) -> None:
    """python -m aiogh_packages._cli.action_inputs with the defaults plans and deletes nothing."""
    output = tmp_path / "output"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GH_"))}
    env.update({
        "PYTHONPATH": str(ROOT), "GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": str(output),
        "RUNNER_TEMP": str(tmp_path), **OWNER, env_name("package-type"): "container",
        env_name("package"): "web", env_name("tag-state"): "untagged",
        env_name("dry-run"): INPUTS["dry-run"]["default"], env_name("max-deletions"): "100",
        env_name("base-url"): server.base_url,
    })  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "aiogh_packages._cli.action_inputs"],
                          capture_output=True, text=True, env=env, timeout=60,
                          stdin=subprocess.DEVNULL)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "dry run: nothing was deleted" in done.stdout
    assert "planned<<" in output.read_text() and "journal<<" in output.read_text()
    assert not [r for r in server.requests if r.method == "DELETE"]


def test_the_prune_step_command_stops_on_a_bad_input(tmp_path: Path) -> None:
    """A bad input is exit 2 with an ::error:: naming it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), env_name("owner-kind"): "team"}
    done = subprocess.run([sys.executable, "-m", "aiogh_packages._cli.action_inputs"],
                          capture_output=True, text=True, env=env, timeout=60,
                          stdin=subprocess.DEVNULL)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("::error::input owner-kind is 'team'")
