"""Cut the Shopify emulator's GraphQL schema out of Shopify's published Admin schema.

Usage::

    python tools/shopify_schema_subset.py [../shared/specs/shopify/admin_2026-01.graphql]

writes ``nexpura_desktop/sandbox/shopify/schema.graphql``.  Every type, field, argument,
input field and enum value in the output is copied from the published SDL (same names, same
type references, same defaults, same ``@deprecated``): the tool only *drops* things.  So the
emulator can never invent API surface; ``tests/sandbox/test_shopify_schema.py`` checks it.

``KEEP`` lists, per type, the fields the emulator implements (``None`` = keep all, for enums
and small types).  Arguments are kept when their type is kept, except those in
``DROP_ARGS``; required arguments and required input fields must survive (the tool fails
otherwise), so a query valid against the subset is valid against the full schema.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from graphql import parse, print_ast
from graphql.language import ast

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "specs" / "shopify" / "admin_2026-01.graphql"
TARGET = REPO / "nexpura_desktop" / "sandbox" / "shopify" / "schema.graphql"

BUILTIN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}
DROP_ARGS = {"savedSearchId", "media"}
CONN = ["edges", "nodes", "pageInfo"]
EDGE = ["cursor", "node"]

KEEP: dict[str, list[str] | None] = {
    "QueryRoot": [
        "products",
        "product",
        "productVariants",
        "productVariant",
        "productsCount",
        "customers",
        "customer",
        "customersCount",
        "orders",
        "order",
        "ordersCount",
        "locations",
        "location",
        "inventoryItems",
        "inventoryItem",
        "inventoryLevel",
        "bulkOperation",
        "bulkOperations",
        "currentBulkOperation",
        "shop",
        "node",
        "nodes",
    ],
    "Mutation": [
        "productCreate",
        "productUpdate",
        "productVariantsBulkCreate",
        "productVariantsBulkUpdate",
        "customerCreate",
        "customerUpdate",
        "inventorySetQuantities",
        "inventoryAdjustQuantities",
        "bulkOperationRunQuery",
        "bulkOperationCancel",
    ],
    "Node": None,
    "DisplayableError": None,
    "PageInfo": None,
    "Count": None,
    "MoneyV2": None,
    "MoneyBag": None,
    "Shop": [
        "id",
        "name",
        "email",
        "contactEmail",
        "myshopifyDomain",
        "currencyCode",
        "ianaTimezone",
        "url",
        "createdAt",
        "updatedAt",
    ],
    "Product": [
        "id",
        "legacyResourceId",
        "title",
        "handle",
        "descriptionHtml",
        "vendor",
        "productType",
        "status",
        "tags",
        "createdAt",
        "updatedAt",
        "publishedAt",
        "totalInventory",
        "tracksInventory",
        "hasOnlyDefaultVariant",
        "variants",
        "variantsCount",
    ],
    "ProductVariant": [
        "id",
        "legacyResourceId",
        "title",
        "displayName",
        "sku",
        "barcode",
        "price",
        "compareAtPrice",
        "position",
        "inventoryQuantity",
        "inventoryPolicy",
        "inventoryItem",
        "product",
        "taxable",
        "availableForSale",
        "selectedOptions",
        "createdAt",
        "updatedAt",
    ],
    "SelectedOption": ["name", "value"],
    "InventoryItem": [
        "id",
        "legacyResourceId",
        "sku",
        "tracked",
        "requiresShipping",
        "unitCost",
        "duplicateSkuCount",
        "createdAt",
        "updatedAt",
        "inventoryLevel",
        "inventoryLevels",
        "variant",
    ],
    "InventoryLevel": ["id", "item", "location", "quantities", "createdAt", "updatedAt"],
    "InventoryQuantity": None,
    "Location": [
        "id",
        "legacyResourceId",
        "name",
        "isActive",
        "fulfillsOnlineOrders",
        "address",
        "createdAt",
        "updatedAt",
        "inventoryLevel",
        "inventoryLevels",
    ],
    "LocationAddress": [
        "address1",
        "address2",
        "city",
        "country",
        "countryCode",
        "province",
        "provinceCode",
        "zip",
        "phone",
        "formatted",
    ],
    "Customer": [
        "id",
        "legacyResourceId",
        "firstName",
        "lastName",
        "displayName",
        "email",
        "phone",
        "defaultEmailAddress",
        "defaultPhoneNumber",
        "emailMarketingConsent",
        "tags",
        "note",
        "state",
        "verifiedEmail",
        "numberOfOrders",
        "amountSpent",
        "createdAt",
        "updatedAt",
    ],
    "CustomerEmailAddress": [
        "emailAddress",
        "marketingState",
        "marketingOptInLevel",
        "marketingUpdatedAt",
    ],
    "CustomerPhoneNumber": ["phoneNumber"],
    "CustomerEmailMarketingConsentState": [
        "marketingState",
        "marketingOptInLevel",
        "consentUpdatedAt",
    ],
    "Order": [
        "id",
        "legacyResourceId",
        "name",
        "number",
        "email",
        "phone",
        "createdAt",
        "updatedAt",
        "processedAt",
        "cancelledAt",
        "closedAt",
        "closed",
        "test",
        "currencyCode",
        "displayFinancialStatus",
        "displayFulfillmentStatus",
        "customer",
        "lineItems",
        "totalPriceSet",
        "subtotalPriceSet",
        "totalTaxSet",
        "totalDiscountsSet",
        "currentTotalPriceSet",
        "subtotalLineItemsQuantity",
        "tags",
        "note",
        "sourceName",
    ],
    "LineItem": [
        "id",
        "name",
        "title",
        "sku",
        "quantity",
        "currentQuantity",
        "variant",
        "product",
        "variantTitle",
        "vendor",
        "originalUnitPriceSet",
        "discountedUnitPriceSet",
        "originalTotalSet",
    ],
    "BulkOperation": None,
    "InventoryAdjustmentGroup": [
        "id",
        "createdAt",
        "reason",
        "referenceDocumentUri",
        "changes",
    ],
    "InventoryChange": [
        "delta",
        "item",
        "location",
        "name",
        "quantityAfterChange",
        "ledgerDocumentUri",
    ],
    # payloads and their user errors
    "ProductCreatePayload": ["product", "userErrors"],
    "ProductUpdatePayload": ["product", "userErrors"],
    "ProductVariantsBulkCreatePayload": None,
    "ProductVariantsBulkUpdatePayload": None,
    "CustomerCreatePayload": None,
    "CustomerUpdatePayload": None,
    "InventorySetQuantitiesPayload": None,
    "InventoryAdjustQuantitiesPayload": None,
    "BulkOperationRunQueryPayload": None,
    "BulkOperationCancelPayload": None,
    "UserError": None,
    "ProductVariantsBulkCreateUserError": None,
    "ProductVariantsBulkUpdateUserError": None,
    "InventorySetQuantitiesUserError": None,
    "InventoryAdjustQuantitiesUserError": None,
    "BulkOperationUserError": None,
    # inputs (required input fields are always kept)
    "ProductCreateInput": [
        "title",
        "descriptionHtml",
        "handle",
        "productType",
        "tags",
        "vendor",
        "status",
    ],
    "ProductUpdateInput": [
        "id",
        "title",
        "descriptionHtml",
        "handle",
        "productType",
        "tags",
        "vendor",
        "status",
    ],
    "ProductInput": [
        "id",
        "title",
        "descriptionHtml",
        "handle",
        "productType",
        "tags",
        "vendor",
        "status",
    ],
    "ProductVariantsBulkInput": [
        "id",
        "price",
        "compareAtPrice",
        "barcode",
        "inventoryPolicy",
        "taxable",
        "inventoryItem",
        "inventoryQuantities",
        "optionValues",
    ],
    "InventoryItemInput": ["sku", "cost", "tracked", "requiresShipping"],
    "InventoryLevelInput": None,
    "VariantOptionValueInput": ["name", "optionName"],
    "CustomerInput": [
        "id",
        "email",
        "phone",
        "firstName",
        "lastName",
        "note",
        "tags",
        "emailMarketingConsent",
    ],
    "CustomerEmailMarketingConsentInput": [
        "marketingState",
        "marketingOptInLevel",
        "consentUpdatedAt",
    ],
    "InventorySetQuantitiesInput": None,
    "InventoryQuantityInput": None,
    "InventoryAdjustQuantitiesInput": None,
    "InventoryChangeInput": None,
    # enums and scalars
    **{
        name: None
        for name in [
            "ProductStatus",
            "ProductSortKeys",
            "ProductVariantSortKeys",
            "CustomerSortKeys",
            "OrderSortKeys",
            "LocationSortKeys",
            "BulkOperationsSortKeys",
            "CountPrecision",
            "CurrencyCode",
            "ProductVariantInventoryPolicy",
            "ProductVariantsBulkCreateStrategy",
            "CustomerState",
            "CustomerEmailMarketingState",
            "CustomerEmailAddressMarketingState",
            "CustomerMarketingOptInLevel",
            "OrderDisplayFinancialStatus",
            "OrderDisplayFulfillmentStatus",
            "BulkOperationStatus",
            "BulkOperationType",
            "BulkOperationErrorCode",
            "ProductVariantsBulkCreateUserErrorCode",
            "ProductVariantsBulkUpdateUserErrorCode",
            "InventorySetQuantitiesUserErrorCode",
            "InventoryAdjustQuantitiesUserErrorCode",
            "BulkOperationUserErrorCode",
            "DateTime",
            "Decimal",
            "Money",
            "URL",
            "UnsignedInt64",
            "HTML",
        ]
    },
}

for _base in [
    "Product",
    "ProductVariant",
    "Customer",
    "Order",
    "Location",
    "InventoryItem",
    "InventoryLevel",
    "LineItem",
    "BulkOperation",
]:
    KEEP[f"{_base}Connection"] = CONN
    KEEP[f"{_base}Edge"] = EDGE


def _named(type_node: ast.TypeNode) -> str:
    while not isinstance(type_node, ast.NamedTypeNode):
        type_node = type_node.type  # type: ignore[attr-defined]
    return type_node.name.value


def _required(node: ast.InputValueDefinitionNode) -> bool:
    return isinstance(node.type, ast.NonNullTypeNode) and node.default_value is None


def cut(source: str, keep: dict[str, list[str] | None]) -> str:
    document = parse(source, no_location=True)
    defs = {d.name.value: d for d in document.definitions if isinstance(d, ast.TypeDefinitionNode)}
    missing = sorted(set(keep) - set(defs))
    if missing:
        raise SystemExit(f"not in the published schema: {missing}")
    kept_types = set(keep) | BUILTIN_SCALARS
    out: list[ast.DefinitionNode] = []
    for name, wanted in keep.items():
        node = defs[name]
        changes: dict[str, object] = {"description": None}
        if isinstance(node, ast.ObjectTypeDefinitionNode | ast.InterfaceTypeDefinitionNode):
            changes["interfaces"] = tuple(
                i for i in node.interfaces or () if i.name.value in kept_types
            )
            changes["fields"] = tuple(
                _cut_field(name, f, wanted, kept_types)
                for f in _pick(name, node.fields or (), wanted)
            )
        elif isinstance(node, ast.InputObjectTypeDefinitionNode):
            fields = [
                f
                for f in node.fields or ()
                if wanted is None or f.name.value in wanted or _required(f)
            ]
            for field in fields:
                if _named(field.type) not in kept_types:
                    raise SystemExit(
                        f"{name}.{field.name.value}: type {_named(field.type)} not kept"
                    )
            changes["fields"] = tuple(replace(f, description=None) for f in fields)
        elif isinstance(node, ast.EnumTypeDefinitionNode):
            changes["values"] = tuple(replace(v, description=None) for v in node.values or ())
        out.append(replace(node, **changes))  # type: ignore[arg-type]
    schema = ast.SchemaDefinitionNode(
        directives=(),
        operation_types=(
            ast.OperationTypeDefinitionNode(
                operation=ast.OperationType.QUERY,
                type=ast.NamedTypeNode(name=ast.NameNode(value="QueryRoot")),
            ),
            ast.OperationTypeDefinitionNode(
                operation=ast.OperationType.MUTATION,
                type=ast.NamedTypeNode(name=ast.NameNode(value="Mutation")),
            ),
        ),
    )
    header = (
        "# Generated by tools/shopify_schema_subset.py from Shopify's published Admin schema\n"
        "# (2026-01). Do not edit: change the tool's KEEP table and re-run it.\n\n"
    )
    return header + print_ast(ast.DocumentNode(definitions=(schema, *out))) + "\n"


def _pick(
    type_name: str, fields: tuple[ast.FieldDefinitionNode, ...], wanted: list[str] | None
) -> list[ast.FieldDefinitionNode]:
    if wanted is None:
        return list(fields)
    by_name = {f.name.value: f for f in fields}
    absent = [w for w in wanted if w not in by_name]
    if absent:
        raise SystemExit(f"{type_name}: no such fields {absent}")
    return [by_name[w] for w in wanted]


def _cut_field(
    type_name: str, field: ast.FieldDefinitionNode, wanted: list[str] | None, kept: set[str]
) -> ast.FieldDefinitionNode:
    if _named(field.type) not in kept:
        raise SystemExit(f"{type_name}.{field.name.value}: type {_named(field.type)} not kept")
    args = []
    for arg in field.arguments or ():
        if _named(arg.type) in kept and arg.name.value not in DROP_ARGS:
            args.append(replace(arg, description=None))
        elif _required(arg):
            raise SystemExit(f"{type_name}.{field.name.value}({arg.name.value}) is required")
    return replace(field, description=None, arguments=tuple(args))


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    TARGET.write_text(cut(source.read_text(encoding="utf-8"), KEEP), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
