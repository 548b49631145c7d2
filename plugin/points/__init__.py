"""Points: the ledger, earning and clawing back on orders, activities, adjustments, expiry,
campaigns and birthdays."""
