"""The archive: SQLite schema, save functions and the Datasette configuration."""
