"""Documentation generated from the code (the README's schema section, via cog)."""

from __future__ import annotations

from archive.db import open_db
from archive.schema import FTS, HISTORY_VIEWS, TABLES, VIEWS


def schema_markdown() -> str:
    """The archive's tables, columns, keys, views and full-text indexes as Markdown."""
    db = open_db(":memory:")
    lines: list[str] = []
    for table in TABLES:
        pk = table.pk if isinstance(table.pk, str) else ", ".join(table.pk)
        lines.append(f"### `{table.name}`\n")
        lines.append(f"{table.description} Primary key: `{pk}`.")
        if table.foreign_keys:
            refs = ", ".join(f"`{col}` → `{other}.{other_col}`" for col, other, other_col in table.foreign_keys)
            lines.append(f"Foreign keys: {refs}.")
        if table.name in FTS:
            lines.append(f"Full-text search on {', '.join(f'`{c}`' for c in FTS[table.name])} (`{table.name}_fts`).")
        lines.append("")
        lines.append("| column | type | meaning |")
        lines.append("| --- | --- | --- |")
        types = {c.name: c.type for c in db[table.name].columns}
        for column in table.columns:
            lines.append(f"| `{column.name}` | {types.get(column.name, '')} | {column.description} |")
        lines.append("")
    lines.append("### Views\n")
    for name, (description, _) in {**VIEWS, **HISTORY_VIEWS}.items():
        lines.append(f"- `{name}`: {description}")
    lines.append("")
    lines.append("The exact SQL of every table and view:\n")
    lines.append("```sql")
    for table in TABLES:
        lines.append(db[table.name].schema + ";")
    lines.append("```")
    db.close()
    return "\n".join(lines) + "\n"
