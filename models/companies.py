"""Matching a published list of recognized enterprises (免申即享) to a registry of enterprises.

A listed enterprise is matched by its unified social credit code, else by its company name as
normalized here (`company_key`: full-width and half-width forms alike, `（）`/`()`/`【】`/`[]` alike,
有限责任公司 = 有限公司, no spaces, Latin letters in any case). Nothing is matched on a guess:

- a code that is not a valid code (length, characters, GB 32100-2015 check character) is reported,
  never matched, with the registry entries it probably meant as candidates;
- a code or a name that names two registry entries is ambiguous, an error with both;
- a name that matches an entry holding another code is a conflict, not a match;
- a name found nowhere is unmatched, with the nearest names as candidates;
- one registry entry matched by two listed rows: the second is an error, never added twice;
- an entry that already holds the recognition (tier and date) is reported as already recorded.

So each listed row is matched to at most one entry, and each entry by at most one listed row.

>>> company_key("北京（中关村） 星箭 Aerospace 有限责任公司")
'北京(中关村)星箭aerospace有限公司'
"""

from __future__ import annotations

import datetime as dt
import difflib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from models.creditcode import normalize as normalize_code
from models.creditcode import problem_of as code_problem

# Statuses of a listed row: the first two add a recognition.
ADDED = ("matched_by_code", "matched_by_name")
STATUSES = (*ADDED, "already_recorded", "unmatched", "ambiguous", "bad_code", "code_conflict",
            "listed_twice", "registry_row_invalid", "invalid_row")

_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")",
                           "〈": "(", "〉": ")", "{": "(", "}": ")"})
_SUFFIXES = (("有限责任公司", "有限公司"),)
CANDIDATES = 3           # nearest names shown with an unmatched or ambiguous row
_CLOSE = 0.6             # how alike two names must be to be shown as a candidate
_POOL = 100              # names compared in full, those sharing the most character pairs


def company_key(name: str) -> str:
    """The form two writings of one company name share (see the module docstring)."""
    text = "".join(unicodedata.normalize("NFKC", name).translate(_BRACKETS).split()).casefold()
    for long, short in _SUFFIXES:
        text = text.replace(long, short)
    return text


@dataclass(frozen=True)
class Listed:
    """One row of a published list: where it is, the name and code as printed, tier and date."""

    row: int
    name: str
    credit_code: str        # "" when the list gives none
    tier: str
    date: dt.date


@dataclass(frozen=True)
class Registered:
    """One row of the registry: its id, name and code as written, whether it is a valid record
    (only valid rows are updated), and the recognitions it already holds."""

    row: int
    ident: str
    name: str
    credit_code: str
    valid: bool = True
    holds: frozenset[tuple[str, dt.date]] = frozenset()

    @property
    def key(self) -> str:
        return company_key(self.name)


@dataclass(frozen=True)
class Match:
    """What became of a listed row. `other_row`: the earlier listed row of `listed_twice`."""

    listed: Listed
    status: str
    registered: Registered | None = None
    candidates: tuple[Registered, ...] = ()
    code_problem: str | None = None
    other_row: int | None = None
    renamed: bool = False   # matched by code, but listed under another name

    @property
    def adds(self) -> bool:
        return self.status in ADDED


@dataclass
class Registry:
    """The registry's entries, indexed by code, by name key and by the pairs of characters of
    the name keys (to find near names without comparing every name)."""

    entries: Sequence[Registered]
    by_code: dict[str, list[Registered]] = field(default_factory=lambda: defaultdict(list))
    by_key: dict[str, list[Registered]] = field(default_factory=lambda: defaultdict(list))
    by_prefix: dict[str, list[Registered]] = field(default_factory=lambda: defaultdict(list))
    by_pair: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        for entry in self.entries:
            if entry.credit_code:
                self.by_code[entry.credit_code].append(entry)
                self.by_prefix[entry.credit_code[:17]].append(entry)
            if entry.key:
                self.by_key[entry.key].append(entry)

    def near(self, name: str, *, besides: Sequence[Registered] = ()) -> tuple[Registered, ...]:
        """Up to CANDIDATES entries with the nearest names (`besides` first): the entries sharing
        the most character pairs, ranked by how alike the whole names are."""
        if not self.by_pair:  # built when first needed: a list that all matches never needs it
            for number, entry in enumerate(self.entries):
                for pair in set(_pairs(entry.key)) if entry.key else ():
                    self.by_pair[pair].append(number)
        key = company_key(name)
        common = max(50, len(self.entries) // 20)  # pairs on every other name (北京, 公司) say little
        shared: Counter[int] = Counter()
        for pair in set(_pairs(key)):
            postings = self.by_pair.get(pair, [])
            if len(postings) <= common:
                shared.update(postings)
        pool = [self.entries[number] for number, _ in shared.most_common(_POOL)]
        scored = sorted(((difflib.SequenceMatcher(None, key, entry.key).ratio(), entry.row, entry)
                         for entry in pool), key=lambda item: (-item[0], item[1]))
        found, rows = list(besides), {entry.row for entry in besides}
        wanted = max(CANDIDATES, len(besides))
        for ratio, row, entry in scored:
            if len(found) >= wanted or ratio < _CLOSE:
                break
            if row not in rows:
                found.append(entry)
                rows.add(row)
        return tuple(found)


def _pairs(key: str) -> list[str]:
    return [key[i:i + 2] for i in range(len(key) - 1)] or [key]


def match_list(listed: Sequence[Listed], registry: Registry) -> list[Match]:
    """Each listed row's match (see the module docstring), in the list's order."""
    taken: dict[int, Listed] = {}  # registry row → the listed row that matched it first
    out: list[Match] = []
    for item in listed:
        match = _match_one(item, registry)
        entry = match.registered
        if entry is not None and match.status in (*ADDED, "already_recorded"):
            first = taken.get(entry.row)
            if first is not None:
                match = Match(item, "listed_twice", entry, other_row=first.row)
            else:
                taken[entry.row] = item
        out.append(match)
    return out


def _match_one(item: Listed, registry: Registry) -> Match:
    code = normalize_code(item.credit_code) if item.credit_code else ""
    if code:
        problem = code_problem(code)
        if problem:  # never matched; what it probably meant: the same 17 characters, the name
            meant = [*registry.by_prefix.get(code[:17], []),
                     *registry.by_key.get(company_key(item.name), [])]
            return Match(item, "bad_code", candidates=registry.near(
                item.name, besides=list(dict.fromkeys(meant))), code_problem=problem)
        hits = registry.by_code.get(code, [])
        if len(hits) > 1:
            return Match(item, "ambiguous", candidates=tuple(hits))
        if hits:
            return _matched(item, hits[0], "matched_by_code")
    hits = registry.by_key.get(company_key(item.name), [])
    if len(hits) > 1:
        return Match(item, "ambiguous", candidates=tuple(hits))
    if not hits:
        return Match(item, "unmatched", candidates=registry.near(item.name))
    if code and hits[0].credit_code and hits[0].credit_code != code:
        return Match(item, "code_conflict", hits[0])
    return _matched(item, hits[0], "matched_by_name")


def _matched(item: Listed, entry: Registered, status: str) -> Match:
    if not entry.valid:
        return Match(item, "registry_row_invalid", entry)
    renamed = company_key(item.name) != entry.key
    if (item.tier, item.date) in entry.holds:
        return Match(item, "already_recorded", entry, renamed=renamed)
    return Match(item, status, entry, renamed=renamed)
