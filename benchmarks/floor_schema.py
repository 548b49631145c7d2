"""The floor's tables (benchmarks/floor.py, benchmarks/floor_worker.py), created by the benchmark
before the floor starts."""

DDL = (
    "CREATE TABLE IF NOT EXISTS floor_events (id BIGSERIAL PRIMARY KEY, webhook_id VARCHAR(64) "
    "UNIQUE, topic VARCHAR(64), body TEXT, received_at TIMESTAMPTZ DEFAULT now(), processed_at "
    "TIMESTAMPTZ); CREATE TABLE IF NOT EXISTS floor_ledger (id BIGSERIAL PRIMARY KEY, cause_key "
    "VARCHAR(128) UNIQUE, member_key VARCHAR(320) NOT NULL, delta INTEGER NOT NULL, created_at "
    "TIMESTAMPTZ DEFAULT now()); CREATE TABLE IF NOT EXISTS floor_wallets (member_key VARCHAR(320) "
    "PRIMARY KEY, balance INTEGER NOT NULL)"
)
