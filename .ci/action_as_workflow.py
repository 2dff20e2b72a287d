"""Print action.yml's composite steps as a workflow, so actionlint checks them (.ci/run).

actionlint lints workflows, not action metadata; wrapped as a job of a ``workflow_call``
workflow whose inputs are the action's, its steps get the same checks (shell, expressions,
untrusted input in scripts) they would get in a workflow.
"""

from __future__ import annotations

import sys

import yaml


def main(path: str) -> None:
    with open(path, encoding="utf-8") as file:
        action = yaml.safe_load(file)
    inputs = {name: {"type": "string", "required": False} for name in action["inputs"]}
    workflow = {
        "name": f"steps of {path}",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    }
    sys.stdout.write(yaml.safe_dump(workflow, sort_keys=False))


if __name__ == "__main__":
    main(sys.argv[1])
