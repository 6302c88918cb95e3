"""The archive's schema as data: tables, columns, keys and the words that document them.

`ensure_db_shape` builds the database from these constants; the Datasette metadata and the
README's schema section are generated from them too, so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    type: type
    description: str


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    pk: str | tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = ()
    indexes: tuple[tuple[tuple[str, ...], bool], ...] = ()  # (columns, unique)


def _c(name: str, kind: type, description: str) -> Column:
    return Column(name, kind, description)


TABLES: tuple[Table, ...] = (
    Table(
        "crawls",
        "One row per run of the spider, with what it did.",
        (
            _c("id", int, "Crawl number, in order of starting."),
            _c("started", str, "When the run started (UTC, ISO 8601)."),
            _c(
                "finished",
                str,
                "When the run ended (UTC, ISO 8601); NULL while running or if killed.",
            ),
            _c("status", str, "running, finished, interrupted (Ctrl-C / shutdown) or failed."),
            _c("finish_reason", str, "Scrapy's close reason (finished, shutdown, closespider_...)."),
            _c("arguments", str, "The spider arguments as JSON (urls, urls_file, ...)."),
            _c("requests", int, "Requests sent."),
            _c("responses", int, "Responses received."),
            _c("posts_saved", int, "Posts and pages written in this run."),
            _c("comments_saved", int, "Comments, pingbacks and trackbacks written in this run."),
            _c("items_dropped", int, "Items dropped by validation (reasons in the log and stats)."),
            _c("errors", int, "Errors: failed downloads, unparseable pages, spider exceptions."),
            _c("stats", str, "All of Scrapy's crawl stats as JSON."),
        ),
        pk="id",
    ),
    Table(
        "sites",
        "The blogs that have been archived, one row per home URL.",
        (
            _c("id", int, "Site number."),
            _c("url", str, "The blog's home URL (scheme, host and path prefix)."),
            _c("name", str, "The blog's name as its pages show it."),
            _c(
                "discovery",
                str,
                "How posts were found: rest, rest_route, sitemap, feed, html or single.",
            ),
            _c("first_crawl", int, "The crawl that first archived this site."),
            _c("last_crawl", int, "The most recent crawl of this site."),
        ),
        pk="id",
        foreign_keys=(("first_crawl", "crawls", "id"), ("last_crawl", "crawls", "id")),
        indexes=((("url",), True),),
    ),
    Table(
        "posts",
        "Posts and pages, with their content as sanitised HTML and as plain text.",
        (
            _c("id", int, "Post number in this archive (not WordPress's id: see wp_id)."),
            _c("site_id", int, "The blog this post belongs to."),
            _c("wp_id", int, "WordPress's own post id, when the page or the REST API gives it."),
            _c("type", str, "post or page."),
            _c("url", str, "The post's canonical URL."),
            _c("title", str, "Title."),
            _c("author", str, "Author's display name."),
            _c("published", str, "Publication date, ISO 8601, with the UTC offset when known."),
            _c("modified", str, "Last modification date when the site states it, ISO 8601."),
            _c("year", int, "Year of publication (for facets)."),
            _c(
                "content_html",
                str,
                "The content as sanitised HTML (no scripts, handlers or javascript: URLs).",
            ),
            _c("content_text", str, "The content as plain text, a blank line between paragraphs."),
            _c(
                "comment_count_declared",
                int,
                'The number of responses the page states ("3 Responses to ...").',
            ),
            _c(
                "comment_count_rest",
                int,
                "The number of comments the REST API reports for this post, when used.",
            ),
            _c(
                "comment_count_captured",
                int,
                "Comments, pingbacks and trackbacks archived for this post.",
            ),
            _c(
                "external_comments",
                str,
                "disqus, facebook, ... when comments live outside the HTML (not archived).",
            ),
            _c(
                "protected",
                int,
                "1 when the post is password-protected (title archived, content not).",
            ),
            _c("comments_complete", int, "0 when some comment pages could not be fetched."),
            _c(
                "sources",
                str,
                "Where the post's data came from, comma-separated: rest, html, sitemap, feed.",
            ),
            _c("first_crawl", int, "The crawl that first archived this post."),
            _c("last_crawl", int, "The most recent crawl that saw this post."),
        ),
        pk="id",
        foreign_keys=(
            ("site_id", "sites", "id"),
            ("first_crawl", "crawls", "id"),
            ("last_crawl", "crawls", "id"),
        ),
        indexes=(
            (("site_id", "url"), True),
            (("site_id", "wp_id"), False),
            (("published",), False),
            (("author",), False),
        ),
    ),
    Table(
        "comments",
        "Comments, pingbacks and trackbacks, with their place in the reply tree.",
        (
            _c("id", int, "Comment number in this archive."),
            _c("post_id", int, "The post the comment belongs to."),
            _c(
                "wp_id",
                int,
                "WordPress's own comment id (from comment-N in the markup or the REST API).",
            ),
            _c(
                "parent_id",
                int,
                "The comment this one replies to (comments.id); NULL at the top level.",
            ),
            _c(
                "parent_wp_id",
                int,
                "WordPress id of the parent comment, as the markup or the API gives it.",
            ),
            _c("depth", int, "1 at the top level, 2 for a reply, and so on."),
            _c("position", int, "Order of the comment on the post's pages (page order)."),
            _c("author", str, "Commenter's name as shown; for pingbacks, the linking site."),
            _c("author_url", str, "Commenter's website, or the linking page for pingbacks."),
            _c("published", str, "When the comment was posted, ISO 8601 (offset when known)."),
            _c("type", str, "comment, pingback or trackback."),
            _c("content_html", str, "The comment as sanitised HTML."),
            _c("content_text", str, "The comment as plain text."),
            _c("sources", str, "Where it was captured, comma-separated: html, rest."),
            _c("key", str, "Identity within the post: wp:ID, or h:HASH when the markup has no id."),
            _c("first_crawl", int, "The crawl that first archived this comment."),
            _c("last_crawl", int, "The most recent crawl that saw this comment."),
        ),
        pk="id",
        foreign_keys=(
            ("post_id", "posts", "id"),
            ("parent_id", "comments", "id"),
            ("first_crawl", "crawls", "id"),
            ("last_crawl", "crawls", "id"),
        ),
        indexes=(
            (("post_id", "key"), True),
            (("post_id", "wp_id"), False),
            (("parent_id",), False),
            (("published",), False),
            (("author",), False),
        ),
    ),
    Table(
        "breadcrumbs",
        "Each post's breadcrumb trail, one row per crumb, in order.",
        (
            _c("post_id", int, "The post."),
            _c("position", int, "1 for the first crumb (usually Home)."),
            _c("label", str, "The crumb's text."),
            _c("url", str, "Where the crumb links; NULL for the current page."),
        ),
        pk=("post_id", "position"),
        foreign_keys=(("post_id", "posts", "id"),),
    ),
    Table(
        "share_links",
        "The share links a post shows (Digg, Reddit, Twitter, ...), kept as data, never followed.",
        (
            _c("post_id", int, "The post."),
            _c("position", int, "Order on the page."),
            _c("service", str, "Service name in lower case (digg, twitter, email, rss, ...)."),
            _c("url", str, "The share URL exactly as the page has it."),
        ),
        pk=("post_id", "position"),
        foreign_keys=(("post_id", "posts", "id"),),
    ),
    Table(
        "terms",
        "Categories and tags of each site.",
        (
            _c("id", int, "Term number."),
            _c("site_id", int, "The blog."),
            _c("taxonomy", str, "category or post_tag."),
            _c("name", str, "The term's name."),
            _c("url", str, "The term's archive page."),
        ),
        pk="id",
        foreign_keys=(("site_id", "sites", "id"),),
        indexes=((("site_id", "taxonomy", "name"), True),),
    ),
    Table(
        "post_terms",
        "Which post has which categories and tags.",
        (
            _c("post_id", int, "The post."),
            _c("term_id", int, "The category or tag."),
        ),
        pk=("post_id", "term_id"),
        foreign_keys=(("post_id", "posts", "id"), ("term_id", "terms", "id")),
    ),
    Table(
        "images",
        "Images in post content, with captions.",
        (
            _c("post_id", int, "The post."),
            _c("position", int, "Order in the content."),
            _c("src", str, "Image URL."),
            _c("alt", str, "Alternative text."),
            _c("caption", str, "Caption (figcaption / wp-caption-text)."),
        ),
        pk=("post_id", "position"),
        foreign_keys=(("post_id", "posts", "id"),),
    ),
)

TABLES_BY_NAME = {table.name: table for table in TABLES}

FTS: dict[str, tuple[str, ...]] = {
    "posts": ("title", "content_text"),
    "comments": ("author", "content_text"),
}

VIEWS: dict[str, tuple[str, str]] = {
    "post_index": (
        "One row per post with its site, year, categories and tags, for faceted browsing.",
        """
        SELECT p.id, s.name AS site, p.type, p.title, p.author, p.published, p.year,
          (SELECT json_group_array(t.name) FROM post_terms pt JOIN terms t ON t.id = pt.term_id
             WHERE pt.post_id = p.id AND t.taxonomy = 'category') AS categories,
          (SELECT json_group_array(t.name) FROM post_terms pt JOIN terms t ON t.id = pt.term_id
             WHERE pt.post_id = p.id AND t.taxonomy = 'post_tag') AS tags,
          p.comment_count_captured AS comments, p.url
        FROM posts p JOIN sites s ON s.id = p.site_id
        """,
    ),
    "comment_integrity": (
        "Posts where the declared count, the REST count and the captured comments disagree.",
        """
        SELECT p.id AS post_id, p.url, p.title, p.comment_count_declared AS declared,
          p.comment_count_rest AS rest, p.comment_count_captured AS captured,
          p.external_comments, p.comments_complete
        FROM posts p
        WHERE (p.comment_count_declared IS NOT NULL
               AND p.comment_count_declared != p.comment_count_captured)
           OR (p.comment_count_rest IS NOT NULL AND p.comment_count_rest > (
               SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.type = 'comment'))
           OR p.external_comments IS NOT NULL OR p.comments_complete = 0
        """,
    ),
}
