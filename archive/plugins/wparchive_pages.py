"""Datasette plugin: the archive's own pages and links (loaded from `--plugins-dir`).

Routes:
  /-/post/<id>   a post as it looked: trail, terms, content, share links, the nested thread
  /-/search?q=   one search box over posts and comments (FTS5), hits link to the post page
  /-/activity    posts and comments per week, per site, as inline SVG charts
Hooks: the front page's data (`extra_template_vars`), links from tables and canned queries to the
post page (`render_cell`), a menu on every page (`menu_links`), the Content-Security-Policy on
every response (`asgi_wrapper`), and 400 instead of 500 for input Datasette fails on
(`handle_exception`).

Queries are plain SQL run with `Database.execute` (read-only); what is safe to show is decided by
`archive.datasette` (sanitise_html, safe_href).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from datasette import handle_exception as datasette_errors
from datasette import hookimpl
from datasette.utils import escape_fts
from datasette.utils.asgi import BadRequest, NotFound, Request, Response
from markupsafe import Markup, escape

from archive import datasette as settings
from archive import research
from archive.datasette import (
    NAME_COLUMNS,
    ThreadNode,
    activity_svg,
    bidi_text,
    build_thread,
    client_error,
    format_date,
    isolated,
    safe_href,
    sanitise_html,
    thread_depth,
    with_content_security_policy,
)
from archive.replay import replay_url
from archive.research import CANNED_QUERIES, WEEKLY_ACTIVITY_SQL, count_sql, search_sql
from archive.warc import capture_folder, record_body

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database

PAGE_SIZE = 20
OPEN, CLOSE = "\x01", "\x02"  # snippet() highlight markers, replaced after escaping


def _db(datasette: Datasette) -> Database:
    return datasette.get_database()


async def _rows(
    datasette: Datasette, sql: str, params: Mapping[str, Any] | list[Any] | None = None
) -> list[dict[str, Any]]:
    results = await _db(datasette).execute(sql, params or [])
    return [dict(row) for row in results.rows]


def _path(datasette: Datasette, path: str) -> str:
    return datasette.urls.path(path)


def post_path(datasette: Datasette, post_id: Any, comment_id: Any = None) -> str:
    """Where a post (and one of its comments) is read."""
    anchor = f"#comment-{comment_id}" if comment_id is not None else ""
    return _path(datasette, f"/-/post/{int(post_id)}{anchor}")


def _table_path(datasette: Datasette, table: str, **args: Any) -> str:
    query = urlencode({k: v for k, v in args.items() if v not in (None, "")})
    return datasette.urls.table(_db(datasette).name, table) + (f"?{query}" if query else "")


async def _render(
    datasette: Datasette, request: Request, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    context = {"database": _db(datasette).name, "wp_nav": nav_links(datasette), **context}
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)


# Types a browser shows as a picture, never runs: served inline. Anything else is a download.
_INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"}


async def media_file(datasette: Datasette, request: Request) -> Response:
    """A file kept with a post, from the crawl's WACZ (the same origin as the archive's pages, so
    the Content-Security-Policy lets the post page show it)."""
    media_id = int(request.url_vars["media_id"])
    if media_id > 2**63 - 1:
        raise NotFound("No such file in this archive")
    rows = await _rows(datasette, "SELECT wacz, record_id, url, content_type FROM media WHERE id = ?", [media_id])
    db_path = _db(datasette).path
    if not rows or not rows[0]["wacz"] or not rows[0]["record_id"] or not db_path:
        raise NotFound("No such file in this archive")
    row = rows[0]
    wacz = capture_folder(db_path) / Path(row["wacz"]).name
    found = record_body(wacz, row["record_id"]) if wacz.exists() else None
    if found is None:
        raise NotFound("The file's WACZ is not beside the archive")
    content_type = (row["content_type"] or found[0] or "application/octet-stream").split(";")[0].strip().lower()
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"}
    if content_type not in _INLINE_TYPES:
        name = Path(urlsplit(row["url"]).path).name or "file"
        headers["Content-Disposition"] = f'attachment; filename="{name.replace(chr(34), "")}"'
    return Response(found[1], content_type=content_type, headers=headers)


def nav_links(datasette: Datasette) -> list[dict[str, str]]:
    """The archive's main places, for menus and the front page."""
    name = _db(datasette).name
    return [
        {"href": _path(datasette, "/"), "label": "Archive"},
        {"href": _table_path(datasette, "post_index"), "label": "Posts"},
        {"href": _path(datasette, "/-/search"), "label": "Search"},
        {"href": datasette.urls.path(f"/{name}/most_discussed"), "label": "Threads"},
        {"href": _path(datasette, "/-/activity"), "label": "Activity chart"},
        {"href": datasette.urls.database(name) + "#queries", "label": "Research queries"},
    ]


# ---------------------------------------------------------------------------------------------
# /-/post/<id>


REMOVED = "(removed at its author's request)"


def _author_shown(comment: dict[str, Any]) -> str:
    if comment.get("forgotten"):
        return REMOVED
    return comment.get("author") or "(anonymous)"


def _comment_view(node: ThreadNode) -> dict[str, Any]:
    c = node.comment
    return {
        "id": c["id"],
        "author": _author_shown(c),
        "author_href": safe_href(c.get("author_url")),
        "author_url": c.get("author_url"),
        "type": c.get("type") or "comment",
        "published": c.get("published"),
        "date": format_date(c.get("published")),
        "depth": node.depth,
        "reply_to": _author_shown(node.parent) if node.parent else None,
        "reply_to_id": node.parent["id"] if node.parent else None,
        "orphan": node.parent is None and c.get("parent_wp_id") is not None,
        "html": sanitise_html(c.get("content_html"), c.get("content_text")),
        "children": [_comment_view(child) for child in node.children],
    }


async def post_page(datasette: Datasette, request: Request) -> Response:
    """A post with its trail, terms, content, share links and its comments as nested replies."""
    post_id = int(request.url_vars["post_id"])
    if post_id > 2**63 - 1:  # past SQLite's integers: no such post (and no overflow error)
        raise NotFound(f"No post {post_id} in this archive")
    found = await _rows(
        datasette,
        "SELECT p.*, s.name AS site_name, s.url AS site_url FROM posts p JOIN sites s ON s.id = p.site_id "
        "WHERE p.id = ?",
        [post_id],
    )
    if not found:
        raise NotFound(f"No post {post_id} in this archive")
    post = found[0]
    crumbs = await _rows(datasette, "SELECT label, url FROM breadcrumbs WHERE post_id = ? ORDER BY position", [post_id])
    terms = await _rows(
        datasette,
        "SELECT t.taxonomy, t.name, t.url FROM post_terms pt JOIN terms t ON t.id = pt.term_id "
        "WHERE pt.post_id = ? ORDER BY t.taxonomy, t.name",
        [post_id],
    )
    shares = await _rows(
        datasette, "SELECT service, url FROM share_links WHERE post_id = ? ORDER BY position", [post_id]
    )
    comments = await _rows(
        datasette,
        "SELECT id, wp_id, parent_id, parent_wp_id, depth, position, author, author_url, published, type, "
        "content_html, content_text, forgotten FROM comments WHERE post_id = ? ORDER BY position, id",
        [post_id],
    )
    crawls = await _rows(
        datasette,
        "SELECT id, started, finished FROM crawls WHERE id IN (?, ?) ORDER BY id",
        [post.get("first_crawl"), post.get("last_crawl")],
    )
    neighbours = await _rows(
        datasette,
        """
        SELECT 'previous' AS rel, * FROM (SELECT id, title FROM posts WHERE site_id = :site AND type = 'post'
          AND (published < :published OR (published = :published AND id < :id))
          ORDER BY published DESC, id DESC LIMIT 1)
        UNION ALL
        SELECT 'next' AS rel, * FROM (SELECT id, title FROM posts WHERE site_id = :site AND type = 'post'
          AND (published > :published OR (published = :published AND id > :id))
          ORDER BY published, id LIMIT 1)
        """,
        {"site": post["site_id"], "published": post.get("published") or "", "id": post_id},
    )
    # The page as archived: the latest capture of the post's page, on the replay server that
    # `wparchive serve` started beside Datasette (plugin config `replay`).
    replay_server = (datasette.plugin_config("wparchive") or {}).get("replay")
    captured = await _rows(
        datasette,
        "SELECT c.url, cr.started FROM captures c JOIN crawls cr ON cr.id = c.crawl_id "
        "WHERE c.post_id = ? AND c.kind = 'post page' ORDER BY c.crawl_id DESC LIMIT 1",
        [post_id],
    )
    archived = captured[0] if captured and replay_server else None
    # The post's files the archive keeps are shown from it (`/-/media/<id>`), never from their hosts.
    kept = {
        row["url"]: _path(datasette, f"/-/media/{row['id']}")
        for row in await _rows(
            datasette,
            "SELECT id, url FROM media WHERE site_id = ? AND record_id IS NOT NULL AND wacz IS NOT NULL",
            [post["site_id"]],
        )
    }
    tree = build_thread(comments)
    counts: dict[str, int] = {}
    for comment in comments:
        counts[comment["type"] or "comment"] = counts.get(comment["type"] or "comment", 0) + 1
    site_name = post["site_name"] or post["site_url"]
    context = {
        "post": post,
        "title": post.get("title") or (REMOVED if post.get("forgotten") else "(untitled)"),
        "date": format_date(post.get("published")),
        "modified": format_date(post.get("modified")),
        "site_name": site_name,
        "site_href": safe_href(post.get("site_url")),
        "url_href": safe_href(post.get("url")),
        "author_href": _table_path(datasette, "post_index", site=site_name, author=post.get("author")),
        "trail": [{"label": c["label"], "href": safe_href(c["url"])} for c in crumbs],
        "categories": [
            {
                "name": t["name"],
                "href": _table_path(datasette, "post_index", site=site_name, categories__arraycontains=t["name"]),
            }
            for t in terms
            if t["taxonomy"] == "category"
        ],
        "tags": [
            {
                "name": t["name"],
                "href": _table_path(datasette, "post_index", site=site_name, tags__arraycontains=t["name"]),
            }
            for t in terms
            if t["taxonomy"] != "category"
        ],
        "content": sanitise_html(post.get("content_html"), post.get("content_text"), kept.get),
        "shares": [{"service": s["service"], "url": s["url"], "href": safe_href(s["url"])} for s in shares],
        "thread": [_comment_view(node) for node in tree],
        "thread_depth": thread_depth(tree),
        "counts": counts,
        "total": len(comments),
        "crawls": {c["id"]: c for c in crawls},
        "neighbours": {n["rel"]: {"title": n["title"], "href": post_path(datasette, n["id"])} for n in neighbours},
        "row_href": datasette.urls.row(_db(datasette).name, "posts", str(post_id)),
        "thread_href": datasette.urls.path(f"/{_db(datasette).name}/thread?post_id={post_id}"),
        "archived_href": safe_href(replay_url(replay_server, archived["started"], archived["url"]))
        if archived
        else None,
        "archived_at": format_date(archived["started"]) if archived else None,
    }
    return await _render(datasette, request, "wparchive_post.html", context)


# ---------------------------------------------------------------------------------------------
# /-/search


def highlight(snippet: str | None) -> Markup:
    """A search snippet escaped, with the matched words marked."""
    text = str(escape(snippet or ""))
    return Markup(text.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


def _int_arg(request: Request, name: str, default: int) -> int:
    try:
        return max(1, int(request.args.get(name, default)))
    except (TypeError, ValueError):
        return default


async def search_page(datasette: Datasette, request: Request) -> Response:
    """Full-text search over posts and comments from one box; hits lead to the post page."""
    q = (request.args.get("q") or "").strip()[:500]
    site = (request.args.get("site") or "").strip()
    scope = request.args.get("in") or "all"
    if scope not in {"all", "posts", "comments"}:
        scope = "all"
    page = _int_arg(request, "page", 1)
    sites = await _rows(datasette, "SELECT id, name, url FROM sites ORDER BY name")
    site = site if site in {str(s["id"]) for s in sites} else ""
    context: dict[str, Any] = {
        "q": q,
        "site": site,
        "scope": scope,
        "page": page,
        "sites": sites,
        "error": None,
        "posts": [],
        "comments": [],
        "counts": {"posts": 0, "comments": 0},
        "more": {},
        "unranked": {},
        "rank_limit": research.SEARCH_RANK_LIMIT,
    }
    match = escape_fts(q) if q else ""
    if q and not match.strip('" '):
        context["error"] = "there are no words to find in it"  # only quotes, say: no query to run
    elif match:
        params = {
            "q": match,
            "site": site,
            "open": OPEN,
            "close": CLOSE,
            "limit": PAGE_SIZE + 1,
            "offset": (page - 1) * PAGE_SIZE,
        }
        try:
            for kind in ("posts", "comments"):
                if scope not in ("all", kind):
                    continue
                limit = research.SEARCH_RANK_LIMIT
                counted = await _db(datasette).execute(
                    count_sql(kind, in_site=bool(site)), {"q": match, "site": site, "cap": limit + 1}
                )
                count = counted.rows[0][0]
                context["counts"][kind] = count
                context["unranked"][kind] = count > limit
                hits = await _rows(datasette, search_sql(kind, ranked=count <= limit), params)
                context["more"][kind] = len(hits) > PAGE_SIZE
                for hit in hits[:PAGE_SIZE]:
                    hit["snippet_html"] = highlight(hit["snippet"])
                    hit["date"] = format_date(hit["published"])
                    if kind == "posts":
                        hit["href"] = post_path(datasette, hit["id"])
                    else:
                        hit["href"] = post_path(datasette, hit["post_id"], hit["id"])
                context[kind] = hits[:PAGE_SIZE]
        except Exception as error:  # an FTS syntax error or the time limit: say so, keep the page
            context["error"] = str(error)
        base = {"q": q, "site": site, "in": scope if scope != "all" else ""}
        context["next_href"] = (
            "?" + urlencode({k: v for k, v in {**base, "page": page + 1}.items() if v})
            if any(context["more"].values())
            else None
        )
        context["prev_href"] = (
            "?" + urlencode({k: v for k, v in {**base, "page": page - 1}.items() if v and v != 1}) if page > 1 else None
        )
        context["table_search"] = {
            "posts": _table_path(datasette, "posts", _search=q, site_id=site),
            "comments": _table_path(datasette, "comments", _search=q),
        }
    return await _render(datasette, request, "wparchive_search.html", context)


# ---------------------------------------------------------------------------------------------
# /-/activity


async def activity_page(datasette: Datasette, request: Request) -> Response:
    """Posts and comments per week, one chart per site (CHARTS_PER_PAGE at a time), with the numbers."""
    per_page = settings.CHARTS_PER_PAGE
    site = (request.args.get("site") or "").strip()
    sites = await _rows(datasette, "SELECT id, name, url FROM sites ORDER BY name, id")
    site = site if site in {str(s["id"]) for s in sites} else ""
    pages = max(1, -(-len(sites) // per_page))
    page = min(_int_arg(request, "page", 1), pages) if not site else 1
    shown = [s for s in sites if str(s["id"]) == site] or sites[(page - 1) * per_page : page * per_page]
    charts: list[dict[str, Any]] = []
    for shown_site in shown:  # one query per site: each walks only that site's rows, by index
        weeks = await _rows(datasette, WEEKLY_ACTIVITY_SQL, {"site": shown_site["id"]})
        charts.append(
            {
                "site_id": shown_site["id"],
                "name": shown_site["name"] or shown_site["url"],
                "weeks": weeks,
                "svg": activity_svg(weeks, bidi_text(shown_site["name"] or shown_site["url"] or "")),
                "posts": sum(w["posts"] for w in weeks),
                "comments": sum(w["comments"] for w in weeks),
                "first": format_date(weeks[0]["week"]) if weeks else "",
                "last": format_date(weeks[-1]["week"]) if weeks else "",
                "csv_href": datasette.urls.path(
                    f"/{_db(datasette).name}/weekly_activity.csv?" + urlencode({"site": shown_site["id"]})
                ),
            }
        )
    context = {
        "site": site,
        "sites": sites,
        "charts": charts,
        "page": page,
        "pages": pages,
        "first_shown": (page - 1) * per_page + 1,
        "query_href": datasette.urls.path(f"/{_db(datasette).name}/weekly_activity"),
    }
    return await _render(datasette, request, "wparchive_activity.html", context)


# ---------------------------------------------------------------------------------------------
# Hooks


@hookimpl
def asgi_wrapper(datasette: Datasette) -> Any:
    """Every response, Datasette's and ours, carries the archive's Content-Security-Policy."""
    return with_content_security_policy


@hookimpl
def handle_exception(datasette: Datasette, request: Request, exception: BaseException) -> Any:
    """Input Datasette fails on with a 500 (`client_error`) is answered 400, with the reason,
    through Datasette's own error page; anything else is left to Datasette."""
    reason = client_error(exception, {name: request.args.get(name) or "" for name in request.args})
    if reason is None:
        return None
    return datasette_errors.handle_exception(datasette, request, BadRequest(f"Bad request: {reason}"))


@hookimpl
def prepare_connection(conn: Any) -> None:
    """`fts3_tokenizer()` hands out a native pointer (and, with two arguments, would take one): the
    SQL page must not reach it, so it answers NULL."""
    for arguments in (1, 2):
        conn.create_function("fts3_tokenizer", arguments, lambda *_: None)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """The archive's pages."""
    return [
        (r"^/-/post/(?P<post_id>\d+)$", post_page),
        (r"^/-/search$", search_page),
        (r"^/-/activity$", activity_page),
        (r"^/-/media/(?P<media_id>\d+)$", media_file),
    ]


@hookimpl
def menu_links(datasette: Datasette, actor: Any, request: Request | None) -> list[dict[str, str]]:
    """The archive's places in Datasette's menu, on every page."""
    return nav_links(datasette)


def _link(href: str, label: Any) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, isolated(label))


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    """Filters for names and titles in the templates: `isolated` (HTML) and `bidi_text` (plain text,
    for `<title>`, `<option>` and attributes)."""
    env.filters["isolated"] = isolated
    env.filters["bidi_text"] = bidi_text


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Datasette
) -> Markup | None:
    """Titles and post ids lead to the post page; comment ids to their place in the thread; names
    and titles are shown isolated (`<bdi>`, bidi controls as markers)."""
    if value in (None, ""):
        return None
    keys = set(row.keys()) if hasattr(row, "keys") else set()
    if table in ("posts", "post_index") and column == "title" and "id" in keys:
        return _link(post_path(datasette, row["id"]), value)
    if table == "comments" and column == "post_id" and "id" in keys:
        target = value["value"] if isinstance(value, dict) else value
        label = value.get("label") or target if isinstance(value, dict) else value
        return _link(post_path(datasette, target, row["id"]), label)
    if table == "comment_index" and column == "post_title":
        return _link(post_path(datasette, row["post_id"], row["id"]), value)
    if table in ("post_terms_index", "integrity") and column in ("title", "post_id"):
        return _link(post_path(datasette, row["post_id"]), value)
    if table is None and "post_id" in keys and isinstance(row["post_id"], int):
        if column == "post_id" or (column == "title" and "comment_id" not in keys):
            return _link(post_path(datasette, row["post_id"]), value)
        if column == "comment_id" or (column == "title" and "comment_id" in keys):
            if isinstance(row["comment_id"], int):
                return _link(post_path(datasette, row["post_id"], row["comment_id"]), value)
            return _link(post_path(datasette, row["post_id"]), value)
    if column in NAME_COLUMNS and isinstance(value, str):
        return isolated(value)
    return None


@hookimpl
def extra_template_vars(template: str, datasette: Datasette, request: Request | None) -> Any:
    """The front page's figures: what is archived, the liveliest threads, the research queries."""
    if template != "index.html":
        return {}

    async def front_page() -> dict[str, Any]:
        db = _db(datasette)
        name = db.name
        totals = (
            await _rows(
                datasette,
                "SELECT (SELECT count(*) FROM sites) AS sites, (SELECT count(*) FROM posts) AS posts, "
                "(SELECT count(*) FROM comments) AS comments, (SELECT count(*) FROM crawls) AS crawls, "
                "(SELECT min(started) FROM crawls) AS first_crawl, "
                "(SELECT max(coalesce(finished, started)) FROM crawls) AS last_crawl",
            )
        )[0]
        sites = await _rows(
            datasette,
            "SELECT s.id, s.name, s.url, count(p.id) AS posts, min(p.published) AS first_post, "
            "max(p.published) AS last_post FROM sites s LEFT JOIN posts p ON p.site_id = s.id "
            "GROUP BY s.id ORDER BY s.name",
        )
        for site in sites:
            site["href"] = _table_path(datasette, "post_index", site=site["name"])
            site["url_href"] = safe_href(site["url"])
            site["activity_href"] = _path(datasette, f"/-/activity?site={site['id']}")
            site["span"] = " to ".join(
                d
                for d in (format_date((site["first_post"] or "")[:10]), format_date((site["last_post"] or "")[:10]))
                if d
            )
        discussed = await _rows(
            datasette,
            "SELECT p.id, p.title, p.comment_count_captured AS comments, s.name AS site FROM posts p "
            "CROSS JOIN sites s ON s.id = p.site_id WHERE p.comment_count_captured > 0 "
            "ORDER BY p.comment_count_captured DESC, p.id LIMIT 5",
        )
        deepest = await _rows(
            datasette,
            "SELECT p.id, p.title, d.depth, s.name AS site FROM (SELECT post_id, max(depth) AS depth FROM "
            "(SELECT post_id, depth FROM comments ORDER BY depth DESC LIMIT 200) GROUP BY post_id) d "
            "JOIN posts p ON p.id = d.post_id JOIN sites s ON s.id = p.site_id "
            "WHERE d.depth > 1 ORDER BY d.depth DESC, p.id LIMIT 5",
        )
        for post in discussed + deepest:
            post["href"] = post_path(datasette, post["id"])
        queries = [
            {
                "name": q,
                "title": spec["title"],
                "description": spec["description"],
                "href": datasette.urls.path(f"/{name}/{q}"),
            }
            for q, spec in CANNED_QUERIES.items()
        ]
        wp = {
            "database": name,
            "totals": totals,
            "first_crawl": format_date(totals["first_crawl"]),
            "last_crawl": format_date(totals["last_crawl"]),
            "sites": sites,
            "discussed": discussed,
            "deepest": deepest,
            "queries": queries,
            "tables": [
                {"name": t, "href": _table_path(datasette, t)}
                for t in (
                    "post_index",
                    "comment_index",
                    "posts",
                    "comments",
                    "sites",
                    "crawls",
                    "post_terms_index",
                    "share_links",
                    "breadcrumbs",
                    "integrity",
                )
            ],
            "search_href": _path(datasette, "/-/search"),
            "activity_href": _path(datasette, "/-/activity"),
            "database_href": datasette.urls.database(name),
        }
        return {"wp": wp, "wp_nav": nav_links(datasette)}

    return front_page
