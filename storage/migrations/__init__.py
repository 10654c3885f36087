"""Schema migrations (Alembic), applied at start-up: see storage/db.py and docs/architecture.md."""
