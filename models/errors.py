"""The error tree. Ineligibility is a result, never an error; these are for bad input and catalogs.

    ZjtxError
    ├── InputError            bad user input: exit status 2 at the CLI, 4xx at the service
    │   ├── RecordError       an enterprise record (file, row, field path)
    │   └── ReadingError      an unknown reading key or value
    ├── CatalogError          a catalog file that does not load (file, field)
    └── SolverError           the optimizer did not prove optimality (a bug or a time limit)

Every error carries its context as keyword-only attributes and renders one clear line.
"""

from __future__ import annotations


class ZjtxError(Exception):
    """Base of every error zjtx raises on purpose."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 field: str | None = None, accepted: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        self.accepted = accepted

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field {self.field}")
        text = (": ".join([", ".join(where), self.message]) if where else self.message)
        if self.accepted:
            text += f" (accepted: {self.accepted})"
        return text


class InputError(ZjtxError):
    """Bad input from a user."""


class RecordError(InputError):
    """An enterprise record that does not validate; `problems` holds every (field, message,
    accepted) found, the first of which is the error's own."""

    problems: list[tuple[str, str, str | None]] = []


class ReadingError(InputError):
    """An unknown reading key or value."""


class CatalogError(ZjtxError):
    """A catalog file that does not load."""


class SolverError(ZjtxError):
    """The optimizer returned a status other than OPTIMAL."""
