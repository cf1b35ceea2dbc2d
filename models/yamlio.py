"""Reading YAML and JSON documents as plain data, through one door with the same limits for records
and scenario files: a safe loader (never code) that leaves dates as text, so that a bad date
(`2022-13-01`) is reported by the validator with its field path; duplicate keys are errors (never
"the last one wins"); plain data only (mappings, lists, text, numbers, true/false, null: no
`!!binary`, `!!set` or other tags, no anchors and aliases, so that a few hundred bytes can never
expand into billions of values); a file larger than its cap, not a regular file (a FIFO, a
device), nested too deeply, not UTF-8, holding a lone surrogate or a number too long to read is
one clear error naming the file.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from models.errors import InputError, ZjtxError
from models.i18n import t
from models.limits import MAX_DIGITS, has_surrogate, shown, shown_text

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present


class DuplicateKey(ValueError):
    """A mapping names the same key twice."""


class SharedNode(ValueError):
    """A YAML anchor used again through an alias."""


class _Unusual(Exception):
    """A node the quick constructor leaves to PyYAML's (which reads it, or names the problem)."""


_STR, _MAP, _SEQ, _INT, _MERGE = (f"tag:yaml.org,2002:{tag}" for tag in ("str", "map", "seq", "int",
                                                                         "merge"))
_SCALARS = frozenset(f"tag:yaml.org,2002:{tag}" for tag in ("null", "bool", "int", "float"))
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})")  # a plain whole number int() reads as YAML does


class DataLoader(_Base):  # type: ignore[misc]
    """A safe loader of plain data: no timestamp resolver, no tags but the data ones, no
    aliases, no duplicate keys."""

    may_share = True  # may the text hold an anchor? (`load_data` tells; the walk costs a pass)

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        if self.may_share:
            _refuse_aliases(node)
        try:
            return self._plain(node)
        except _Unusual:  # a merge key, an unhashable key, a tag: PyYAML's road and its words
            return self.construct_document(node)

    def _plain(self, root: yaml.Node) -> Any:
        """The data of a node graph without aliases, built in one pass without recursion
        (PyYAML's constructor is generic and several times slower on a large catalog file); the
        same data as `construct_document`, which handles what this does not (`_Unusual`)."""
        order, stack = [], [root]
        while stack:  # every node, parents before children
            node = stack.pop()
            order.append(node)
            stack.extend(_children(node))
        built: dict[int, Any] = {}
        for node in reversed(order):  # children before parents
            tag = node.tag
            if tag == _STR:
                built[id(node)] = node.value
            elif tag == _MAP:
                mapping: dict[Any, Any] = {}
                for key_node, value_node in node.value:
                    if key_node.tag == _MERGE:
                        raise _Unusual
                    key = built[id(key_node)]
                    try:
                        duplicate = key in mapping
                    except TypeError:  # an unhashable key
                        raise _Unusual from None
                    if duplicate:
                        self._duplicate(key, key_node)
                    mapping[key] = built[id(value_node)]
                built[id(node)] = mapping
            elif tag == _SEQ:
                built[id(node)] = [built[id(item)] for item in node.value]
            elif tag == _INT and _DECIMAL.fullmatch(node.value):
                built[id(node)] = int(node.value)
            elif tag in _SCALARS:
                built[id(node)] = self.yaml_constructors[tag](self, node)
            else:
                raise _Unusual
        return built[id(root)]

    def _duplicate(self, key: Any, key_node: yaml.Node) -> None:
        line = key_node.start_mark.line + 1 if key_node.start_mark else "?"
        raise DuplicateKey(t("io.duplicate_key_line", key=shown_text(str(key), 60), line=line))

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
                self._duplicate(key, key_node)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


# Plain data only: the safe loader's constructors for null, booleans, numbers, text, lists and
# mappings; any other tag (`!!binary`, `!!set`, `!!omap`, `!!timestamp`, `!foo`) is an error.
_DATA_TAGS = ("null", "bool", "int", "float", "str", "seq", "map")
DataLoader.yaml_constructors = {
    **{f"tag:yaml.org,2002:{tag}": yaml.SafeLoader.yaml_constructors[f"tag:yaml.org,2002:{tag}"]
       for tag in _DATA_TAGS},
    None: yaml.SafeLoader.yaml_constructors[None]}
DataLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _children(node: yaml.Node) -> list[yaml.Node]:
    """A node's children: a sequence's items, a mapping's keys and values in turn."""
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _refuse_aliases(root: yaml.Node) -> None:
    """A node reached twice is an anchor used again through an alias (`&a` … `*a`): refused, so
    that what is read is as large as what was written (alias bombs; cycles). One pass over the
    nodes, without recursion."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            line = node.start_mark.line + 1 if node.start_mark else "?"
            raise SharedNode(t("io.alias", line=line))
        seen.add(id(node))
        stack.extend(_children(node))


# An anchor (`&name`) starts a node: at the start of a line, or after a space, `[`, `{`, `,`, `:`
# or `-`. Text without one (`R&D` has none) cannot share a node: no walk needed.
_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s\[\]{},]", re.MULTILINE)


def load_data(text: str) -> Any:
    """Parse YAML (or JSON) text into plain data; raises yaml.YAMLError, DuplicateKey or
    SharedNode."""
    loader = DataLoader(text)  # a SafeLoader: plain data, never objects or code
    loader.may_share = _ANCHOR.search(text) is not None
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
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


# PyYAML's words for what is wrong → their message ids. libyaml (CSafeLoader) and the pure-Python
# parser word some problems differently; both are here. Each message says what to fix, in either
# language; words not listed are shown as PyYAML prints them (in Chinese, labelled so).
_YAML_PROBLEMS = tuple((re.compile(pattern), key) for pattern, key in (
    (r"mapping values are not allowed", "io.yaml.mapping_values"),
    (r"that cannot start any token", "io.yaml.bad_start"),
    (r"expected ',' or '\]'", "io.yaml.flow_sequence"),
    (r"expected ',' or '\}'", "io.yaml.flow_mapping"),
    (r"did not find expected key|did not find expected '-' indicator|expected <block end>",
     "io.yaml.indentation"),
    (r"could not find expected ':'", "io.yaml.colon"),
    (r"found unexpected end of stream", "io.yaml.end"),
    (r"unknown escape character|escape sequence of", "io.yaml.escape"),
    (r"could not determine a constructor for the tag '(?P<tag>[^']*)'", "io.yaml.tag"),
    (r"found undefined alias", "io.yaml.alias"),
    (r"second occurrence", "io.yaml.anchor"),
    (r"<document start>", "io.yaml.extra"),
    (r"YAML directive|incompatible YAML document", "io.yaml.directive"),
    (r"(?:control|special) characters are not allowed", "io.yaml.control"),
))


def yaml_problem(problem: str, text: str, index: int | None) -> str:
    """PyYAML's `problem` in the current language (the character at `index` of `text`, where
    the parser stopped, fills a message that names it)."""
    char = text[index] if index is not None and 0 <= index < len(text) else ""
    for pattern, key in _YAML_PROBLEMS:
        found = pattern.search(problem)
        if found:
            if key == "io.yaml.bad_start" and char == "\t":
                key = "io.yaml.tab"
            tag = (found.groupdict().get("tag") or "").replace("tag:yaml.org,2002:", "!!")
            return t(key, problem=problem, char=shown_text(char, 10), tag=tag)
    return t("io.yaml.as_printed", problem=problem)


# A JSON or YAML escape of a surrogate (\\ud800, \\UD800DC00 …): only then can parsed text hold one.
_SURROGATE_ESCAPE = re.compile(r"\\[uU]0{0,4}[dD][89a-fA-F]")


def _refuse_surrogates(data: Any) -> None:
    """A ValueError when any text (a key or a value) of `data` holds a lone surrogate."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_surrogate(item):
                raise ValueError(t("io.surrogate", text=shown(item)))
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def parse_document(text: str, *, as_json: bool, one_line: bool = False) -> Any:
    """JSON or YAML text → plain data (`_parse_document`), refusing lone surrogates (an escape
    such as \\ud800 alone is not a character: it cannot be written out as UTF-8)."""
    data = _parse_document(text, as_json=as_json, one_line=one_line)
    if _SURROGATE_ESCAPE.search(text):
        _refuse_surrogates(data)
    return data


def _parse_document(text: str, *, as_json: bool, one_line: bool = False) -> Any:
    """JSON or YAML text → data; every failure is a ValueError with a message fit for a user,
    in the current language (the JSON and YAML parsers' details too, where the catalogue words
    them: `_JSON_PROBLEMS`, `_YAML_PROBLEMS`). `one_line`: the text is one line of a JSON Lines file
    (a position is a column)."""
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
        except yaml.reader.ReaderError as exc:  # a character YAML refuses: where it is
            line = text.count("\n", 0, exc.position) + 1
            column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
            detail = t("io.problem", problem=yaml_problem(exc.reason, text, exc.position))
            raise ValueError(t("io.not_yaml_at", line=line, column=column, problem=detail)) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None)
            detail = t("io.problem", problem=yaml_problem(
                problem, text, getattr(mark, "index", None))) if problem else ""
            raise ValueError(t("io.not_yaml_at", line=mark.line + 1, column=mark.column + 1,
                               problem=detail) if mark else t("io.not_yaml", problem=detail)) \
                from None
    except RecursionError:
        raise ValueError(t("io.too_deep", kind="JSON" if as_json else "YAML")) from None
    except (DuplicateKey, SharedNode):
        raise
    except ValueError as exc:
        if "digits" in str(exc):  # Python refuses to read integers of thousands of digits
            raise ValueError(t("io.number_too_long", digits=MAX_DIGITS)) from None
        raise


def decode_document(raw: bytes, error: type[ZjtxError] = InputError,
                    source: str | None = None) -> str:
    """The text of a record or scenario (a file, a request body): UTF-8, a BOM skipped; other
    bytes are refused (never replaced), naming the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(t("io.not_utf8", byte=exc.start + 1), file=source) from None


def read_document(path: str | Path, *, what: str, limit: int,
                  error: type[ZjtxError] = InputError) -> Any:
    """A YAML or JSON file (JSON by the `.json` suffix) as plain data, or `error` naming the file
    (`read_bytes`; `what`: `record`, `scenario`, `catalog`, `columns`, … the kind of file)."""
    path = Path(path)
    return parse_bytes(read_bytes(path, what=what, limit=limit, error=error), source=str(path),
                       as_json=path.suffix.lower() == ".json", error=error)


def read_text(path: str | Path, *, what: str, limit: int,
              error: type[ZjtxError] = InputError) -> str:
    """The UTF-8 text of a file (`read_bytes`), or `error` naming it."""
    return decode_document(read_bytes(path, what=what, limit=limit, error=error), error, str(path))


def read_bytes(path: str | Path, *, what: str, limit: int,
               error: type[ZjtxError] = InputError) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or `error` naming it (`what`: the
    kind of file, `io.what.*`, named in the current language). Opened without blocking and
    checked before a byte is read: a FIFO, a device (/dev/zero) or a directory is refused, and a
    file growing past the cap is read no further."""
    path = Path(path)
    kind = t(f"io.what.{what}")
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise error(t("io.no_such_file"), file=str(path)) from None
    except IsADirectoryError:
        raise error(t("io.is_directory", what=kind), file=str(path)) from None
    except OSError as exc:
        raise error(t("io.cannot_read", reason=exc.strerror or exc), file=str(path)) from None
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):  # a FIFO would block, a device never end
        os.close(descriptor)
        raise error(t("io.is_directory" if stat.S_ISDIR(status.st_mode) else "io.not_regular",
                      what=kind), file=str(path))
    with os.fdopen(descriptor, "rb") as handle:
        if status.st_size > limit:
            raise error(t("io.too_large", size=status.st_size, what=kind, limit=limit),
                        file=str(path))
        try:
            raw = handle.read(limit + 1)  # a growing file never reads past the cap
        except OSError as exc:
            raise error(t("io.cannot_read", reason=exc.strerror or exc), file=str(path)) from exc
    if len(raw) > limit:
        raise error(t("io.too_large_growing", what=kind, limit=limit), file=str(path))
    return raw


def parse_bytes(raw: bytes, *, source: str, as_json: bool,
                error: type[ZjtxError] = InputError) -> Any:
    """A document's bytes (UTF-8, with or without a BOM) as plain data, or `error` naming
    `source`: what `read_document` reads once it has the bytes (an evidence bundle keeps them)."""
    text = decode_document(raw, error, source)
    if not text.strip():
        raise error(t("io.empty"), file=source)
    try:
        return parse_document(text, as_json=as_json)
    except ValueError as exc:
        raise error(str(exc), file=source) from None
