"""Research SQL: the views, indexes and canned queries that answer questions about an archive.

Everything here is plain SQL over the tables in `archive.schema`. `ensure_research_shape(db)` adds
the views and indexes (idempotent, cheap on a shaped archive); the canned queries are published in
Datasette's metadata by `archive.datasette`, and the pages of the Datasette plugin run the same SQL.

Most queries take a `:site` parameter: a site's id, name or home URL, or empty for every site.
They start from the `sites` table and walk sites → posts → comments by index; `CROSS JOIN` fixes
that order (SQLite never reorders a CROSS JOIN), so that one site's question reads only that site's
rows instead of scanning every comment of the archive.
"""

from __future__ import annotations

import re
from typing import Any

import sqlite_utils

# The sites a query covers: `:site` is an id, a name or a home URL; empty means all.
SITES_IN_SCOPE = """
sites_in_scope AS NOT MATERIALIZED (
  SELECT id FROM sites
  WHERE :site = '' OR id = :site OR name = :site OR url = :site
)""".strip()

# Monday of the week of an ISO date, read as the blog's local date (the offset is ignored).
WEEK_OF = "date(substr({column}, 1, 10), 'weekday 0', '-6 days')"

RESEARCH_VIEWS: dict[str, tuple[str, str]] = {
    "comment_index": (
        "One row per comment, pingback or trackback with its site, post and year, for faceted "
        "browsing (facets: site, type, author, year, depth).",
        """
        SELECT c.id, s.name AS site, c.post_id, p.title AS post_title, c.author, c.type, c.depth,
          c.published, CAST(substr(c.published, 1, 4) AS INTEGER) AS year, c.content_text
        FROM comments c JOIN posts p ON p.id = c.post_id JOIN sites s ON s.id = p.site_id
        """,
    ),
    "post_terms_index": (
        "One row per post and category or tag, for facets on term and counting posts per term.",
        """
        SELECT pt.post_id, s.name AS site, t.taxonomy, t.name AS term, p.title, p.author, p.year
        FROM post_terms pt JOIN terms t ON t.id = pt.term_id JOIN posts p ON p.id = pt.post_id
        JOIN sites s ON s.id = p.site_id
        """,
    ),
    "instructor_replies": (
        "Every comment by an instructor (people.role), with whom it answers: the author of the comment it "
        "replies to, or of the post when it is top-level, and that person's role.",
        """
        SELECT c.id AS comment_id, s.name AS site, c.post_id, p.title AS post_title, instructor.name AS instructor,
          c.published, CASE WHEN c.parent_id IS NULL THEN 'post' ELSE 'comment' END AS answers,
          answered.name AS answered, answered.role AS answered_role, c.content_text
        FROM comments c
        JOIN people instructor ON instructor.id = c.person_id AND instructor.role = 'instructor'
        JOIN posts p ON p.id = c.post_id JOIN sites s ON s.id = p.site_id
        LEFT JOIN comments parent ON parent.id = c.parent_id
        LEFT JOIN people answered
          ON answered.id = CASE WHEN c.parent_id IS NULL THEN p.person_id ELSE parent.person_id END
        WHERE c.type = 'comment'
        """,
    ),
    "student_replies": (
        "Student-to-student replies: a student's comment answering another student's comment, or "
        "another student's post when it is top-level (roles from people).",
        """
        SELECT c.id AS comment_id, s.name AS site, c.post_id, p.title AS post_title, student.name AS student,
          c.published, CASE WHEN c.parent_id IS NULL THEN 'post' ELSE 'comment' END AS answers,
          answered.name AS answered, c.content_text
        FROM comments c
        JOIN people student ON student.id = c.person_id AND student.role = 'student'
        JOIN posts p ON p.id = c.post_id JOIN sites s ON s.id = p.site_id
        LEFT JOIN comments parent ON parent.id = c.parent_id
        JOIN people answered
          ON answered.id = CASE WHEN c.parent_id IS NULL THEN p.person_id ELSE parent.person_id END
        WHERE c.type = 'comment' AND answered.role = 'student' AND answered.id != student.id
        """,
    ),
    "response_times": (
        "For each student's post: when it got its first comment from someone else and its first from an "
        "instructor, in hours after it was published (dates with their UTC offsets where the site gave them).",
        """
        WITH firsts AS (
          SELECT p.id AS post_id,
            (SELECT min(julianday(c.published)) FROM comments c
               WHERE c.post_id = p.id AND c.type = 'comment' AND c.person_id IS NOT p.person_id) AS first_day,
            (SELECT min(julianday(c.published)) FROM comments c JOIN people x ON x.id = c.person_id
               WHERE c.post_id = p.id AND c.type = 'comment' AND x.role = 'instructor') AS instructor_day
          FROM posts p JOIN people author ON author.id = p.person_id
          WHERE p.type = 'post' AND author.role = 'student'
        )
        SELECT p.id AS post_id, s.name AS site, p.title, author.name AS student, p.published,
          datetime(f.first_day) AS first_response,
          round((f.first_day - julianday(p.published)) * 24, 1) AS hours_to_first_response,
          datetime(f.instructor_day) AS first_instructor_response,
          round((f.instructor_day - julianday(p.published)) * 24, 1) AS hours_to_instructor_response
        FROM firsts f JOIN posts p ON p.id = f.post_id JOIN people author ON author.id = p.person_id
        JOIN sites s ON s.id = p.site_id
        """,
    ),
}

# (table, columns): what the research queries need beyond the indexes in archive.schema.
RESEARCH_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Posts of one site in date order (weekly activity, last post of the course).
    ("posts", ("site_id", "type", "published")),
    # A post's comments with what the thread, the network and activity queries read, by index.
    ("comments", ("post_id", "parent_id", "type", "author", "published")),
    # The deepest and the most discussed threads, for the front page.
    ("comments", ("depth", "post_id")),
    ("posts", ("comment_count_captured",)),
)


# Summaries the archive-wide questions read instead of every comment: rebuilt from the tables
# at the end of every crawl and before serving (`refresh_research_summaries`), so they are never
# older than the rows Datasette shows. (name: (description, columns described, SELECT)).
RESEARCH_SUMMARIES: dict[str, tuple[str, dict[str, str], str]] = {
    "research_reply_edges": (
        "Who replies to whom on each site (a comment answering a comment), counted: the summary "
        "behind the reply_network query, rebuilt after every crawl.",
        {
            "site_id": "The blog (sites.id).",
            "replier": "Author of the reply.",
            "replied_to": "Author of the comment replied to.",
            "replies": "Replies from replier to replied_to.",
            "posts": "Posts on which they happened.",
            "first_reply": "Date of the first such reply.",
            "last_reply": "Date of the last such reply.",
        },
        """
        SELECT p.site_id, c.author AS replier, parent.author AS replied_to, count(*) AS replies,
          count(DISTINCT c.post_id) AS posts, min(c.published) AS first_reply, max(c.published) AS last_reply
        FROM comments c JOIN posts p ON p.id = c.post_id JOIN comments parent ON parent.id = c.parent_id
        WHERE c.type = 'comment' AND parent.type = 'comment'
        GROUP BY p.site_id, c.author, parent.author
        """,
    ),
    "research_post_weeks": (
        "Posts per site and week (Monday): the summary behind weekly_activity, rebuilt after every crawl.",
        {"site_id": "The blog (sites.id).", "week": "Monday of the week.", "n": "Posts published that week."},
        f"""
        SELECT p.site_id, {WEEK_OF.format(column="p.published")} AS week, count(*) AS n
        FROM posts p WHERE p.type = 'post' AND p.published IS NOT NULL
        GROUP BY 1, 2
        """,
    ),
    "research_comment_weeks": (
        "Comments and pings per site and week (Monday): the summary behind weekly_activity, rebuilt after every crawl.",
        {
            "site_id": "The blog (sites.id).",
            "week": "Monday of the week.",
            "comments": "Comments posted that week.",
            "pingbacks": "Pingbacks and trackbacks that week.",
        },
        f"""
        SELECT p.site_id, {WEEK_OF.format(column="c.published")} AS week,
          sum(c.type = 'comment') AS comments, sum(c.type != 'comment') AS pingbacks
        FROM comments c JOIN posts p ON p.id = c.post_id
        WHERE c.published IS NOT NULL
        GROUP BY 1, 2
        """,
    ),
    "research_people": (
        "Per site and person: posts written, comments written, comments received on their posts and "
        "replies received to their comments (by others): the summary behind the authors query, "
        "rebuilt after every crawl. Posts only (not pages), comments only (no pingbacks).",
        {
            "site_id": "The blog (sites.id).",
            "author": "The person (post or comment author name).",
            "posts_written": "Posts they wrote.",
            "comments_written": "Comments they wrote (on posts).",
            "comments_received": "Comments by others on their posts.",
            "replies_received": "Replies by others to their comments.",
        },
        """
        WITH scoped_comments AS MATERIALIZED (
          SELECT c.parent_id, c.author, p.site_id, p.author AS post_author, parent.author AS parent_author
          FROM comments c JOIN posts p ON p.id = c.post_id LEFT JOIN comments parent ON parent.id = c.parent_id
          WHERE p.type = 'post' AND c.type = 'comment'
        ),
        counts AS (
          SELECT site_id, author, 1 AS posts_written, 0 AS comments_written, 0 AS comments_received,
            0 AS replies_received
          FROM posts WHERE type = 'post' AND author IS NOT NULL
          UNION ALL
          SELECT site_id, author, 0, 1, 0, 0 FROM scoped_comments WHERE author IS NOT NULL
          UNION ALL
          SELECT site_id, post_author, 0, 0, 1, 0 FROM scoped_comments
          WHERE post_author IS NOT NULL AND author IS NOT post_author
          UNION ALL
          SELECT site_id, parent_author, 0, 0, 0, 1 FROM scoped_comments
          WHERE parent_id IS NOT NULL AND parent_author IS NOT NULL AND author IS NOT parent_author
        )
        SELECT site_id, author, sum(posts_written) AS posts_written, sum(comments_written) AS comments_written,
          sum(comments_received) AS comments_received, sum(replies_received) AS replies_received
        FROM counts GROUP BY site_id, author
        HAVING sum(posts_written) > 0 OR sum(comments_written) > 0
        """,
    ),
    "research_answers": (
        "Per site: who answered whom, a reply counting for the comment's author and a top-level "
        "comment for the post's author (comments on posts only): the summary behind the authors "
        "query's instructor_replies, rebuilt after every crawl.",
        {
            "site_id": "The blog (sites.id).",
            "replier": "Author of the comment.",
            "answered": "Author of the comment it replies to, or of the post when it is top-level.",
            "n": "How many such comments.",
        },
        """
        SELECT p.site_id, c.author AS replier,
          CASE WHEN c.parent_id IS NULL THEN p.author ELSE parent.author END AS answered, count(*) AS n
        FROM comments c JOIN posts p ON p.id = c.post_id LEFT JOIN comments parent ON parent.id = c.parent_id
        WHERE p.type = 'post' AND c.type = 'comment' AND c.author IS NOT NULL
        GROUP BY 1, 2, 3
        """,
    ),
    "research_discussion": (
        "Per post with comments: how many comments (no pingbacks), distinct commenters, the deepest "
        "reply and the last comment: the summary behind the most_discussed query, rebuilt after "
        "every crawl.",
        {
            "site_id": "The blog (sites.id).",
            "post_id": "The post (posts.id).",
            "comments": "Comments on it (pingbacks and trackbacks not counted).",
            "commenters": "Distinct comment authors.",
            "deepest_reply": "Depth of its deepest comment.",
            "last_comment": "Date of its last comment.",
        },
        """
        SELECT p.site_id, c.post_id, count(*) AS comments, count(DISTINCT c.author) AS commenters,
          max(c.depth) AS deepest_reply, max(c.published) AS last_comment
        FROM comments c JOIN posts p ON p.id = c.post_id
        WHERE c.type = 'comment'
        GROUP BY c.post_id
        """,
    ),
}


def ensure_research_shape(db: sqlite_utils.Database) -> None:
    """Create the research views and indexes, and rebuild the summaries. Idempotent."""
    for table, columns in RESEARCH_INDEXES:
        if db[table].exists():
            db[table].create_index(list(columns), if_not_exists=True)
    for name, (_, sql) in RESEARCH_VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)
    refresh_research_summaries(db)


def refresh_research_summaries(db: sqlite_utils.Database) -> None:
    """Rebuild the summary tables from the archive, in one transaction."""
    if not (db["comments"].exists() and db["posts"].exists()):
        return
    with db.atomic():
        for name, (_, _, sql) in RESEARCH_SUMMARIES.items():
            db.execute(f"DROP TABLE IF EXISTS [{name}]")
            db.execute(f"CREATE TABLE [{name}] AS {sql.strip()}")
            db.execute(f"CREATE INDEX [idx_{name}_site] ON [{name}] (site_id)")


THREAD_SQL = """
WITH RECURSIVE thread(id, depth, path) AS (
  SELECT c.id, 1, printf('%08d.%010d', c.position, c.id) FROM comments c
  WHERE c.post_id = :post_id AND c.parent_id IS NULL
  UNION ALL
  SELECT c.id, thread.depth + 1, thread.path || '/' || printf('%08d.%010d', c.position, c.id)
  FROM thread JOIN comments c ON c.parent_id = thread.id
  WHERE thread.depth < 200
)
SELECT c.id AS comment_id, c.post_id, thread.depth,
  -- indented by two em spaces (char 8195, which HTML does not collapse) per level
  CASE WHEN thread.depth > 1
    THEN replace(printf('%.*c', 2 * (thread.depth - 1), '.'), '.', char(8195)) || '↳ ' ELSE ''
  END || CASE WHEN c.forgotten IS NOT NULL THEN '(removed at its author''s request)'
    ELSE coalesce(c.author, '(anonymous)') END AS reply_by,
  parent.author AS replying_to, c.type, c.published, c.content_text,
  CASE WHEN c.parent_id IS NULL AND c.parent_wp_id IS NOT NULL THEN 'parent not archived' END AS note
FROM thread JOIN comments c ON c.id = thread.id LEFT JOIN comments parent ON parent.id = c.parent_id
ORDER BY thread.path
""".strip()

REPLY_NETWORK_SQL = f"""
WITH {SITES_IN_SCOPE}
SELECT s.name AS site, e.replier, e.replied_to, e.replies, e.posts, e.first_reply, e.last_reply
FROM sites_in_scope CROSS JOIN sites s ON s.id = sites_in_scope.id
CROSS JOIN research_reply_edges e ON e.site_id = s.id
ORDER BY e.replies DESC, s.name, e.replier, e.replied_to
""".strip()

AUTHORS_SQL = f"""
WITH {SITES_IN_SCOPE},
roles AS MATERIALIZED (
  SELECT pe.site_id, pe.name, pe.role FROM sites_in_scope CROSS JOIN people pe ON pe.site_id = sites_in_scope.id
),
instructors AS MATERIALIZED (
  SELECT sites_in_scope.id AS site_id, :instructor AS instructor FROM sites_in_scope WHERE :instructor != ''
  UNION
  SELECT site_id, name FROM roles WHERE :instructor = '' AND role = 'instructor'
  UNION
  SELECT sites_in_scope.id, (
    SELECT x.author FROM research_people x WHERE x.site_id = sites_in_scope.id AND x.posts_written > 0
    ORDER BY x.posts_written DESC, x.author LIMIT 1
  )
  FROM sites_in_scope
  WHERE :instructor = ''
    AND NOT EXISTS (SELECT 1 FROM roles r WHERE r.site_id = sites_in_scope.id AND r.role = 'instructor')
    AND EXISTS (SELECT 1 FROM posts x WHERE x.site_id = sites_in_scope.id AND x.type = 'post')
),
ranked AS (
  SELECT s.name AS site, s.id AS site_id, people.*,
    CASE WHEN EXISTS (SELECT 1 FROM instructors i WHERE i.site_id = s.id AND i.instructor = people.author)
      THEN 'instructor'
      ELSE coalesce((SELECT r.role FROM roles r WHERE r.site_id = s.id AND r.name = people.author
                     AND r.role != 'instructor' LIMIT 1), '')
    END AS role
  FROM sites_in_scope CROSS JOIN sites s ON s.id = sites_in_scope.id
  CROSS JOIN research_people people ON people.site_id = s.id
)
SELECT ranked.site, ranked.author, ranked.role,
  ranked.posts_written, ranked.comments_written, ranked.comments_received, ranked.replies_received,
  CASE WHEN ranked.role = 'instructor' THEN NULL ELSE coalesce((
    SELECT sum(answers.n) FROM research_answers answers
    JOIN instructors i ON i.site_id = answers.site_id AND i.instructor = answers.replier
    WHERE answers.site_id = ranked.site_id AND answers.answered = ranked.author
  ), 0) END AS instructor_replies
FROM ranked
ORDER BY ranked.site, ranked.role = 'instructor' DESC, ranked.posts_written + ranked.comments_written DESC,
  ranked.author
""".strip()

MOST_DISCUSSED_SQL = f"""
WITH {SITES_IN_SCOPE}
SELECT p.id AS post_id, p.title, s.name AS site, p.author, p.published,
  d.comments, d.commenters, d.deepest_reply, d.last_comment
FROM sites_in_scope CROSS JOIN sites s ON s.id = sites_in_scope.id
CROSS JOIN research_discussion d ON d.site_id = s.id
JOIN posts p ON p.id = d.post_id
ORDER BY d.comments DESC, d.commenters DESC, p.published
LIMIT 100
""".strip()

POSTS_WITHOUT_COMMENTS_SQL = f"""
WITH {SITES_IN_SCOPE}
SELECT p.id AS post_id, p.title, s.name AS site, p.author, p.published,
  (SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.type != 'comment') AS pingbacks,
  p.comment_count_declared AS declared, p.external_comments, p.comments_complete
FROM sites_in_scope CROSS JOIN sites s ON s.id = sites_in_scope.id
CROSS JOIN posts p ON p.site_id = s.id
WHERE p.type = 'post'
  AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.post_id = p.id AND c.type = 'comment')
ORDER BY s.name, p.published
""".strip()

COMMENTS_AFTER_LAST_POST_SQL = f"""
WITH {SITES_IN_SCOPE},
last_posts AS (
  SELECT p.site_id, max(julianday(p.published)) AS last_day
  FROM sites_in_scope CROSS JOIN posts p ON p.site_id = sites_in_scope.id
  WHERE p.type = 'post' AND p.published IS NOT NULL
  GROUP BY p.site_id
)
SELECT c.id AS comment_id, c.post_id, p.title, s.name AS site, c.author, c.type, c.published,
  round(julianday(c.published) - lp.last_day, 1) AS days_after_last_post, c.content_text
FROM last_posts lp CROSS JOIN sites s ON s.id = lp.site_id
CROSS JOIN posts p ON p.site_id = lp.site_id
CROSS JOIN comments c ON c.post_id = p.id
WHERE julianday(c.published) > lp.last_day
ORDER BY s.name, c.published
""".strip()

WEEKLY_ACTIVITY_SQL = f"""
WITH RECURSIVE {SITES_IN_SCOPE},
post_weeks AS (
  SELECT w.site_id, w.week, w.n FROM sites_in_scope CROSS JOIN research_post_weeks w ON w.site_id = sites_in_scope.id
),
comment_weeks AS (
  SELECT w.site_id, w.week, w.comments, w.pingbacks
  FROM sites_in_scope CROSS JOIN research_comment_weeks w ON w.site_id = sites_in_scope.id
),
active AS (
  SELECT site_id, week FROM post_weeks UNION SELECT site_id, week FROM comment_weeks
),
weeks(site_id, week, last_week) AS (
  SELECT site_id, min(week), max(week) FROM active GROUP BY site_id
  UNION ALL
  SELECT site_id, date(week, '+7 days'), last_week FROM weeks WHERE week < last_week
)
SELECT weeks.site_id, s.name AS site, weeks.week,
  coalesce(pw.n, 0) AS posts, coalesce(cw.comments, 0) AS comments, coalesce(cw.pingbacks, 0) AS pingbacks
FROM weeks JOIN sites s ON s.id = weeks.site_id
LEFT JOIN post_weeks pw ON pw.site_id = weeks.site_id AND pw.week = weeks.week
LEFT JOIN comment_weeks cw ON cw.site_id = weeks.site_id AND cw.week = weeks.week
ORDER BY s.name, weeks.site_id, weeks.week
""".strip()

SEARCH_SQL = """
SELECT * FROM (
  SELECT 'post' AS kind, p.id AS post_id, NULL AS comment_id, p.title, p.author, p.published,
    snippet(posts_fts, -1, '[', ']', '…', 16) AS snippet, posts_fts.rank AS rank
  FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid
  WHERE posts_fts MATCH iif(:q = '', '""', :q)
  ORDER BY posts_fts.rank LIMIT 100
)
UNION ALL
SELECT * FROM (
  SELECT c.type AS kind, c.post_id, c.id AS comment_id, p.title, c.author, c.published,
    snippet(comments_fts, -1, '[', ']', '…', 16) AS snippet, comments_fts.rank AS rank
  FROM comments_fts JOIN comments c ON c.id = comments_fts.rowid JOIN posts p ON p.id = c.post_id
  WHERE comments_fts MATCH iif(:q = '', '""', :q)
  ORDER BY comments_fts.rank LIMIT 100
)
ORDER BY rank
""".strip()

# The search page: one page of hits with a snippet of the text (highlight markers :open, :close).
# Hits are ranked by relevance (FTS5 bm25) unless a word matches more than SEARCH_RANK_LIMIT rows:
# ranking then costs more than it helps, and the newest archived rows come first instead.
SEARCH_RANK_LIMIT = 10_000
_SEARCH = {
    "posts": """
SELECT p.id, p.title, p.author, p.published, p.type, s.name AS site,
  snippet(posts_fts, 1, :open, :close, '…', 24) AS snippet
FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid JOIN sites s ON s.id = p.site_id
WHERE posts_fts MATCH :q AND (:site = '' OR p.site_id = :site)
ORDER BY {order} LIMIT :limit OFFSET :offset
""",
    "comments": """
SELECT c.id, c.post_id, c.author, c.type, c.published, c.depth, p.title AS post_title, s.name AS site,
  snippet(comments_fts, 1, :open, :close, '…', 24) AS snippet
FROM comments_fts JOIN comments c ON c.id = comments_fts.rowid
JOIN posts p ON p.id = c.post_id JOIN sites s ON s.id = p.site_id
WHERE comments_fts MATCH :q AND (:site = '' OR p.site_id = :site)
ORDER BY {order} LIMIT :limit OFFSET :offset
""",
}
# How many rows match, counted up to :cap (so that counting stays cheap for any word).
_COUNT = {
    "posts": "SELECT count(*) FROM (SELECT 1 FROM posts_fts WHERE posts_fts MATCH :q LIMIT :cap)",
    "comments": "SELECT count(*) FROM (SELECT 1 FROM comments_fts WHERE comments_fts MATCH :q LIMIT :cap)",
}
_COUNT_IN_SITE = {
    "posts": "SELECT count(*) FROM (SELECT 1 FROM posts_fts JOIN posts p ON p.id = posts_fts.rowid "
    "WHERE posts_fts MATCH :q AND p.site_id = :site LIMIT :cap)",
    "comments": "SELECT count(*) FROM (SELECT 1 FROM comments_fts JOIN comments c ON c.id = comments_fts.rowid "
    "JOIN posts p ON p.id = c.post_id WHERE comments_fts MATCH :q AND p.site_id = :site LIMIT :cap)",
}


def search_sql(kind: str, ranked: bool = True) -> str:
    """One page of search hits in posts or comments, by relevance or newest archived first."""
    table = f"{kind}_fts"
    return _SEARCH[kind].format(order=f"{table}.rank" if ranked else f"{table}.rowid DESC")


def count_sql(kind: str, in_site: bool = False) -> str:
    """Count the hits in posts or comments (params :q, :cap, and :site when in_site)."""
    return (_COUNT_IN_SITE if in_site else _COUNT)[kind]


SITE_HELP = "site: a site's id, name or home URL; leave empty for every site."

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "thread": {
        "title": "One post's comment thread",
        "description": "The comments of one post (post_id: its id in the posts table) in reply order, "
        "indented by depth, with whom each one replies to. Comments whose parent was not archived "
        "are shown at the top level with a note.",
        "sql": THREAD_SQL,
    },
    "reply_network": {
        "title": "Who replies to whom",
        "description": "Reply edges with counts, per site: replier → replied_to, how many replies, on "
        "how many posts, first and last. Comments only (no pingbacks). Export as CSV for network "
        f"analysis (Gephi, networkx). {SITE_HELP}",
        "sql": REPLY_NETWORK_SQL,
    },
    "authors": {
        "title": "Authors: posts, comments, replies and the instructor",
        "description": "Per person and site: posts written, comments written, comments received on "
        "their posts (by others), replies received to their comments (by others), and instructor "
        "replies (the instructor's comments replying to theirs or at the top level of their posts). "
        "Roles come from the people table (instructor, student, guest, external); instructor: a name "
        "to use instead; a site whose people have no instructor takes the author of most posts. "
        f"{SITE_HELP}",
        "sql": AUTHORS_SQL,
    },
    "most_discussed": {
        "title": "Most discussed posts",
        "description": "The 100 posts with most comments (pingbacks and trackbacks not counted), "
        f"with distinct commenters, deepest reply and last comment. {SITE_HELP}",
        "sql": MOST_DISCUSSED_SQL,
    },
    "posts_without_comments": {
        "title": "Posts with no comments",
        "description": "Posts (not pages) without any archived comment; pingbacks are counted apart. "
        "Check declared, external_comments and comments_complete before reading silence into it. "
        f"{SITE_HELP}",
        "sql": POSTS_WITHOUT_COMMENTS_SQL,
    },
    "comments_after_last_post": {
        "title": "Comments after the course's last post",
        "description": "Comments, pingbacks and trackbacks dated after the last post of their site "
        f"(the end of the course), with how many days after. {SITE_HELP}",
        "sql": COMMENTS_AFTER_LAST_POST_SQL,
    },
    "weekly_activity": {
        "title": "Activity per week",
        "description": "Posts, comments and pingbacks per week (weeks start on Monday, local dates "
        "of the blog) for each site, quiet weeks included. The chart at /-/activity draws these "
        f"rows. {SITE_HELP}",
        "sql": WEEKLY_ACTIVITY_SQL,
    },
    "search": {
        "title": "Search posts and comments",
        "description": "Full-text search of post titles and texts and of comments (author and text), "
        "best matches first, 100 of each at most. q uses SQLite FTS5 syntax: words, "
        '"a phrase", OR, NOT, prefix*. The search page at /-/search is friendlier.',
        "sql": SEARCH_SQL,
    },
}
for _query in CANNED_QUERIES.values():
    _query["hide_sql"] = True


def query_parameters(sql: str) -> list[str]:
    """The named parameters of a query (`:site`, `:post_id`, ...), in order of first use."""
    return list(dict.fromkeys(re.findall(r"(?<![:\w]):([a-z_]+)\b", sql)))
