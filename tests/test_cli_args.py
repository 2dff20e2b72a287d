"""The CLI parser keeps no global state: secrets to mask live on the parser instance."""

from __future__ import annotations

import pytest

from aiogh_packages._cli import args as cli_args


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
