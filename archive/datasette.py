"""Datasette configuration generated from the schema: metadata, facets and canned queries."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from archive.schema import FTS, TABLES, VIEWS

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
PLUGINS = HERE / "plugins"
STATIC = HERE / "static"

THREAD_SQL = """
WITH RECURSIVE thread(id, depth, path) AS (
  SELECT id, 1, printf('%06d', position) FROM comments
  WHERE post_id = :post_id AND parent_id IS NULL
  UNION ALL
  SELECT c.id, thread.depth + 1, thread.path || '.' || printf('%06d', c.position)
  FROM comments c JOIN thread ON c.parent_id = thread.id
)
SELECT thread.depth,
  substr('                                        ', 1, 2 * (thread.depth - 1)) || '↳ ' || c.author
    AS reply_by,
  c.published, c.type, c.content_text, c.id, c.wp_id, c.parent_id
FROM thread JOIN comments c ON c.id = thread.id
ORDER BY thread.path
""".strip()

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "thread": {
        "title": "One post's comment thread",
        "description": "Comments of a post (its id in the posts table) in reply order, indented by depth.",
        "sql": THREAD_SQL,
    },
}

FACETS: dict[str, list[Any]] = {
    "posts": ["site_id", "author", "type", "year"],
    "comments": ["type", "author", "depth"],
    "post_index": ["site", "author", "year", {"array": "categories"}, {"array": "tags"}],
    "terms": ["taxonomy", "site_id"],
    "share_links": ["service"],
}


def build_metadata(title: str = "wparchive") -> dict[str, Any]:
    """Datasette metadata: every table and column described, facets, search and canned queries."""
    tables: dict[str, Any] = {}
    for table in TABLES:
        entry: dict[str, Any] = {
            "description": table.description,
            "columns": {column.name: column.description for column in table.columns},
        }
        if table.name in FACETS:
            entry["facets"] = FACETS[table.name]
        if table.name in FTS:
            entry["fts_table"] = f"{table.name}_fts"
            entry["searchmode"] = "escaped"
        tables[table.name] = entry
    for name, (description, _) in VIEWS.items():
        tables[name] = {"description": description}
        if name in FACETS:
            tables[name]["facets"] = FACETS[name]
    return {
        "title": title,
        "description": "WordPress course blogs archived by wparchive: posts, breadcrumbs, share "
        "links and threaded comments.",
        "source": "wparchive",
        "databases": {"*": {"tables": tables, "queries": CANNED_QUERIES}},
    }


def metadata_for(db_path: str | Path) -> dict[str, Any]:
    """Metadata with the database's own name as the key (Datasette names databases by file)."""
    metadata = build_metadata()
    name = Path(db_path).stem
    metadata["databases"] = {name: metadata["databases"]["*"]}
    return metadata


def datasette_instance(db_path: str | Path):  # -> datasette.app.Datasette
    """A configured, read-only Datasette for the archive (used by tests and by `serve`)."""
    from datasette.app import Datasette

    return Datasette(
        immutables=[str(db_path)],
        metadata=metadata_for(db_path),
        template_dir=str(TEMPLATES) if TEMPLATES.exists() else None,
        plugins_dir=str(PLUGINS) if PLUGINS.exists() else None,
        settings={"default_page_size": 50, "sql_time_limit_ms": 5000, "facet_time_limit_ms": 1000},
    )


def serve_archive(db_path: str, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Run Datasette on the archive, read-only, until interrupted."""
    handle, metadata_path = tempfile.mkstemp(prefix="wparchive-metadata-", suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump(metadata_for(db_path), out)
    args = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "-i",
        db_path,
        "--metadata",
        metadata_path,
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "default_page_size",
        "50",
        "--setting",
        "sql_time_limit_ms",
        "5000",
    ]
    if TEMPLATES.exists():
        args += ["--template-dir", str(TEMPLATES)]
    if PLUGINS.exists():
        args += ["--plugins-dir", str(PLUGINS)]
    print(f"Serving {db_path} at http://{host}:{port}/", flush=True)
    os.execv(sys.executable, args)
