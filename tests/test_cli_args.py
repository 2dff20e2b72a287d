"""The CLI parser: no global state (secrets live on the instance), and owners as Owner values."""

from __future__ import annotations

import pytest

from aiogh_packages import Owner
from aiogh_packages._cli import args as cli_args
from aiogh_packages._cli.session import owner_of


def test_parsing_leaves_no_secret_on_the_parser_class() -> None:
    """After a parse with --token, the parser class holds no copy of the token."""
    cli_args.parse_arguments(["packages", "--user", "u", "--type", "npm", "--token", "SECRET1"])
    assert "SECRET1" not in repr(vars(cli_args._Parser))


def test_a_usage_error_masks_the_token_given_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """argparse's error message shows *** where the token was."""
    with pytest.raises(SystemExit):
        cli_args.parse_arguments(["packages", "--type", "SECRET2", "--token", "SECRET2"])
    err = capsys.readouterr().err
    assert "SECRET2" not in err and "***" in err


def test_args_module_exports_only_the_parser() -> None:
    """The unused COMMANDS tuple is gone; cli.COMMANDS is the one command table."""
    assert cli_args.__all__ == ["build_parser", "parse_arguments"]
    assert not hasattr(cli_args, "COMMANDS")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--user", "octocat"], Owner.user("octocat")),
        (["--org", "acme"], Owner.org("acme")),
        (["--me"], Owner.authenticated_user()),
    ],
)
def test_the_cli_owner_is_the_public_owner_value(argv: list[str], expected: Owner) -> None:
    """--user/--org/--me become aiogh_packages.Owner values, the library's one owner type."""
    parsed = cli_args.parse_arguments(["packages", *argv, "--type", "npm"])
    assert owner_of(parsed) == expected
