"""Machine-readable views of the blog: RSS 2 feeds, core sitemaps (WordPress 5.5+), robots.txt."""

from __future__ import annotations

from email.utils import format_datetime
from xml.sax.saxutils import escape

from . import data
from .core import Response, Urls, text, xml
from .data import SITE, Comment, Post

RSS_TYPE = "application/rss+xml; charset=UTF-8"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def cdata(value: str) -> str:
    """Wrap text in CDATA, splitting any ``]]>`` inside it."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def rfc822(post_or_comment: Post | Comment) -> str:
    """A ``pubDate`` in GMT, as WordPress writes it."""
    return format_datetime(data.utc(post_or_comment.date))


def channel(title: str, link: str, self_url: str, items: list[str], built: str) -> Response:
    """An RSS 2 document with WordPress's namespaces and channel elements."""
    body = "\n".join(items)
    return xml(f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:atom="http://www.w3.org/2005/Atom"
\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"
\t>
<channel>
\t<title>{escape(title)}</title>
\t<atom:link href="{escape(self_url)}" rel="self" type="application/rss+xml" />
\t<link>{escape(link)}</link>
\t<description>{escape(SITE.tagline)}</description>
\t<lastBuildDate>{built}</lastBuildDate>
\t<language>{SITE.language}</language>
\t<sy:updatePeriod>hourly</sy:updatePeriod>
\t<sy:updateFrequency>1</sy:updateFrequency>
\t<generator>https://wordpress.org/?v={SITE.wp_version}</generator>
{body}
</channel>
</rss>
""", RSS_TYPE)


def post_item(post: Post, urls: Urls) -> str:
    """One ``<item>`` of the posts feed."""
    link = urls.permalink(post)
    terms = "".join(f"\n\t\t<category>{cdata(data.term(t).name)}</category>"
                    for t in post.categories + post.tags)
    return f"""\t<item>
\t\t<title>{escape(post.title)}</title>
\t\t<link>{link}</link>
\t\t<comments>{link}#comments</comments>
\t\t<dc:creator>{cdata(data.user(post.author).display_name)}</dc:creator>
\t\t<pubDate>{rfc822(post)}</pubDate>{terms}
\t\t<guid isPermaLink="false">{escape(urls.shortlink(post.id))}</guid>
\t\t<description>{cdata(data.excerpt(post))}</description>
\t\t<content:encoded>{cdata(urls.expand(post.content))}</content:encoded>
\t\t<wfw:commentRss>{escape(urls.post_feed(post))}</wfw:commentRss>
\t\t<slash:comments>{len(data.comments_on(post.id))}</slash:comments>
\t</item>"""


def comment_item(c: Comment, urls: Urls, with_post_title: bool) -> str:
    """One ``<item>`` of a comments feed."""
    post = data.entry(c.post)
    assert post is not None
    title = f"Comment on {post.title} by {c.author_name}" if with_post_title \
        else f"By: {c.author_name}"
    content = urls.expand(c.content)
    return f"""\t<item>
\t\t<title>{escape(title)}</title>
\t\t<link>{escape(urls.comment(c))}</link>
\t\t<dc:creator>{cdata(c.author_name)}</dc:creator>
\t\t<pubDate>{rfc822(c)}</pubDate>
\t\t<guid isPermaLink="false">{escape(urls.shortlink(post.id))}#comment-{c.id}</guid>
\t\t<description>{cdata(data.plain_text(content))}</description>
\t\t<content:encoded>{cdata(content)}</content:encoded>
\t</item>"""


def posts_feed(urls: Urls, page: int) -> Response:
    """The posts feed (``paged=N`` for older items): 10 posts a page, newest first.

    A page past the end is an empty channel, as WordPress serves it.
    """
    per = SITE.posts_per_rss
    posts = data.posts_newest_first()[(page - 1) * per:page * per]
    built = format_datetime(max(data.utc(p.modified) for p in data.POSTS))
    return channel(SITE.name, urls.at("/"), urls.feed(page), [post_item(p, urls) for p in posts],
                   built)


def comments_feed(urls: Urls, post: Post | None = None) -> Response:
    """The site's (or one post's) latest 10 comments, pingbacks and trackbacks, newest first."""
    pool = data.comments_on(post.id) if post else list(data.COMMENTS)
    latest = sorted(pool, key=lambda c: (c.date, c.id), reverse=True)[:SITE.posts_per_rss]
    built = rfc822(latest[0] if latest else post or data.POSTS[0])
    items = [comment_item(c, urls, post is None) for c in latest]
    if post:
        return channel(f"Comments on: {post.title}", urls.permalink(post), urls.post_feed(post),
                       items, built)
    return channel(f"Comments for {SITE.name}", urls.at("/"), urls.comments_feed(), items, built)


# ------------------------------------------------------------------ sitemaps

def sitemap_index(urls: Urls) -> Response:
    """The sitemap index: one sitemap per post type, taxonomy and the users."""
    names = ["posts-post-1", "posts-page-1", "taxonomies-category-1",
             "taxonomies-post_tag-1", "users-1"]
    entries = "".join(f"<sitemap><loc>{escape(urls.sitemap(n))}</loc></sitemap>" for n in names)
    return xml(f'<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<sitemapindex xmlns="{SITEMAP_NS}">{entries}</sitemapindex>\n')


def url_entry(loc: str, lastmod: str | None = None) -> str:
    """A ``<url>`` element."""
    mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{mod}</url>"


def sitemap(urls: Urls, name: str) -> Response | None:
    """One sitemap by its name (``posts-post-1`` ...), or None when there is no such sitemap."""
    def entry_urls(posts: tuple[Post, ...]) -> list[str]:
        return [url_entry(urls.permalink(p), data.utc(p.modified).isoformat())
                for p in sorted(posts, key=lambda p: p.id)]

    if name == "posts-post-1":
        entries = entry_urls(data.POSTS)
    elif name == "posts-page-1":
        entries = [url_entry(urls.at("/")), *entry_urls(data.PAGES)]
    elif name in ("taxonomies-category-1", "taxonomies-post_tag-1"):
        terms = data.CATEGORIES if "category" in name else data.TAGS
        entries = [url_entry(urls.term(t)) for t in terms if data.post_count(t.id)]
    elif name == "users-1":
        entries = [url_entry(urls.author(u)) for u in data.authors_with_posts()]
    else:
        return None
    return xml(f'<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<urlset xmlns="{SITEMAP_NS}">{"".join(entries)}</urlset>\n')


def robots(urls: Urls, prefix: str, with_sitemap: bool) -> Response:
    """The virtual ``robots.txt`` WordPress generates (paths include the blog's prefix)."""
    lines = ["User-agent: *", f"Disallow: {prefix}/wp-admin/",
             f"Allow: {prefix}/wp-admin/admin-ajax.php", ""]
    if with_sitemap:
        lines += [f"Sitemap: {urls.sitemap_index()}", ""]
    return text(200, "\n".join(lines))
