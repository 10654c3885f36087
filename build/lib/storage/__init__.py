"""Storage: SQLModel tables and async repository functions over SQLite."""
