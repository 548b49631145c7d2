"""Members: TESmart IDs, membership and its ending, customers from Shopify, import, staff."""
