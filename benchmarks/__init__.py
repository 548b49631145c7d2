"""Benchmarks of the production set-up (gunicorn, PostgreSQL, Redis, rq), run by `make bench`."""
