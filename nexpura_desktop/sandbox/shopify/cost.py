"""Shopify's calculated query cost and the leaky bucket it is charged against.

Costs (service-apis §1.5): scalars and enums 0, objects 1, a connection 2 plus ``first`` (or
``last``) times the cost of one node, a mutation field 10.  The requested cost is charged
before execution and the difference to the actual cost (what the result really contained)
is refunded.  Fragments on different types of an interface cost the most expensive one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_leaf_type,
)

MUTATION_COST = 10


@dataclass
class Bucket:
    """Points restore continuously at ``restore_rate`` per (sandbox) second up to the max."""

    maximum: float
    restore_rate: float
    available: float
    stamp: float

    def level(self, now: float) -> float:
        elapsed = max(0.0, now - self.stamp)
        self.available = min(self.maximum, self.available + elapsed * self.restore_rate)
        self.stamp = max(self.stamp, now)
        return self.available

    def take(self, cost: float, now: float) -> bool:
        if self.level(now) < cost:
            return False
        self.available -= cost
        return True

    def refund(self, amount: float, now: float) -> None:
        self.level(now)
        self.available = min(self.maximum, self.available + amount)

    def status(self, now: float) -> dict[str, float]:
        return {
            "maximumAvailable": float(self.maximum),
            "currentlyAvailable": float(int(self.level(now))),
            "restoreRate": float(self.restore_rate),
        }


class CostCalculator:
    """Walks one operation against the schema (and, for the actual cost, its result)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.operation = operation
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def requested(self) -> int:
        return self._operation(None)

    def actual(self, data: dict[str, Any] | None) -> int:
        return self._operation(data or {})

    def _operation(self, data: dict[str, Any] | None) -> int:
        root = self.schema.get_root_type(self.operation.operation)
        assert root is not None
        if self.operation.operation.value == "mutation":
            return MUTATION_COST * len(self._fields(root, self.operation.selection_set)[0])
        return self._selection(root, self.operation.selection_set, data)

    def _fields(
        self, parent: Any, selection_set: SelectionSetNode
    ) -> tuple[list[FieldNode], list[tuple[str, SelectionSetNode]]]:
        """Plain fields, and fragments conditioned on another type (costed as a max)."""
        fields: list[FieldNode] = []
        conditional: list[tuple[str, SelectionSetNode]] = []
        for selection in selection_set.selections or ():
            if isinstance(selection, FieldNode):
                fields.append(selection)
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    continue
                condition: str | None = fragment.type_condition.name.value
                inner = fragment.selection_set
            else:
                assert isinstance(selection, InlineFragmentNode)
                condition = (
                    selection.type_condition.name.value if selection.type_condition else None
                )
                inner = selection.selection_set
            if condition is None or condition == parent.name:
                more, more_conditional = self._fields(parent, inner)
                fields.extend(more)
                conditional.extend(more_conditional)
            else:
                conditional.append((condition, inner))
        return fields, conditional

    def _selection(
        self, parent: Any, selection_set: SelectionSetNode, data: dict[str, Any] | None
    ) -> int:
        fields, conditional = self._fields(parent, selection_set)
        total = sum(self._field(parent, f, data) for f in fields)
        best = 0
        for type_name, inner in conditional:
            target = self.schema.get_type(type_name)
            if isinstance(target, GraphQLObjectType) or hasattr(target, "fields"):
                best = max(best, self._selection(target, inner, data))
        return total + best

    def _field(self, parent: Any, node: FieldNode, data: dict[str, Any] | None) -> int:
        name = node.name.value
        if name.startswith("__") or not hasattr(parent, "fields") or name not in parent.fields:
            return 0
        named = get_named_type(parent.fields[name].type)
        if is_leaf_type(named) or node.selection_set is None:
            return 0
        key = node.alias.value if node.alias else name
        value = None if data is None else data.get(key)
        if data is not None and value is None:
            return 0
        if named.name.endswith("Connection"):
            return self._connection(named, node, value)
        if isinstance(value, list) and not value:
            return 1
        item = value[0] if isinstance(value, list) else value
        inner = item if data is not None and isinstance(item, dict) else None
        if data is not None and inner is None:
            inner = {}
        return 1 + self._selection(named, node.selection_set, inner)

    def _connection(self, conn_type: Any, node: FieldNode, value: Any) -> int:
        assert node.selection_set is not None
        node_type = (
            get_named_type(conn_type.fields["nodes"].type) if "nodes" in conn_type.fields else None
        )
        per_item_sets: list[SelectionSetNode] = []
        fields, _ = self._fields(conn_type, node.selection_set)
        for field in fields:
            if field.name.value == "nodes" and field.selection_set is not None:
                per_item_sets.append(field.selection_set)
            elif field.name.value == "edges" and field.selection_set is not None:
                edge_type = get_named_type(conn_type.fields["edges"].type)
                for inner in self._fields(edge_type, field.selection_set)[0]:
                    if inner.name.value == "node" and inner.selection_set is not None:
                        per_item_sets.append(inner.selection_set)
        if value is None:
            size = self._size(node)
            per_item = max((self._selection(node_type, s, None) for s in per_item_sets), default=0)
            return 2 + size * (1 + per_item) if per_item_sets else 2
        items = _items(value)
        per_item_actual = 0
        for item in items:
            per_item_actual += 1 + max(
                (self._selection(node_type, s, item) for s in per_item_sets), default=0
            )
        return 2 + per_item_actual

    def _size(self, node: FieldNode) -> int:
        for arg in node.arguments or ():
            if arg.name.value in ("first", "last"):
                if isinstance(arg.value, IntValueNode):
                    return int(arg.value.value)
                if isinstance(arg.value, VariableNode):
                    found = self.variables.get(arg.value.name.value)
                    if isinstance(found, int):
                        return found
        return 0


def _items(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, dict):
        return []
    if isinstance(value.get("edges"), list):
        return [e.get("node") or {} for e in value["edges"] if isinstance(e, dict)]
    if isinstance(value.get("nodes"), list):
        return [n or {} for n in value["nodes"]]
    return []
