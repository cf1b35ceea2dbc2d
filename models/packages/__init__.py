"""The catalog packages zjtx ships, by name, and where each rule of a package comes from.

`beijing-2022` is the English brochure of October 2022 (`models/catalog/`, the default of every
command); every directory beside this file that holds an `index.yaml` is another shipped package
(`beijing-2025`: the later rules found in published sources, graded). `--catalog NAME` takes a
shipped package by its name, `--catalog DIR` any package directory:

>>> locate("beijing-2022") == CATALOG_DIR
True
>>> str(locate("tests/catalogs/riverland"))
'tests/catalogs/riverland'
>>> locate(None) is None
True

A rule's provenance is the grade of the sources it cites: `primary` (the issuing body's own
text was read), `secondary` (a reproduction or summary was read), `test` (invented test data),
or `brochure` (the rules of the October 2022 brochure, which the project quotes as printed).
"""

from __future__ import annotations

import contextvars
import os
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from models.catalog import CATALOG_DIR, Catalog, Rule, load_catalog

PACKAGES_DIR = Path(__file__).parent
BROCHURE = "beijing-2022"  # the name of the shipped default: the October 2022 brochure
GRADES = ("primary", "secondary", "test", "brochure")  # nearest the issuing body first


def shipped() -> dict[str, Path]:
    """Every shipped package, name → directory: the brochure first, then the others by name."""
    found = {BROCHURE: CATALOG_DIR}
    for index in sorted(PACKAGES_DIR.glob("*/index.yaml")):
        found[index.parent.name] = index.parent
    return found


# Packages a question names that an evidence bundle carries (the name as given → its copy): `zjtx
# verify` asks `catalog=beijing-2025` again with the package filed, not the one installed today.
_CARRIED: contextvars.ContextVar[Mapping[str, Path]] = contextvars.ContextVar("carried", default={})


@contextmanager
def carried_packages(packages: Mapping[str, Path]) -> Iterator[None]:
    """Within the block, `locate(NAME)` of a name in `packages` is the copy given for it."""
    token = _CARRIED.set(packages)
    try:
        yield
    finally:
        _CARRIED.reset(token)


def locate(value: str | Path | None) -> Path | None:
    """`--catalog NAME|DIR`: a shipped package's name (a value with no path separator that names
    one) → its directory; anything else → the path as given; None → None (the default). Within
    `carried_packages`, a name or path it carries → its copy."""
    if value is None:
        return None
    text = str(value)
    carried = _CARRIED.get().get(text)
    if carried is not None:
        return carried
    if os.sep not in text and "/" not in text:
        known = shipped()
        if text in known:
            return known[text]
    return Path(value)


def is_shipped(directory: Path) -> bool:
    """Is `directory` one of the packages zjtx ships (whose sources may not be test data)?"""
    where = directory.resolve()
    return any(where == path.resolve() for path in shipped().values())


def rule_grade(rule: Rule) -> str:
    """The provenance grade of a rule: the weakest grade of the sources it cites (`brochure` when
    they carry no provenance: the October 2022 brochure's own sources)."""
    grades = [source.provenance.grade if source.provenance else "brochure" for source in rule.sources]
    return max(grades, key=GRADES.index) if grades else "brochure"


@dataclass(frozen=True)
class PackageInfo:
    """A shipped package as `zjtx measures packages` lists it."""

    name: str
    directory: Path
    title: str
    title_zh: str | None
    as_of: str
    extends: str | None          # the shipped package it extends, by name
    rules: int                   # every rule, inherited ones included
    grades: dict[str, int]       # grade → rules of that grade
    own_grades: dict[str, int]   # the same, of the rules the package adds (not inherited)
    default: bool

    @property
    def all_primary(self) -> bool:
        """Could this later edition be the default? Only when every rule it adds was read in the
        issuing body's own text."""
        return bool(self.own_grades) and set(self.own_grades) == {"primary"}

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "directory": str(self.directory), "title": self.title,
                "title_zh": self.title_zh, "as_of": self.as_of, "extends": self.extends,
                "rules": self.rules, "grades": dict(self.grades),
                "own_grades": dict(self.own_grades), "default": self.default}


def _counted(rules: list[Rule]) -> dict[str, int]:
    return dict(sorted(Counter(rule_grade(r) for r in rules).items(),
                       key=lambda item: GRADES.index(item[0])))


def describe(name: str, directory: Path) -> PackageInfo:
    """What a shipped package holds and how its rules are graded."""
    catalog = load_catalog(directory.resolve())
    own = directory.resolve()
    paths = catalog.package.paths if catalog.package is not None else {}
    added = [r for r in catalog.rules if r.file in paths and paths[r.file].parent.resolve() == own]
    return PackageInfo(name=name, directory=directory, title=_title(catalog),
                       title_zh=catalog.index.package.zh if catalog.index.package else None,
                       as_of=_as_of(catalog), extends=_extends(catalog), rules=len(catalog.rules),
                       grades=_counted(list(catalog.rules)), own_grades=_counted(added),
                       default=own == CATALOG_DIR.resolve())


def packages() -> list[PackageInfo]:
    """Every shipped package, described."""
    return [describe(name, directory) for name, directory in shipped().items()]


def _title(catalog: Catalog) -> str:
    own = catalog.index.package
    return own.title if own is not None else catalog.index.brochure.title


def _as_of(catalog: Catalog) -> str:
    own = catalog.index.package
    return own.as_of if own is not None else catalog.index.brochure.as_of


def _extends(catalog: Catalog) -> str | None:
    chain = catalog.package.chain if catalog.package is not None else ()
    if len(chain) < 2:
        return None
    names = {path.resolve(): name for name, path in shipped().items()}
    return names.get(chain[1].resolve(), str(chain[1]))
