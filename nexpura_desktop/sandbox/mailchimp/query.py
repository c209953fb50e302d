"""Collection query parameters shared by every list endpoint.

``count``/``offset`` paging (default 10, at most 1000 — a larger ``count`` is capped, so a
client must page by ``total_items``) and ``fields``/``exclude_fields`` with dot notation for
sub-objects (``members.email_address``), as in reference/service-apis.md §3.2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from .errors import invalid_resource

T = TypeVar("T")
DEFAULT_COUNT = 10
MAX_COUNT = 1000

Tree = dict[str, Any]


def page(items: Sequence[T], params: Mapping[str, str]) -> list[T]:
    count = _int_param(params, "count", DEFAULT_COUNT)
    offset = _int_param(params, "offset", 0)
    count = min(count, MAX_COUNT)
    return list(items[offset : offset + count])


def _int_param(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise invalid_resource(
            [{"field": name, "message": "This value should be a positive integer."}]
        )
    return value


def _tree(paths: str) -> Tree:
    root: Tree = {}
    for path in paths.split(","):
        node = root
        parts = [p for p in path.strip().split(".") if p]
        for i, part in enumerate(parts):
            if i == len(parts) - 1:
                node[part] = {}
            else:
                node = node.setdefault(part, {})
    return root


def _keep(value: Any, tree: Tree) -> Any:
    if not tree:
        return value
    if isinstance(value, list):
        return [_keep(v, tree) for v in value]
    if isinstance(value, dict):
        return {k: _keep(v, tree[k]) for k, v in value.items() if k in tree}
    return value


def _drop(value: Any, tree: Tree) -> Any:
    if isinstance(value, list):
        return [_drop(v, tree) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in tree and not tree[k]:
                continue
            out[k] = _drop(v, tree[k]) if k in tree else v
        return out
    return value


def shape(doc: dict[str, Any], params: Mapping[str, str]) -> dict[str, Any]:
    """Apply ``fields`` then ``exclude_fields`` to a response document."""
    fields = params.get("fields")
    if fields:
        doc = _keep(doc, _tree(fields))
    excluded = params.get("exclude_fields")
    if excluded:
        doc = _drop(doc, _tree(excluded))
    return doc
