"""The floor's one table (benchmarks/floor.py), created by the benchmark before the floor starts."""

DDL = (
    "CREATE TABLE IF NOT EXISTS floor_events (id BIGSERIAL PRIMARY KEY, webhook_id VARCHAR(64) UNIQUE,"
    " topic VARCHAR(64), body TEXT, received_at TIMESTAMPTZ DEFAULT now())"
)
