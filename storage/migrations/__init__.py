"""Schema migrations (Alembic), applied at start-up: see storage/db.py and docs/architecture.md."""

HEAD = "0011"  # the newest revision (a test checks it against the scripts): a database at it needs nothing
