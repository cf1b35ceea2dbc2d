"""The error tree. Ineligibility is a result, never an error; these are for bad input and catalogs.

    ZjtxError
    ├── InputError            bad user input: exit status 2 at the CLI, 4xx at the service
    │   ├── RecordError       an enterprise record (file, row, field path)
    │   └── ReadingError      an unknown reading key or value
    ├── CatalogError          a catalog file that does not load (file, field)
    ├── SolverError           the optimizer did not prove optimality (a bug or a time limit)
    └── BugError              an unexpected exception while evaluating: exit status 3

Every error carries its context as keyword-only attributes and renders one clear line.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.i18n import t


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input: the field path, what was wrong, and what is accepted."""

    field: str | None
    message: str
    accepted: str | None = None

    def text(self, where: tuple[str, ...] = ()) -> str:
        """`file, row 3, field tier: 'gold' is not accepted (accepted: …)`."""
        place = [*where, t("error.field", field=self.field)] if self.field else list(where)
        body = self.message + (t("error.accepted", accepted=self.accepted) if self.accepted else "")
        return t("error.after_place").join([t("error.place_sep").join(place), body]) if place else body


class ZjtxError(Exception):
    """Base of every error zjtx raises on purpose."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 field: str | None = None, accepted: str | None = None,
                 problems: tuple[Problem, ...] = ()) -> None:
        """`problems`: every problem of one input, when there are several (`message`, `field`
        and `accepted` then describe the first, and `str()` lists them all)."""
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        self.accepted = accepted
        self.problems = problems

    def _where(self) -> tuple[str, ...]:
        where = (self.file,) if self.file else ()
        return where + ((t("error.row", row=self.row),) if self.row is not None else ())

    def __str__(self) -> str:
        problems = self.problems or (Problem(self.field, self.message, self.accepted),)
        return "\n".join(problem.text(self._where()) for problem in problems)

    def detail(self) -> str:
        """Every problem in one line, without the file and row (for a batch row or a problem body)."""
        problems = self.problems or (Problem(None, self.message, self.accepted),)
        return "; ".join(problem.text() for problem in problems)


class InputError(ZjtxError):
    """Bad input from a user."""


class RecordError(InputError):
    """An enterprise record that does not validate; `problems` holds every problem found, the
    first of which is the error's own."""


class ReadingError(InputError):
    """An unknown reading key or value."""


class CatalogError(ZjtxError):
    """A catalog file that does not load."""


class SolverError(ZjtxError):
    """The optimizer returned a status other than OPTIMAL."""


class BugError(ZjtxError):
    """An unexpected exception: a bug in zjtx, never the input's fault (exit status 3)."""
