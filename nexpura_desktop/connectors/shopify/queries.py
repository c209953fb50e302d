"""The GraphQL documents the Shopify connector sends, and the sizes that keep them cheap.

Every document here is validated against Shopify's full published Admin schema by the
tests, so a field that does not exist (or an argument of the wrong type) fails CI, not a
shop's sync.  Page sizes are derived from Shopify's cost model (service-apis §1.5: objects
1, a connection 2 + ``first`` × node, scalars 0; at most 1000 requested points per query)
so that a page asks for as much as one query may, and no more.

Incremental reads filter with ``updated_at:>'…'`` and sort by ``UPDATED_AT`` so the last
node of every page is a safe watermark (prior-art C6: a cursor only advances over rows
that were all read).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MAX_QUERY_COST = 1000
MAX_PAGE = 250

# -- fragments ---------------------------------------------------------------------------

VARIANT_FIELDS = """
  id legacyResourceId title sku barcode price compareAtPrice inventoryQuantity
  createdAt updatedAt
  inventoryItem {
    id tracked unitCost { amount }
    inventoryLevels(first: $levelsFirst) {
      nodes { id location { id } quantities(names: ["available"]) { name quantity } }
    }
  }
"""

PRODUCT_FIELDS = """
  id legacyResourceId title handle descriptionHtml vendor productType status tags
  createdAt updatedAt
"""

CUSTOMER_FIELDS = """
  id legacyResourceId firstName lastName note tags state createdAt updatedAt
  defaultEmailAddress { emailAddress marketingState marketingOptInLevel marketingUpdatedAt }
  defaultPhoneNumber { phoneNumber }
"""

ORDER_FIELDS = """
  id legacyResourceId name number email phone createdAt updatedAt processedAt cancelledAt
  closedAt test currencyCode displayFinancialStatus displayFulfillmentStatus note tags
  sourceName
  customer { id firstName lastName defaultEmailAddress { emailAddress } }
  totalPriceSet { shopMoney { amount } }
  subtotalPriceSet { shopMoney { amount } }
  totalTaxSet { shopMoney { amount } }
  totalDiscountsSet { shopMoney { amount } }
"""

LINE_ITEM_FIELDS = """
  id name title sku quantity currentQuantity variantTitle
  variant { id }
  originalUnitPriceSet { shopMoney { amount } }
  discountedUnitPriceSet { shopMoney { amount } }
"""

# -- reads -------------------------------------------------------------------------------

PRODUCTS = f"""
query Products($first: Int!, $after: String, $query: String, $variantsFirst: Int!,
               $levelsFirst: Int!) {{
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      {PRODUCT_FIELDS}
      variants(first: $variantsFirst) {{
        pageInfo {{ hasNextPage endCursor }}
        nodes {{ {VARIANT_FIELDS} }}
      }}
    }}
  }}
}}
"""

# The rest of one product's variants, when it has more than ``variantsFirst``.
PRODUCT_VARIANTS = f"""
query ProductVariants($id: ID!, $first: Int!, $after: String, $levelsFirst: Int!) {{
  product(id: $id) {{
    variants(first: $first, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {VARIANT_FIELDS} }}
    }}
  }}
}}
"""

CUSTOMERS = f"""
query Customers($first: Int!, $after: String, $query: String) {{
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {CUSTOMER_FIELDS} }}
  }}
}}
"""

ORDERS = f"""
query Orders($first: Int!, $after: String, $query: String, $linesFirst: Int!) {{
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      {ORDER_FIELDS}
      lineItems(first: $linesFirst) {{
        pageInfo {{ hasNextPage endCursor }}
        nodes {{ {LINE_ITEM_FIELDS} }}
      }}
    }}
  }}
}}
"""

ORDER_LINE_ITEMS = f"""
query OrderLineItems($id: ID!, $first: Int!, $after: String) {{
  order(id: $id) {{
    lineItems(first: $first, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {LINE_ITEM_FIELDS} }}
    }}
  }}
}}
"""

LOCATIONS = """
query Locations($first: Int!, $after: String) {
  locations(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id legacyResourceId name isActive fulfillsOnlineOrders
      address { address1 city province zip country countryCode phone }
    }
  }
}
"""

# Stock levels of some inventory items, read just before a compare-and-set push.
INVENTORY_LEVELS = """
query InventoryLevels($ids: [ID!]!, $levelsFirst: Int!) {
  nodes(ids: $ids) {
    ... on InventoryItem {
      id
      inventoryLevels(first: $levelsFirst) {
        nodes { id location { id } quantities(names: ["available"]) { name quantity } }
      }
    }
  }
}
"""

SKU_LOOKUP = """
query VariantBySku($query: String!) {
  productVariants(first: 5, query: $query) {
    nodes { id sku product { id } inventoryItem { id } }
  }
}
"""

CUSTOMER_LOOKUP = """
query CustomerLookup($query: String!) {
  customers(first: 5, query: $query) {
    nodes { id updatedAt defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } }
  }
}
"""

# Before creating a product: is the SKU already on Shopify, or is the product of a create
# that crashed before its link was written already there (found by its planned handle)?
ITEM_LOOKUP = """
query ItemLookup($sku: String!, $handle: String!) {
  productVariants(first: 5, query: $sku) {
    nodes { id sku updatedAt product { id } inventoryItem { id } }
  }
  products(first: 1, query: $handle) {
    nodes { id handle variants(first: 5) { nodes { id sku inventoryItem { id } } } }
  }
}
"""

# Customers matching any of several emails/phones (``email:'a' OR phone:'b' …``): the
# lookup before creating a batch of customers, one request instead of one per customer.
CUSTOMERS_MATCH = f"""
query CustomersMatch($first: Int!, $query: String!) {{
  customers(first: $first, query: $query) {{
    nodes {{ {CUSTOMER_FIELDS} }}
  }}
}}
"""

# The product of a linked variant (an item linked before its product id was stored).
VARIANT_PRODUCT = """
query VariantProduct($id: ID!) {
  productVariant(id: $id) { id product { id } }
}
"""

# Customers by id, read before merging a ledger change into them.
CUSTOMERS_BY_ID = f"""
query CustomersById($ids: [ID!]!) {{
  nodes(ids: $ids) {{ ... on Customer {{ {CUSTOMER_FIELDS} }} }}
}}
"""

# Orders created since the last reconcile (ids only: the import reads the rest).
ORDER_IDS = """
query OrderIds($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes { id name createdAt updatedAt }
  }
}
"""

# Whole orders by id (a reconcile's missing or incomplete ones).
ORDERS_BY_ID = f"""
query OrdersById($ids: [ID!]!, $linesFirst: Int!) {{
  nodes(ids: $ids) {{
    ... on Order {{
      {ORDER_FIELDS}
      lineItems(first: $linesFirst) {{
        pageInfo {{ hasNextPage endCursor }}
        nodes {{ {LINE_ITEM_FIELDS} }}
      }}
    }}
  }}
}}
"""

# -- mutations ---------------------------------------------------------------------------

USER_ERRORS = "userErrors { field message }"
CODED_USER_ERRORS = "userErrors { field message code }"

PRODUCT_CREATE = f"""
mutation ProductCreate($product: ProductCreateInput!) {{
  productCreate(product: $product) {{
    product {{
      id legacyResourceId updatedAt
      variants(first: 1) {{ nodes {{ id inventoryItem {{ id }} }} }}
    }}
    {USER_ERRORS}
  }}
}}
"""

PRODUCT_UPDATE = f"""
mutation ProductUpdate($product: ProductUpdateInput!) {{
  productUpdate(product: $product) {{
    product {{ id updatedAt }}
    {USER_ERRORS}
  }}
}}
"""

VARIANTS_BULK_CREATE = f"""
mutation VariantsBulkCreate($productId: ID!, $variants: [ProductVariantsBulkInput!]!,
                            $strategy: ProductVariantsBulkCreateStrategy) {{
  productVariantsBulkCreate(productId: $productId, variants: $variants, strategy: $strategy) {{
    productVariants {{ id legacyResourceId sku updatedAt inventoryItem {{ id }} }}
    {CODED_USER_ERRORS}
  }}
}}
"""

VARIANTS_BULK_UPDATE = f"""
mutation VariantsBulkUpdate($productId: ID!, $variants: [ProductVariantsBulkInput!]!) {{
  productVariantsBulkUpdate(productId: $productId, variants: $variants) {{
    productVariants {{ id legacyResourceId sku updatedAt inventoryItem {{ id }} }}
    {CODED_USER_ERRORS}
  }}
}}
"""

CUSTOMER_CREATE = f"""
mutation CustomerCreate($input: CustomerInput!) {{
  customerCreate(input: $input) {{
    customer {{ id legacyResourceId updatedAt }}
    {USER_ERRORS}
  }}
}}
"""

CUSTOMER_UPDATE = f"""
mutation CustomerUpdate($input: CustomerInput!) {{
  customerUpdate(input: $input) {{
    customer {{ id legacyResourceId updatedAt }}
    {USER_ERRORS}
  }}
}}
"""

INVENTORY_SET_QUANTITIES = f"""
mutation InventorySetQuantities($input: InventorySetQuantitiesInput!) {{
  inventorySetQuantities(input: $input) {{
    inventoryAdjustmentGroup {{
      id
      changes {{ name delta quantityAfterChange item {{ id }} location {{ id }} }}
    }}
    {CODED_USER_ERRORS}
  }}
}}
"""

INVENTORY_ADJUST_QUANTITIES = f"""
mutation InventoryAdjustQuantities($input: InventoryAdjustQuantitiesInput!) {{
  inventoryAdjustQuantities(input: $input) {{
    inventoryAdjustmentGroup {{
      id
      changes {{ name delta quantityAfterChange item {{ id }} location {{ id }} }}
    }}
    {CODED_USER_ERRORS}
  }}
}}
"""

# -- bulk operations ---------------------------------------------------------------------

BULK_RUN_QUERY = f"""
mutation BulkRunQuery($query: String!) {{
  bulkOperationRunQuery(query: $query) {{
    bulkOperation {{ id status }}
    {CODED_USER_ERRORS}
  }}
}}
"""

BULK_CANCEL = f"""
mutation BulkCancel($id: ID!) {{
  bulkOperationCancel(id: $id) {{
    bulkOperation {{ id status }}
    {USER_ERRORS}
  }}
}}
"""

BULK_OPERATION_FIELDS = """
  id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url
  partialDataUrl
"""

BULK_POLL = f"""
query BulkPoll($id: ID!) {{
  node(id: $id) {{ ... on BulkOperation {{ {BULK_OPERATION_FIELDS} }} }}
}}
"""

BULK_CURRENT = f"""
query BulkCurrent {{
  currentBulkOperation(type: QUERY) {{ {BULK_OPERATION_FIELDS} }}
}}
"""

# Bulk queries have no page sizes: Shopify walks every connection to the end.  ``{query}``
# is replaced with a search filter (or nothing) by :func:`bulk_query`.
BULK_PRODUCTS = """
{
  products%(filter)s {
    edges { node {
      id legacyResourceId title handle descriptionHtml vendor productType status tags
      createdAt updatedAt
      variants { edges { node {
        id legacyResourceId title sku barcode price compareAtPrice inventoryQuantity
        createdAt updatedAt
        inventoryItem {
          id tracked unitCost { amount }
          inventoryLevels { edges { node {
            id location { id } quantities(names: ["available"]) { name quantity }
          } } }
        }
      } } }
    } }
  }
}
"""

BULK_CUSTOMERS = """
{
  customers%(filter)s {
    edges { node {
      id legacyResourceId firstName lastName note tags state createdAt updatedAt
      defaultEmailAddress { emailAddress marketingState marketingOptInLevel marketingUpdatedAt }
      defaultPhoneNumber { phoneNumber }
    } }
  }
}
"""

BULK_ORDERS = """
{
  orders%(filter)s {
    edges { node {
      id legacyResourceId name number email phone createdAt updatedAt processedAt
      cancelledAt closedAt test currencyCode displayFinancialStatus displayFulfillmentStatus
      note tags sourceName
      customer { id firstName lastName defaultEmailAddress { emailAddress } }
      totalPriceSet { shopMoney { amount } }
      subtotalPriceSet { shopMoney { amount } }
      totalTaxSet { shopMoney { amount } }
      totalDiscountsSet { shopMoney { amount } }
      lineItems { edges { node {
        id name title sku quantity currentQuantity variantTitle
        variant { id }
        originalUnitPriceSet { shopMoney { amount } }
        discountedUnitPriceSet { shopMoney { amount } }
      } } }
    } }
  }
}
"""

# Where a bulk result line of each type goes back under its parent (see ``bulk.py``):
# the same shape the paged queries return, so one mapping reads both.
BULK_CHILD_PATHS: dict[str, tuple[str, ...]] = {
    "ProductVariant": ("variants",),
    "InventoryLevel": ("inventoryItem", "inventoryLevels"),
    "LineItem": ("lineItems",),
}

ALL_DOCUMENTS: dict[str, str] = {
    "PRODUCTS": PRODUCTS,
    "PRODUCT_VARIANTS": PRODUCT_VARIANTS,
    "CUSTOMERS": CUSTOMERS,
    "ORDERS": ORDERS,
    "ORDER_LINE_ITEMS": ORDER_LINE_ITEMS,
    "LOCATIONS": LOCATIONS,
    "INVENTORY_LEVELS": INVENTORY_LEVELS,
    "SKU_LOOKUP": SKU_LOOKUP,
    "CUSTOMER_LOOKUP": CUSTOMER_LOOKUP,
    "ITEM_LOOKUP": ITEM_LOOKUP,
    "VARIANT_PRODUCT": VARIANT_PRODUCT,
    "CUSTOMERS_BY_ID": CUSTOMERS_BY_ID,
    "CUSTOMERS_MATCH": CUSTOMERS_MATCH,
    "ORDER_IDS": ORDER_IDS,
    "ORDERS_BY_ID": ORDERS_BY_ID,
    "PRODUCT_CREATE": PRODUCT_CREATE,
    "PRODUCT_UPDATE": PRODUCT_UPDATE,
    "VARIANTS_BULK_CREATE": VARIANTS_BULK_CREATE,
    "VARIANTS_BULK_UPDATE": VARIANTS_BULK_UPDATE,
    "CUSTOMER_CREATE": CUSTOMER_CREATE,
    "CUSTOMER_UPDATE": CUSTOMER_UPDATE,
    "INVENTORY_SET_QUANTITIES": INVENTORY_SET_QUANTITIES,
    "INVENTORY_ADJUST_QUANTITIES": INVENTORY_ADJUST_QUANTITIES,
    "BULK_RUN_QUERY": BULK_RUN_QUERY,
    "BULK_CANCEL": BULK_CANCEL,
    "BULK_POLL": BULK_POLL,
    "BULK_CURRENT": BULK_CURRENT,
}


# -- filters and sizes -------------------------------------------------------------------


def _search_time(when: datetime | str) -> str:
    if isinstance(when, str):
        when = datetime.fromisoformat(when.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def updated_since(when: datetime | str | None, *, overlap_s: float = 0.0) -> str | None:
    """The search filter for "changed after ``when``" (minus an overlap), or ``None``.

    Shopify's ``>`` is exclusive and second-granular, so callers pass an overlap (≥ 1 s)
    and let duplicates collapse by id (prior-art D5).
    """
    if when is None or when == "":
        return None
    if isinstance(when, str):
        when = datetime.fromisoformat(when.replace("Z", "+00:00"))
    return f"updated_at:>'{_search_time(when - timedelta(seconds=overlap_s))}'"


def sku_filter(sku: str) -> str:
    """``sku:'…'`` with quotes escaped, for an exact SKU lookup before a create."""
    return "sku:'" + sku.replace("\\", "\\\\").replace("'", "\\'") + "'"


def email_filter(email: str) -> str:
    return "email:'" + email.replace("\\", "\\\\").replace("'", "\\'") + "'"


def phone_filter(phone: str) -> str:
    return "phone:'" + phone.replace("\\", "\\\\").replace("'", "\\'") + "'"


def handle_filter(handle: str) -> str:
    return "handle:'" + handle.replace("\\", "\\\\").replace("'", "\\'") + "'"


def created_since(when: datetime | str | None, *, overlap_s: float = 0.0) -> str | None:
    """The search filter for "created after ``when``" (minus an overlap), or ``None``."""
    if when is None or when == "":
        return None
    if isinstance(when, str):
        when = datetime.fromisoformat(when.replace("Z", "+00:00"))
    return f"created_at:>'{_search_time(when - timedelta(seconds=overlap_s))}'"


def bulk_query(template: str, search: str | None = None) -> str:
    """A bulk document with an optional ``query:`` filter on the root connection."""
    if not search:
        return template % {"filter": ""}
    escaped = search.replace("\\", "\\\\").replace('"', '\\"')
    return template % {"filter": f'(query: "{escaped}")'}


def _fit(per_node: int, max_cost: int) -> int:
    return max(1, min(MAX_PAGE, (max_cost - 2) // per_node))


def variant_cost(levels_first: int) -> int:
    """Requested points for one variant node of ``VARIANT_FIELDS`` (node itself included)."""
    levels = 2 + levels_first * 3  # level node + location + quantities
    return 1 + 1 + 1 + levels  # node + inventoryItem + unitCost + levels


def products_page_size(
    variants_first: int = 10, levels_first: int = 1, max_cost: int = MAX_QUERY_COST
) -> int:
    """Products per page so that ``PRODUCTS`` stays within ``max_cost`` requested points."""
    per_product = 1 + 2 + variants_first * variant_cost(levels_first)
    return _fit(per_product, max_cost)


def product_variants_page_size(levels_first: int = 1, max_cost: int = MAX_QUERY_COST) -> int:
    return _fit(variant_cost(levels_first), max_cost - 1)


def customers_page_size(max_cost: int = MAX_QUERY_COST) -> int:
    return _fit(1 + 2, max_cost)  # node + defaultEmailAddress + defaultPhoneNumber


def orders_page_size(lines_first: int = 10, max_cost: int = MAX_QUERY_COST) -> int:
    # node + customer(+email) + four money bags (bag + shopMoney) + the line connection
    per_line = 1 + 1 + 2 * 2
    per_order = 1 + 2 + 8 + 2 + lines_first * per_line
    return _fit(per_order, max_cost)


def order_lines_page_size(max_cost: int = MAX_QUERY_COST) -> int:
    return _fit(1 + 1 + 2 * 2, max_cost - 1)
