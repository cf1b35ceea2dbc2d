"""Helpers shared by the CLI tests."""

from __future__ import annotations


def assert_input_error(result, *fragments: str, status: int = 2) -> str:
    """Exit 2 (bad input; `status` for another error of the tree), exactly one stderr line
    starting `zjtx: error:` that holds every fragment, nothing on stdout, no traceback. Returns
    the line."""
    assert result.exit_code == status, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith("zjtx: error: "), line
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    return line


def assert_catalog_error(result, *fragments: str) -> str:
    """A broken catalog package is a configuration error: exit 4, one clear line, no traceback."""
    return assert_input_error(result, *fragments, status=4)
