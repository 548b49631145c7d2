"""Read models for the admin: per-page queries, program results, CSV exports."""
