"""Turn a pydantic ValidationError into one clear line: the field path, what was wrong, what is
accepted, and for an unknown key the nearest known one."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError


_TAG = re.compile(r"^[a-z][a-z\-]*\[.*\]$")


def field_path(loc: tuple[Any, ...]) -> str:
    """`('recognitions', 0, 'tier')` → `recognitions[0].tier`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def label(path: str | None, labels: dict[str, str]) -> str | None:
    """A field path (`expenses[0].amount`) as the user wrote the column, e.g.
    `费用支出 (expenses[0].amount)`; several paths separated by `; ` each."""
    if not path or not labels:
        return path
    parts = []
    for one in path.split("; "):
        top = top_field(one)
        header = labels.get(top)
        parts.append(one if header is None or header == top else
                     header if one == top else f"{header} ({one})")
    return "; ".join(parts)


def top_field(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the field at `loc` (following lists and optionals)."""
    current: Any = root
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                field = next((f for f in current.model_fields.values() if f.alias == part), None)
            current = field.annotation if field else None
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Optional[X] → X."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        real = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return real[0] if len(real) == 1 else annotation
    return annotation


def known_keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def describe(exc: ValidationError, root: type[BaseModel]) -> tuple[str, str, str | None]:
    """(field path, message, accepted) for the first error of `exc`."""
    errors = exc.errors()
    # A misspelt key shows up twice (unknown key + required key missing): name the misspelling.
    return describe_error(next((e for e in errors if e["type"] == "extra_forbidden"), errors[0]),
                          root)


def describe_all(exc: ValidationError, root: type[BaseModel]) -> list[tuple[str, str, str | None]]:
    """(field path, message, accepted) for every error of `exc`, one per field path."""
    first = describe(exc, root)
    found: dict[str, tuple[str, str, str | None]] = {first[0]: first}
    for error in exc.errors():
        path, message, accepted = describe_error(error, root)
        found.setdefault(path, (path, message, accepted))
    return list(found.values())


def describe_error(error: Any, root: type[BaseModel]) -> tuple[str, str, str | None]:
    """(field path, message, accepted) for one pydantic error."""
    # Drop pydantic's union/function tags (`literal[...]`, `function-after[...]`) from the path;
    # keep every real key, whatever its characters (an unknown key may be `foo-bar` or empty).
    loc = tuple(part for part in error["loc"]
                if isinstance(part, int) or not _TAG.match(str(part)))
    path = field_path(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        keys = known_keys(model) if model else []
        near = difflib.get_close_matches(str(loc[-1]), keys, n=1, cutoff=0.5)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        return path, f"unknown key {loc[-1]!r}{hint}", ", ".join(keys) or None
    if kind == "missing":
        return path, "is required but missing", None
    ctx = error.get("ctx") or {}
    accepted = ctx.get("expected")
    value = error.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    message = error["msg"]
    if message.startswith("Value error, "):
        return path, message[len("Value error, "):], None
    if accepted:
        return path, f"{shown} is not accepted{ctx.get('hint', '')}", accepted
    return path, f"{shown} is not valid: {message[:1].lower()}{message[1:]}", None
