"""The TESmart program rules as pure code: no Flask, no database, no clock."""
