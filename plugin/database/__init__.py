"""The database layer under every domain package: idempotent inserts, the audit trail, reads."""
