"""Helpers shared by the CLI tests."""

from __future__ import annotations


def assert_input_error(result, *fragments: str) -> str:
    """Exit 2, exactly one stderr line starting `zjtx: error:` that holds every fragment,
    nothing on stdout, no traceback. Returns the line."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
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
