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
            _c(
                "status",
                str,
                "running; finished; failed (a site could not be crawled); interrupted (Ctrl-C, shutdown); "
                "killed (the process died: found running by the next crawl). Per site: site_crawls.",
            ),
            _c("finish_reason", str, "Scrapy's close reason (finished, shutdown, closespider_...)."),
            _c("arguments", str, "The spider arguments as JSON (urls, urls_file, ...)."),
            _c("requests", int, "Requests sent."),
            _c("responses", int, "Responses received."),
            _c("posts_saved", int, "Posts and pages written in this run."),
            _c("comments_saved", int, "Comments, pingbacks and trackbacks written in this run."),
            _c("items_dropped", int, "Items dropped by validation (reasons in the log and stats)."),
            _c("errors", int, "Errors: failed downloads, unparseable pages, spider exceptions."),
            _c("stats", str, "All of Scrapy's crawl stats as JSON."),
            _c("pid", int, "The crawling process's id (to tell a killed crawl from a running one)."),
            _c("sites_crawled", int, "Sites crawled, completely or in part (see site_crawls)."),
            _c("sites_failed", int, "Sites that could not be crawled: down, refusing, 5xx (see site_crawls)."),
            _c("posts_new", int, "Posts and pages archived for the first time."),
            _c("posts_changed", int, "Posts whose title, text or terms changed (a new post_versions row), or back."),
            _c("posts_unchanged", int, "Posts seen or confirmed unchanged (listed, re-fetched or answered 304)."),
            _c("posts_missing", int, "Posts newly marked missing: gone from a complete listing, or 404/410."),
            _c("comments_new", int, "Comments, pingbacks and trackbacks archived for the first time."),
            _c("comments_changed", int, "Comments whose author, date or text changed, or that came back."),
            _c("comments_unchanged", int, "Comments seen again, or confirmed unchanged without a re-fetch."),
            _c("comments_missing", int, "Comments newly marked missing: absent from their re-fetched post."),
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
            _c(
                "course_end",
                str,
                "When the course ended (ISO date), set by hand; NULL means the date of its last post.",
            ),
        ),
        pk="id",
        foreign_keys=(("first_crawl", "crawls", "id"), ("last_crawl", "crawls", "id")),
        indexes=((("url",), True),),
    ),
    Table(
        "people",
        "One row per person per site: the post and comment authors joined by what WordPress marks "
        "(the REST user id, the user's slug in `comment-author-<slug>` and `/author/<slug>/`, the name "
        "as shown), with their role. Rebuilt after every crawl of the site; a role set by hand stays.",
        (
            _c("id", int, "Person number (stable across crawls)."),
            _c("site_id", int, "The blog."),
            _c("name", str, "The name as the pages show it most often."),
            _c("slug", str, "The WordPress user's slug (user_nicename), when marked."),
            _c("user_id", int, "The WordPress user id, when the REST API gave it."),
            _c("url", str, "Their author archive page, or the website they gave with a comment."),
            _c(
                "identity",
                str,
                "The strongest signal they were first known by (user:ID, slug:SLUG, name:NAME, ping:HOST); "
                "pseudonyms in exports are made from it.",
            ),
            _c(
                "role",
                str,
                "instructor, student, guest or external (pingbacks and trackbacks); NULL for a registered "
                "user when the site's pages do not name their authors (who may publish pages is not known).",
            ),
            _c(
                "role_source",
                str,
                "Why: set by hand (wparchive people --set-role), crawl argument (-a instructors=...), or the "
                "WordPress signal it was read from (wrote a page: only editors and administrators can; a "
                "registered user; a guest comment; a pingback).",
            ),
            _c("posts", int, "Posts and pages they wrote (present in the archive: not missing)."),
            _c("comments", int, "Comments (and pings) they wrote (present in the archive: not missing)."),
        ),
        pk="id",
        foreign_keys=(("site_id", "sites", "id"),),
        indexes=((("site_id", "identity"), True),),
    ),
    Table(
        "takedowns",
        "Every `wparchive forget`: whom (by person number, never by name), when, why, and what was removed.",
        (
            _c("id", int, "Takedown number."),
            _c("requested", str, "When it was carried out (UTC, ISO 8601)."),
            _c("site_id", int, "The blog the person was forgotten on."),
            _c("person_id", int, "The person's number (people.id); their row keeps only the role."),
            _c("reason", str, "The reason given (--reason)."),
            _c("posts", int, "Posts and pages turned into tombstones."),
            _c("comments", int, "Comments turned into tombstones."),
            _c("versions", int, "Post versions deleted."),
            _c("mentions", int, "Other rows in which their name was masked."),
            _c("media", int, "Files of their posts removed."),
            _c("records", int, "WARC records redacted in the crawls' WACZ files."),
        ),
        pk="id",
        foreign_keys=(("site_id", "sites", "id"),),
    ),
    Table(
        "blocked_people",
        "Who must never be archived again (after a takedown): salted hashes of their user id, slug, name "
        "and URL per site, so that the list itself does not hold their name.",
        (
            _c("site_id", int, "The blog."),
            _c("kind", str, "user, slug, name or url."),
            _c("digest", str, "SHA-256 of the site's URL, the kind and the value."),
            _c("takedown_id", int, "The takedown that added it."),
        ),
        pk=("site_id", "kind", "digest"),
        foreign_keys=(("site_id", "sites", "id"), ("takedown_id", "takedowns", "id")),
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
            _c("author_url", str, "The author's archive page (`/author/<slug>/`), as the page or the API links it."),
            _c("author_slug", str, "The author's WordPress slug (user_nicename)."),
            _c("author_user_id", int, "The author's WordPress user id (from the REST API)."),
            _c("person_id", int, "The author as a person of the site (people.id)."),
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
            _c(
                "last_crawl",
                int,
                "The most recent crawl that saw this post (fetched it, listed it, or got 304 for it).",
            ),
            _c(
                "missing_since",
                int,
                "The crawl that found the post gone (absent from a complete listing, or 404/410); "
                "NULL while present. An observation, not a claim it was deleted; never deleted here.",
            ),
            _c("content_hash", str, "Hash of title, author, dates, terms and content: a change adds a version."),
            _c(
                "forgotten",
                int,
                "The takedown that removed this post's author (takedowns.id): the row is a tombstone, "
                "its title, text and author gone; NULL otherwise.",
            ),
        ),
        pk="id",
        foreign_keys=(
            ("person_id", "people", "id"),
            ("forgotten", "takedowns", "id"),
            ("site_id", "sites", "id"),
            ("first_crawl", "crawls", "id"),
            ("last_crawl", "crawls", "id"),
            ("missing_since", "crawls", "id"),
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
            _c("author_slug", str, "A registered commenter's WordPress slug (the `comment-author-<slug>` class)."),
            _c("author_user_id", int, "A registered commenter's WordPress user id (from the REST API)."),
            _c("registered", int, "1 when WordPress marks the commenter as a registered user (`byuser`, a user id)."),
            _c("by_post_author", int, "1 when WordPress marks the comment as the post author's (`bypostauthor`)."),
            _c("person_id", int, "The commenter as a person of the site (people.id)."),
            _c("published", str, "When the comment was posted, ISO 8601 (offset when known)."),
            _c("type", str, "comment, pingback or trackback."),
            _c("content_html", str, "The comment as sanitised HTML."),
            _c("content_text", str, "The comment as plain text."),
            _c("sources", str, "Where it was captured, comma-separated: html, rest."),
            _c("key", str, "Identity within the post: wp:ID, or h:HASH when the markup has no id."),
            _c("first_crawl", int, "The crawl that first archived this comment (first seen)."),
            _c(
                "last_crawl",
                int,
                "The most recent crawl that saw this comment (last seen), or confirmed its post unchanged.",
            ),
            _c(
                "missing_since",
                int,
                "The crawl whose fresh copy of the post no longer showed this comment; NULL while present. "
                "A comment whose post was not re-fetched is never marked missing.",
            ),
            _c("content_hash", str, "Hash of author, date, parent, type and text, to tell a changed comment."),
            _c(
                "forgotten",
                int,
                "The takedown that removed its author (takedowns.id): a tombstone that keeps the thread's "
                "shape (id, parent, depth, position), its author, date and text gone; NULL otherwise.",
            ),
        ),
        pk="id",
        foreign_keys=(
            ("person_id", "people", "id"),
            ("forgotten", "takedowns", "id"),
            ("post_id", "posts", "id"),
            ("parent_id", "comments", "id"),
            ("first_crawl", "crawls", "id"),
            ("last_crawl", "crawls", "id"),
            ("missing_since", "crawls", "id"),
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
    Table(
        "site_crawls",
        "One row per site and crawl: how it went, how it was read, and what it found.",
        (
            _c("id", int, "Row number."),
            _c("crawl_id", int, "The crawl."),
            _c("site_id", int, "The site (NULL when a site that was never archived could not be reached)."),
            _c("url", str, "The URL the crawl started from for this site."),
            _c(
                "status",
                str,
                "complete (every listing and page answered); partial (something failed: nothing was marked "
                "missing, and the next crawl starts from the last complete one); failed (the site was down); "
                "interrupted.",
            ),
            _c(
                "mode",
                str,
                "full (every page fetched); resume (everything listed, archived posts that are up to date not "
                "re-fetched: no complete crawl yet); incremental (only what changed since the last complete "
                "crawl); single (one post).",
            ),
            _c(
                "discovery",
                str,
                "How posts were listed: rest, rest_route, sitemap, feed or html; feed+html when the feed "
                "could not be read to its end and the blog's own links were followed as well.",
            ),
            _c(
                "listing_proof",
                str,
                "The rule by which the listing was complete: REST totals reached, every sitemap read, feed "
                "read to its end, link graph exhausted, single post. NULL: not proven (the crawl is partial "
                "and marks nothing missing).",
            ),
            _c(
                "site_clock",
                str,
                "The site's own clock (HTTP Date) when this crawl began: the next incremental crawl asks "
                "for what changed after the last complete crawl's site_clock.",
            ),
            _c("requests", int, "Requests the spider sent for this site (robots.txt not counted)."),
            _c(
                "rest_comment_total",
                int,
                "The REST API's comment total (X-WP-Total) this crawl saw; it also counts comments on "
                "password-protected and private posts, which the API does not list.",
            ),
            _c("error", str, "Why the site failed or was partial."),
            _c("posts_new", int, "Posts archived for the first time."),
            _c("posts_changed", int, "Posts that changed or came back."),
            _c("posts_unchanged", int, "Posts seen or confirmed unchanged."),
            _c("posts_missing", int, "Posts newly marked missing."),
            _c("comments_new", int, "Comments archived for the first time."),
            _c("comments_changed", int, "Comments that changed or came back."),
            _c("comments_unchanged", int, "Comments seen or confirmed unchanged."),
            _c("comments_missing", int, "Comments newly marked missing."),
        ),
        pk="id",
        foreign_keys=(("crawl_id", "crawls", "id"), ("site_id", "sites", "id")),
        indexes=((("site_id", "crawl_id"), False), (("crawl_id",), False)),
    ),
    Table(
        "post_versions",
        "Every version of a post the archive has seen: a row is added only when something changed.",
        (
            _c("post_id", int, "The post."),
            _c("crawl_id", int, "The crawl that saw this version first."),
            _c("content_hash", str, "Hash of the fields below (posts.content_hash of the current version)."),
            _c("title", str, "Title."),
            _c("author", str, "Author's display name."),
            _c("published", str, "Publication date."),
            _c("modified", str, "Modification date the site stated."),
            _c("terms", str, "Categories and tags as a JSON array of [taxonomy, name]."),
            _c("content_html", str, "The content as sanitised HTML."),
            _c("content_text", str, "The content as plain text."),
        ),
        pk=("post_id", "crawl_id"),
        foreign_keys=(("post_id", "posts", "id"), ("crawl_id", "crawls", "id")),
    ),
    Table(
        "changes",
        "What each crawl found new, changed, missing or back, one row per post or comment.",
        (
            _c("id", int, "Row number."),
            _c("crawl_id", int, "The crawl that found the change."),
            _c("site_id", int, "The site."),
            _c("post_id", int, "The post (for a comment: its post)."),
            _c("comment_id", int, "The comment; NULL for a change to the post itself."),
            _c("kind", str, "post or comment."),
            _c("change", str, "new, changed, missing (gone from a complete listing or a fresh page) or back."),
        ),
        pk="id",
        foreign_keys=(
            ("crawl_id", "crawls", "id"),
            ("site_id", "sites", "id"),
            ("post_id", "posts", "id"),
            ("comment_id", "comments", "id"),
        ),
        indexes=((("crawl_id", "site_id"), False), (("post_id",), False)),
    ),
    Table(
        "url_state",
        "What the last fetch of a URL said, for conditional requests and sitemap lastmod.",
        (
            _c("url", str, "The URL as listed or requested."),
            _c("site_id", int, "The site."),
            _c("post_id", int, "The post the URL shows, when it is a post page."),
            _c("etag", str, "The ETag the server sent (sent back as If-None-Match)."),
            _c("last_modified", str, "The Last-Modified the server sent (sent back as If-Modified-Since)."),
            _c("lastmod", str, "The sitemap's lastmod for the URL when the page was archived."),
            _c(
                "links",
                str,
                "For an HTML listing page: its in-scope links and those it marks as posts (JSON), so that "
                "a 304 for it stands for the page on the next crawl.",
            ),
            _c("crawl_id", int, "The crawl that stored these."),
        ),
        pk="url",
        foreign_keys=(("site_id", "sites", "id"), ("post_id", "posts", "id"), ("crawl_id", "crawls", "id")),
        indexes=((("site_id",), False), (("post_id",), False)),
    ),
    Table(
        "media",
        "Files kept with the posts (images, featured images, attachments): their bytes are in a crawl's"
        " WACZ file; one row a URL.",
        (
            _c("id", int, "Media number."),
            _c("site_id", int, "The site."),
            _c("post_id", int, "The post the file was first found in."),
            _c("url", str, "The file's URL."),
            _c("content_type", str, "Its type, as the server said."),
            _c("bytes", int, "Its size."),
            _c("sha256", str, "The SHA-256 of its bytes (the same file at two URLs has the same)."),
            _c("alt", str, "The image's alt text in the post."),
            _c("caption", str, "The image's caption in the post."),
            _c("wacz", str, "The WACZ file that holds it."),
            _c("record_id", str, "Its response record's WARC-Record-ID."),
            _c("first_crawl", int, "The crawl that fetched it."),
            _c("last_crawl", int, "The last crawl that saw a post show it."),
        ),
        pk="id",
        foreign_keys=(
            ("site_id", "sites", "id"),
            ("post_id", "posts", "id"),
            ("first_crawl", "crawls", "id"),
            ("last_crawl", "crawls", "id"),
        ),
        indexes=((("site_id", "url"), True), (("post_id",), False), (("sha256",), False)),
    ),
    Table(
        "captures",
        "Where each crawl kept the pages a post was read from, as WARC records in a WACZ file (one a crawl,"
        " in the folder beside the archive: `archive/archive.wacz/` for `archive/archive.db`).",
        (
            _c("crawl_id", int, "The crawl that fetched the page."),
            _c("url", str, "The page's URL as fetched."),
            _c("post_id", int, "The post the page shows."),
            _c("kind", str, "post page or comment page."),
            _c("wacz", str, "The WACZ file's name in the capture folder."),
            _c("record_id", str, "The response record's WARC-Record-ID."),
            _c("digest", str, "The response record's WARC-Payload-Digest (sha1, base32)."),
        ),
        pk=("crawl_id", "url"),
        foreign_keys=(("post_id", "posts", "id"), ("crawl_id", "crawls", "id")),
        indexes=((("post_id",), False),),
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
    "integrity": (
        "Posts where the declared count, the REST count and the captured comments disagree, or a "
        "reply's parent was not captured (missing_ids), or comments live elsewhere or were not all fetched.",
        """
        SELECT p.id AS post_id, p.url, p.title, p.comment_count_declared AS declared,
          p.comment_count_rest AS rest, p.comment_count_captured AS captured,
          (SELECT json_group_array(DISTINCT c.parent_wp_id) FROM comments c
             WHERE c.post_id = p.id AND c.parent_wp_id IS NOT NULL AND c.parent_id IS NULL) AS missing_ids,
          p.external_comments, p.comments_complete
        FROM posts p
        WHERE (p.comment_count_declared IS NOT NULL
               AND p.comment_count_declared != p.comment_count_captured)
           OR (p.comment_count_rest IS NOT NULL AND p.comment_count_rest > (
               SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.type = 'comment'))
           OR EXISTS (SELECT 1 FROM comments c
                      WHERE c.post_id = p.id AND c.parent_wp_id IS NOT NULL AND c.parent_id IS NULL)
           OR p.external_comments IS NOT NULL OR p.comments_complete = 0
        """,
    ),
}

# Views about crawls and history. Kept apart from VIEWS so that the Datasette metadata's view
# column descriptions (archive/datasette.py) can pick them up on their own schedule.
HISTORY_VIEWS: dict[str, tuple[str, str]] = {
    "last_crawl_changes": (
        "What changed in the last crawl of each site: new, changed, missing and returning posts and comments.",
        """
        SELECT ch.crawl_id, cr.started AS crawled, s.name AS site, ch.kind, ch.change, ch.post_id,
          p.title AS post_title, ch.comment_id, c.author AS comment_author,
          CASE WHEN ch.kind = 'comment' THEN c.published ELSE p.published END AS published,
          CASE WHEN ch.kind = 'comment' THEN c.content_text END AS comment_text, p.url
        FROM changes ch
        JOIN sites s ON s.id = ch.site_id
        JOIN crawls cr ON cr.id = ch.crawl_id
        JOIN posts p ON p.id = ch.post_id
        LEFT JOIN comments c ON c.id = ch.comment_id
        WHERE ch.crawl_id = (SELECT max(sc.crawl_id) FROM site_crawls sc WHERE sc.site_id = ch.site_id)
        """,
    ),
    "late_comments": (
        "Comments that appeared after the course ended (sites.course_end, else the date of the site's "
        "last post), with how many days after and when the archive first saw them.",
        """
        WITH course AS (
          SELECT s.id AS site_id, s.name AS site, coalesce(s.course_end, (
            SELECT max(substr(p.published, 1, 10)) FROM posts p
            WHERE p.site_id = s.id AND p.type = 'post' AND p.missing_since IS NULL)) AS course_end
          FROM sites s
        )
        SELECT c.id AS comment_id, course.site, course.course_end, c.post_id, p.title AS post_title,
          c.author, c.type, c.published,
          CAST(julianday(substr(c.published, 1, 10)) - julianday(course.course_end) AS INTEGER) AS days_after,
          c.first_crawl, cr.started AS first_seen, c.missing_since, c.content_text
        FROM comments c
        JOIN posts p ON p.id = c.post_id
        JOIN course ON course.site_id = p.site_id
        LEFT JOIN crawls cr ON cr.id = c.first_crawl
        WHERE substr(c.published, 1, 10) > course.course_end
        """,
    ),
    "missing": (
        "Posts and comments that are currently marked missing, and since which crawl.",
        """
        SELECT 'post' AS kind, p.id AS post_id, NULL AS comment_id, s.name AS site, p.title,
          p.author, p.published, p.missing_since, cr.started AS missing_since_date, p.url
        FROM posts p JOIN sites s ON s.id = p.site_id JOIN crawls cr ON cr.id = p.missing_since
        WHERE p.missing_since IS NOT NULL
        UNION ALL
        SELECT 'comment', c.post_id, c.id, s.name, p.title, c.author, c.published, c.missing_since,
          cr.started, p.url
        FROM comments c JOIN posts p ON p.id = c.post_id JOIN sites s ON s.id = p.site_id
        JOIN crawls cr ON cr.id = c.missing_since
        WHERE c.missing_since IS NOT NULL
        """,
    ),
}

HISTORY_VIEW_COLUMNS: dict[str, dict[str, str]] = {
    "last_crawl_changes": {
        "crawl_id": "The crawl (crawls.id): the site's last one.",
        "crawled": "When that crawl started.",
        "site": "The blog's name.",
        "kind": "post or comment.",
        "change": "new, changed, missing or back.",
        "post_id": "The post (posts.id).",
        "post_title": "Its title.",
        "comment_id": "The comment (comments.id), for comment changes.",
        "comment_author": "The commenter.",
        "published": "When the post or comment was published.",
        "comment_text": "The comment's text.",
        "url": "The post's URL.",
    },
    "late_comments": {
        "comment_id": "The comment (comments.id).",
        "site": "The blog's name.",
        "course_end": "The course's end date used (sites.course_end, else the last post's date).",
        "post_id": "The post (posts.id).",
        "post_title": "Its title.",
        "author": "The commenter.",
        "type": "comment, pingback or trackback.",
        "published": "When the comment was posted.",
        "days_after": "Days between the course's end and the comment.",
        "first_crawl": "The crawl that first archived it.",
        "first_seen": "When that crawl started.",
        "missing_since": "The crawl that found it gone, if it is.",
        "content_text": "The comment's text.",
    },
    "missing": {
        "kind": "post or comment.",
        "post_id": "The post (posts.id).",
        "comment_id": "The comment (comments.id), for comments.",
        "site": "The blog's name.",
        "title": "The post's title.",
        "author": "The post's or comment's author.",
        "published": "When it was published.",
        "missing_since": "The crawl that found it gone.",
        "missing_since_date": "When that crawl started.",
        "url": "The post's URL.",
    },
}
