"""Reading YAML as plain data: a safe loader (never code) that leaves dates as text, so that a bad
date (`2022-13-01`) is reported by the validator with its field path instead of failing inside the
YAML parser."""

from __future__ import annotations

from typing import Any

import yaml


class DataLoader(yaml.SafeLoader):
    """yaml.SafeLoader without the timestamp resolver."""


DataLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def load_data(text: str) -> Any:
    """Parse YAML (or JSON) text into plain data; raises yaml.YAMLError."""
    loader = DataLoader(text)  # a SafeLoader: plain data, never objects or code
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
