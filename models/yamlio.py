"""Reading YAML and JSON documents as plain data, through one door with the same limits for records
and scenario files: a safe loader (never code) that leaves dates as text, so that a bad date
(`2022-13-01`) is reported by the validator with its field path; duplicate keys are errors (never
"the last one wins"); a file larger than its cap, nested too deeply, not UTF-8, or holding a number
too long to read is one clear error naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from models.errors import InputError
from models.limits import MAX_DIGITS

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present


class DuplicateKey(ValueError):
    """A mapping names the same key twice."""


class DataLoader(_Base):  # type: ignore[misc]
    """A safe loader without the timestamp resolver, refusing duplicate keys."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the constructor below names it
                break
            if duplicate:
                from models.i18n import t

                line = key_node.start_mark.line + 1 if key_node.start_mark else "?"
                raise DuplicateKey(t("io.duplicate_key_line", key=str(key)[:60], line=line))
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


DataLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def load_data(text: str) -> Any:
    """Parse YAML (or JSON) text into plain data; raises yaml.YAMLError or DuplicateKey."""
    loader = DataLoader(text)  # a SafeLoader: plain data, never objects or code
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            from models.i18n import t

            raise DuplicateKey(t("io.duplicate_key", key=key[:60]))
        data[key] = value
    return data


def loads_json(text: str) -> Any:
    """json.loads refusing duplicate keys; raises json.JSONDecodeError, DuplicateKey or ValueError."""
    return json.loads(text, object_pairs_hook=_unique_pairs)


# The json module's words for what is wrong (CPython's, stable) → their message ids.
_JSON_PROBLEMS = {"Expecting ':' delimiter": "io.json.colon", "Expecting ',' delimiter": "io.json.comma",
                  "Expecting property name enclosed in double quotes": "io.json.key",
                  "Expecting value": "io.json.value", "Unterminated string starting at": "io.json.string",
                  "Invalid control character at": "io.json.control", "Extra data": "io.json.extra",
                  "Invalid \\escape": "io.json.escape"}


def parse_document(text: str, *, as_json: bool, one_line: bool = False) -> Any:
    """JSON or YAML text → data; every failure is a ValueError with a message fit for a user,
    in the current language (the JSON parser's detail too, where the catalogue words it; the
    YAML parser's stays as it words it). `one_line`: the text is one line of a JSON Lines file
    (a position is a column)."""
    from models.i18n import t

    try:
        if as_json:
            try:
                return loads_json(text)
            except json.JSONDecodeError as exc:
                words = t(_JSON_PROBLEMS[exc.msg]) if exc.msg in _JSON_PROBLEMS else exc.msg
                if one_line and exc.lineno == 1:
                    raise ValueError(t("io.not_json_column", problem=words,
                                       column=exc.colno)) from None
                raise ValueError(t("io.not_json", problem=words, line=exc.lineno,
                                   column=exc.colno)) from None
        try:
            return load_data(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None)
            detail = t("io.problem", problem=problem) if problem else ""
            raise ValueError(t("io.not_yaml_at", line=mark.line + 1, column=mark.column + 1,
                               problem=detail) if mark else t("io.not_yaml", problem=detail)) \
                from None
    except RecursionError:
        raise ValueError(t("io.too_deep", kind="JSON" if as_json else "YAML")) from None
    except DuplicateKey:
        raise
    except ValueError as exc:
        if "digits" in str(exc):  # Python refuses to read integers of thousands of digits
            raise ValueError(t("io.number_too_long", digits=MAX_DIGITS)) from None
        raise


def read_document(path: str | Path, *, what: str, limit: int,
                  error: type[InputError] = InputError) -> Any:
    """A YAML or JSON file (JSON by the `.json` suffix) as plain data, or `error` naming the file
    (`what`: `record` or `scenario`, the kind of file, named in the current language)."""
    path = Path(path)
    return parse_bytes(read_bytes(path, what=what, limit=limit, error=error), source=str(path),
                       as_json=path.suffix.lower() == ".json", error=error)


def read_bytes(path: str | Path, *, what: str, limit: int,
               error: type[InputError] = InputError) -> bytes:
    """The bytes of a file of at most `limit` bytes (never more read, even of a growing file or
    a device), or `error` naming it: missing, a directory, too large, unreadable."""
    from models.i18n import t

    path = Path(path)
    kind = t(f"io.what.{what}")
    if not path.exists():
        raise error(t("io.no_such_file"), file=str(path))
    if path.is_dir():
        raise error(t("io.is_directory", what=kind), file=str(path))
    try:
        size = path.stat().st_size
        if size > limit:
            raise error(t("io.too_large", size=size, what=kind, limit=limit), file=str(path))
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)  # a growing file or a device never reads past the cap
    except OSError as exc:
        raise error(t("io.cannot_read", reason=exc.strerror or exc), file=str(path)) from exc
    if len(raw) > limit:
        raise error(t("io.too_large_growing", what=kind, limit=limit), file=str(path))
    return raw


def parse_bytes(raw: bytes, *, source: str, as_json: bool,
                error: type[InputError] = InputError) -> Any:
    """A document's bytes (UTF-8, with or without a BOM) as plain data, or `error` naming
    `source`: what `read_document` reads once it has the bytes (an evidence bundle keeps them)."""
    from models.i18n import t

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(t("io.not_utf8", byte=exc.start + 1), file=source) from None
    if not text.strip():
        raise error(t("io.empty"), file=source)
    try:
        return parse_document(text, as_json=as_json)
    except ValueError as exc:
        raise error(str(exc), file=source) from None
