"""The sample blog's classic theme: one small rendering helper per fragment of markup.

The structure follows Twenty Ten and ``wp_list_comments`` (ids, classes and nesting as real
WordPress prints them); the look is irrelevant. Every method returns an HTML string.
"""

from __future__ import annotations

import calendar as calendar_module
import hashlib
from collections.abc import Callable, Iterable
from datetime import date
from html import escape
from urllib.parse import quote

from . import data
from .core import MONTHS, Options, Urls, long_date, short_time
from .data import SITE, Comment, Media, Post

THEME_DIR = "/wp-content/themes/coursework"
Crumbs = list[tuple[str, str | None]]


def e(value: object) -> str:
    """Escape text for HTML content and attribute values."""
    return escape(str(value), quote=True)


def href(url: str) -> str:
    """A URL for an ``href``, as ``esc_url`` prints it (``&`` as ``&#038;``)."""
    return url.replace("&", "&#038;")


def avatar(name: str, size: int) -> str:
    """A Gravatar ``img`` as WordPress prints it (hashed from the name: we keep no e-mails)."""
    digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
    src = f"http://0.gravatar.com/avatar/{digest}?s={size}&amp;d=mm&amp;r=g"
    return (f"<img alt='' src='{src}' class='avatar avatar-{size} photo' "
            f"height='{size}' width='{size}' />")


class Theme:
    """Renders pages of the blog for one home URL and set of options."""

    def __init__(self, urls: Urls, options: Options) -> None:
        self.urls = urls
        self.options = options

    # ------------------------------------------------------------------ document

    def document(self, *, title: str, body_class: str, main: str, crumbs: Crumbs | None = None,
                 head: Iterable[str] = (), calendar_month: tuple[int, int] | None = None,
                 is_home: bool = False) -> str:
        """A whole page: head, header, breadcrumbs, the main column, sidebar and footer."""
        head_html = "\n".join([*self.site_links(), *head])
        return f"""<!DOCTYPE html>
<html lang="{SITE.language}">
<head>
<meta charset="UTF-8" />
<title>{e(title)}</title>
<link rel="profile" href="https://gmpg.org/xfn/11" />
<link rel="stylesheet" type="text/css" media="all" href="{self.urls.at(THEME_DIR)}/style.css" />
{head_html}
<meta name="generator" content="WordPress {SITE.wp_version}" />
</head>
<body class="{body_class}">
<div id="wrapper" class="hfeed">
{self.header(is_home)}
<div id="main">
<div id="container">
<div id="content" role="main">
{self.breadcrumbs(crumbs) if crumbs else ""}
{main}
</div>
</div>
{self.sidebar(calendar_month)}
</div>
{self.footer()}
</div>
</body>
</html>
"""

    def site_links(self) -> list[str]:
        """``<link>`` tags every page carries: feeds and the REST API root."""
        links = []
        if self.options.feeds:
            name = e(SITE.name)
            links += [
                f'<link rel="alternate" type="application/rss+xml" title="{name} &raquo; Feed" '
                f'href="{self.urls.feed()}" />',
                f'<link rel="alternate" type="application/rss+xml" '
                f'title="{name} &raquo; Comments Feed" href="{self.urls.comments_feed()}" />',
            ]
        if self.options.rest:
            links.append(f'<link rel="https://api.w.org/" href="{self.urls.rest("/")}" />')
        return links

    def entry_links(self, post: Post, canonical: str, noindex: bool = False) -> list[str]:
        """``<link>`` and ``<meta>`` tags of a single post or page."""
        links = ['<meta name="robots" content="noindex, follow" />'] if noindex else []
        has_comment_feed = post.comment_status == "open" or data.comments_on(post.id)
        if self.options.feeds and has_comment_feed:
            links.append(
                f'<link rel="alternate" type="application/rss+xml" title="{e(SITE.name)} '
                f'&raquo; {e(post.title)} Comments Feed" '
                f'href="{href(self.urls.post_feed(post))}" />')
        if self.options.rest:
            route = f"/wp/v2/{post.type}s/{post.id}"
            links.append(f'<link rel="alternate" type="application/json" '
                         f'href="{self.urls.rest(route)}" />')
        links += [f'<link rel="canonical" href="{href(canonical)}" />',
                  f"<link rel='shortlink' href='{self.urls.shortlink(post.id)}' />"]
        return links

    def header(self, is_home: bool) -> str:
        """Site title, tagline and the page menu."""
        tag = "h1" if is_home else "div"
        home = self.urls.at("/")
        items = [("Home", home), *((p.title, self.urls.permalink(p)) for p in data.PAGES)]
        menu = "".join(f'<li class="menu-item"><a href="{url}">{e(label)}</a></li>'
                       for label, url in items)
        return f"""<div id="header"><div id="masthead">
<div id="branding" role="banner">
<{tag} id="site-title"><span><a href="{home}" title="{e(SITE.name)}" rel="home">\
{e(SITE.name)}</a></span></{tag}>
<div id="site-description">{e(SITE.tagline)}</div>
</div>
<div id="access" role="navigation"><div class="menu-header"><ul id="menu-main" class="menu">\
{menu}</ul></div></div>
</div></div>"""

    def footer(self) -> str:
        """The colophon."""
        return f"""<div id="footer" role="contentinfo"><div id="colophon">
<div id="site-info"><a href="{self.urls.at("/")}" rel="home">{e(SITE.name)}</a></div>
<div id="site-generator"><a href="https://wordpress.org/">Proudly powered by WordPress.</a></div>
</div></div>"""

    def breadcrumbs(self, crumbs: Crumbs) -> str:
        """The theme's own trail: "You are here: Home > Category > Title", last crumb unlinked."""
        parts = [f'<a href="{url}">{e(label)}</a>' if url else
                 f'<span class="current">{e(label)}</span>' for label, url in crumbs]
        return f'<div class="breadcrumbs">You are here: {" &gt; ".join(parts)}</div>'

    # ------------------------------------------------------------------ sidebar

    def sidebar(self, month: tuple[int, int] | None) -> str:
        """The widget area: search, recent comments, calendar, archives, categories, meta."""
        widgets = [
            ("search-2", "widget_search", "", self.search_form()),
            ("recent-comments-2", "widget_recent_comments", "Recent Comments",
             self.recent_comments()),
            ("calendar-2", "widget_calendar", "", self.calendar(month)),
            ("archives-2", "widget_archive", "Archives", self.archives_list()),
            ("categories-2", "widget_categories", "Categories", self.categories_list()),
            ("meta-2", "widget_meta", "Meta", self.meta_list()),
        ]
        items = "\n".join(
            f'<li id="{wid}" class="widget-container {cls}">'
            + (f'<h3 class="widget-title">{title}</h3>' if title else "") + f"{body}</li>"
            for wid, cls, title, body in widgets)
        return (f'<div id="primary" class="widget-area" role="complementary">'
                f'<ul class="xoxo">\n{items}\n</ul></div>')

    def search_form(self) -> str:
        """The search widget."""
        return (f'<form role="search" method="get" id="searchform" class="searchform" '
                f'action="{self.urls.at("/")}"><div><label class="screen-reader-text" '
                f'for="s">Search for:</label><input type="text" value="" name="s" id="s" />'
                f'<input type="submit" id="searchsubmit" value="Search" /></div></form>')

    def recent_comments(self) -> str:
        """The five newest comments, linked to their place on the post."""
        newest = sorted(data.COMMENTS, key=lambda c: (c.date, c.id), reverse=True)[:5]
        items = []
        for c in newest:
            post = data.entry(c.post)
            assert post is not None
            items.append(f'<li class="recentcomments"><span class="comment-author-link">'
                         f'{self.author_link(c)}</span> on <a href="{href(self.urls.comment(c))}">'
                         f'{e(post.title)}</a></li>')
        return f'<ul id="recentcomments">{"".join(items)}</ul>'

    def calendar(self, month: tuple[int, int] | None) -> str:
        """``get_calendar``: the month's grid with ``?m=`` links (a crawl trap)."""
        post_days = {p.date.date() for p in data.POSTS}
        post_months = sorted({(d.year, d.month) for d in post_days})
        year, mon = month or post_months[-1]
        rows = []
        for week in calendar_module.Calendar(firstweekday=0).monthdayscalendar(year, mon):
            cells = []
            for day in week:
                if not day:
                    cells.append('<td class="pad">&nbsp;</td>')
                elif date(year, mon, day) in post_days:
                    label = f"Posts published on {MONTHS[mon - 1]} {day}, {year}"
                    href = self.urls.calendar(f"{year:04d}{mon:02d}{day:02d}")
                    cells.append(f'<td><a href="{href}" aria-label="{label}">{day}</a></td>')
                else:
                    cells.append(f"<td>{day}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        head = "".join(f'<th scope="col" title="{d}">{d[0]}</th>'
                       for d in calendar_module.day_name)
        before = [m for m in post_months if m < (year, mon)]
        after = [m for m in post_months if m > (year, mon)]
        return f"""<div id="calendar_wrap" class="calendar_wrap">
<table id="wp-calendar" class="wp-calendar-table">
<caption>{MONTHS[mon - 1]} {year}</caption>
<thead><tr>{head}</tr></thead>
<tbody>{"".join(rows)}</tbody>
</table>
<nav aria-label="Previous and next months" class="wp-calendar-nav">
<span class="wp-calendar-nav-prev">{self.month_link(before[-1], "&laquo; ", "") if before else ""}\
</span>
<span class="pad">&nbsp;</span>
<span class="wp-calendar-nav-next">{self.month_link(after[0], "", " &raquo;") if after else ""}\
</span>
</nav></div>"""

    def month_link(self, month: tuple[int, int], before: str, after: str) -> str:
        """A calendar navigation link to another month."""
        year, mon = month
        abbrev = MONTHS[mon - 1][:3]
        return f'<a href="{self.urls.calendar(f"{year:04d}{mon:02d}")}">{before}{abbrev}{after}</a>'

    def archives_list(self) -> str:
        """Monthly archive links, newest first."""
        months = sorted({(p.date.year, p.date.month) for p in data.POSTS}, reverse=True)
        return "<ul>" + "".join(
            f"<li><a href='{self.urls.date_archive(y, m)}'>{MONTHS[m - 1]} {y}</a></li>"
            for y, m in months) + "</ul>"

    def categories_list(self) -> str:
        """Category links with posts, by name."""
        cats = sorted((c for c in data.CATEGORIES if data.post_count(c.id)), key=lambda c: c.name)
        return "<ul>" + "".join(
            f'<li class="cat-item cat-item-{c.id}"><a href="{self.urls.term(c)}">{e(c.name)}</a>'
            f"</li>" for c in cats) + "</ul>"

    def meta_list(self) -> str:
        """The Meta widget: log-in link (a trap) and feed links."""
        items = [f'<li><a href="{self.urls.at("/wp-login.php")}">Log in</a></li>']
        if self.options.feeds:
            items += [f'<li><a href="{self.urls.feed()}">Entries feed</a></li>',
                      f'<li><a href="{self.urls.comments_feed()}">Comments feed</a></li>']
        items.append('<li><a href="https://wordpress.org/">WordPress.org</a></li>')
        return f"<ul>{''.join(items)}</ul>"

    # ------------------------------------------------------------------ entries

    def post_classes(self, post: Post) -> str:
        """``post_class()``: type, status and one class per term."""
        terms = [f"category-{data.term(t).slug}" for t in post.categories]
        terms += [f"tag-{data.term(t).slug}" for t in post.tags]
        kind = f"{post.type} type-{post.type} status-publish"
        fmt = " format-standard" if post.type == "post" else ""
        return " ".join([f"post-{post.id} {kind}{fmt} hentry", *terms])

    def entry_meta(self, post: Post) -> str:
        """"Posted on DATE by AUTHOR", with ``time.entry-date`` and ``.author.vcard``."""
        author = data.user(post.author)
        updated = ""
        if post.modified != post.date:
            updated = (f' <time class="updated" datetime="{post.modified.isoformat()}">'
                       f"{long_date(post.modified)}</time>")
        return (f'<div class="entry-meta"><span class="meta-prep meta-prep-author">Posted on'
                f'</span> <a href="{self.urls.permalink(post)}" title="{short_time(post.date)}" '
                f'rel="bookmark"><time class="entry-date published" '
                f'datetime="{post.date.isoformat()}">{long_date(post.date)}</time>{updated}</a> '
                f'<span class="meta-sep">by</span> <span class="author vcard"><a class="url fn n" '
                f'href="{self.urls.author(author)}" title="View all posts by '
                f'{e(author.display_name)}" rel="author">{e(author.display_name)}</a></span></div>')

    def term_links(self, ids: Iterable[int], rel: str) -> str:
        """Comma-separated term links with the ``rel`` WordPress gives them."""
        return ", ".join(f'<a href="{self.urls.term(data.term(t))}" rel="{rel}">'
                         f"{e(data.term(t).name)}</a>" for t in ids)

    def entry_utility(self, post: Post) -> str:
        """"This entry was posted in ... and tagged ... Bookmark the permalink."."""
        tagged = f" and tagged {self.term_links(post.tags, 'tag')}" if post.tags else ""
        return (f'<div class="entry-utility">This entry was posted in '
                f'{self.term_links(post.categories, "category tag")}{tagged}. Bookmark the '
                f'<a href="{self.urls.permalink(post)}" title="Permalink to {e(post.title)}" '
                f'rel="bookmark">permalink</a>.</div>')

    def comments_link(self, post: Post) -> str:
        """``comments_popup_link`` as used in post lists."""
        count = len(data.comments_on(post.id))
        if post.comment_status != "open" and not count:
            return '<span class="comments-link"><span>Comments Off</span></span>'
        url = self.urls.permalink(post)
        label = {0: "Leave a comment", 1: "1 Comment"}.get(count, f"{count} Comments")
        anchor = "#respond" if count == 0 else "#comments"
        return f'<span class="comments-link"><a href="{url}{anchor}">{label}</a></span>'

    def summary(self, post: Post) -> str:
        """One entry in the home page or an archive: title, meta, excerpt and links."""
        url = self.urls.permalink(post)
        return f"""<article id="post-{post.id}" class="{self.post_classes(post)}">
<h2 class="entry-title"><a href="{url}" rel="bookmark">{e(post.title)}</a></h2>
{self.entry_meta(post)}
<div class="entry-summary"><p>{data.excerpt(post)} <a href="{url}" class="more-link">\
Continue reading <span class="meta-nav">&rarr;</span></a></p></div>
<div class="entry-utility"><span class="cat-links">Posted in \
{self.term_links(post.categories, "category tag")}</span> <span class="meta-sep">|</span> \
{self.comments_link(post)}</div>
</article>"""

    def share(self, post: Post) -> str:
        """Sociable's share list and a Jetpack-style block whose ``?share=`` links are traps."""
        url = quote(self.urls.permalink(post), safe="")
        title = quote(post.title, safe="")
        services = [
            ("Digg", f"http://digg.com/submit?url={url}&amp;title={title}"),
            ("StumbleUpon", f"http://www.stumbleupon.com/submit?url={url}&amp;title={title}"),
            ("Reddit", f"http://reddit.com/submit?url={url}&amp;title={title}"),
            ("Twitter", f"http://twitter.com/home?status={title}%20-%20{url}"),
        ]
        if self.options.feeds:
            services.append(("RSS", self.urls.feed()))
        first = ' class="sociablefirst"'
        items = "".join(
            f'<li{first if i == 0 else ""}><a rel="nofollow" target="_blank" href="{link}" '
            f'title="{name}">{name}</a></li>' for i, (name, link) in enumerate(services))
        jetpack = "".join(
            f'<li class="share-{service}"><a rel="nofollow noopener noreferrer" '
            f'class="share-{service} sd-button" '
            f'href="{href(self.urls.share(post, service))}&amp;nb=1" '
            f'target="_blank" title="Click to share on {label}"><span>{label}</span></a></li>'
            for service, label in (("facebook", "Facebook"), ("email", "Email")))
        return f"""<div class="sociable">
<div class="sociable_tagline"><strong>Share and Enjoy:</strong></div>
<ul>{items}</ul>
</div>
<div class="sharedaddy sd-sharing-enabled"><div class="sd-block sd-social sd-sharing">
<h3 class="sd-title">Share this:</h3><div class="sd-content"><ul>{jetpack}</ul></div></div></div>"""

    def post_nav(self, post: Post) -> str:
        """Links to the previous and next post (by date)."""
        ordered = sorted(data.POSTS, key=lambda p: p.date)
        i = ordered.index(post)
        older = ordered[i - 1] if i > 0 else None
        newer = ordered[i + 1] if i + 1 < len(ordered) else None
        prev_link = (f'<a href="{self.urls.permalink(older)}" rel="prev"><span class="meta-nav">'
                     f"&larr;</span> {e(older.title)}</a>") if older else ""
        next_link = (f'<a href="{self.urls.permalink(newer)}" rel="next">{e(newer.title)} '
                     f'<span class="meta-nav">&rarr;</span></a>') if newer else ""
        return (f'<div id="nav-below" class="navigation"><div class="nav-previous">{prev_link}'
                f'</div><div class="nav-next">{next_link}</div></div>')

    def article(self, post: Post) -> str:
        """A post or page in full, share links inside ``.entry-content`` as plugins add them."""
        content = self.urls.expand(post.content)
        if post.type == "page":
            return f"""<article id="post-{post.id}" class="{self.post_classes(post)}">
<h1 class="entry-title">{e(post.title)}</h1>
<div class="entry-content">
{content}</div>
</article>"""
        return f"""<article id="post-{post.id}" class="{self.post_classes(post)}">
<h1 class="entry-title">{e(post.title)}</h1>
{self.entry_meta(post)}
<div class="entry-content">
{content}{self.share(post)}
</div>
{self.entry_utility(post)}
</article>
{self.post_nav(post)}"""

    def attachment(self, media: Media) -> str:
        """An attachment page: the image, linked to the full-size file, and its caption."""
        return f"""<article id="post-{media.id}" class="post-{media.id} attachment \
type-attachment status-inherit hentry">
<h1 class="entry-title">{e(media.title)}</h1>
<div class="entry-content">
<p class="attachment"><a href="{self.urls.upload(media)}"><img width="300" height="200" \
src="{self.urls.upload(media, "medium")}" class="attachment-medium size-medium" \
alt="{e(media.alt)}" /></a></p>
<div class="entry-caption"><p>{e(media.caption)}</p></div>
</div>
</article>"""

    # ------------------------------------------------------------------ comments

    def author_link(self, c: Comment) -> str:
        """``get_comment_author_link``: the name, linked to the author's URL when there is one."""
        if not c.author_url:
            return e(c.author_name)
        return (f"<a href='{e(c.author_url)}' rel='external nofollow ugc' class='url'>"
                f"{e(c.author_name)}</a>")

    def comment_classes(self, c: Comment, post: Post, level: int, counter: list[int]) -> str:
        """``comment_class()``: type, user classes, even/odd, thread parity and depth."""
        classes = ["comment" if c.type == "comment" else c.type]
        if c.user_id:
            classes += ["byuser", f"comment-author-{data.user(c.user_id).slug}"]
            if c.user_id == post.author:
                classes.append("bypostauthor")
        classes += ["odd", "alt"] if counter[0] % 2 else ["even"]
        counter[0] += 1
        if level == 1:
            classes += ["thread-odd", "thread-alt"] if counter[1] % 2 else ["thread-even"]
            counter[1] += 1
        classes.append(f"depth-{level}")
        return " ".join(classes)

    def comment(self, c: Comment, post: Post, page: int, counter: list[int]) -> str:
        """One ``li`` of ``wp_list_comments``, with its replies in ``ul.children``."""
        level = data.depth(c)
        replies = [r for r in data.comments_on(post.id) if r.parent == c.id]
        children = "".join(self.comment(r, post, page, counter) for r in replies)
        classes = self.comment_classes(c, post, level, counter)
        reply = ""
        if c.type == "comment" and post.comment_status == "open" \
                and level < SITE.thread_comments_depth:
            reply = (f"<div class=\"reply\"><a rel='nofollow' class='comment-reply-link' "
                     f"href='{href(self.urls.reply(post, page, c))}' data-commentid=\"{c.id}\" "
                     f"data-postid=\"{post.id}\" aria-label='Reply to {e(c.author_name)}'>"
                     f"Reply</a></div>")
        picture = avatar(c.author_name, 40) if c.type == "comment" else ""
        body = self.urls.expand(c.content)
        return f"""<li class="{classes}" id="li-comment-{c.id}">
<div id="comment-{c.id}">
<div class="comment-author vcard">{picture}<cite class="fn">{self.author_link(c)}</cite> \
<span class="says">says:</span></div>
<div class="comment-meta commentmetadata"><a href="{href(self.urls.comment_page(post, page))}\
#comment-{c.id}">\
{long_date(c.date)} at {short_time(c.date)}</a></div>
<div class="comment-body">{body}</div>
{reply}
</div>
{f'<ul class="children">{children}</ul>' if children else ""}
</li>
"""

    def comment_nav(self, post: Post, page: int, pages: int) -> str:
        """"Older Comments" / "Newer Comments" between comment pages."""
        if pages == 1:
            return ""
        older = newer = ""
        if page > 1:
            older = (f'<a href="{href(self.urls.comment_page(post, page - 1))}#comments">'
                     f'<span class="meta-nav">&larr;</span> Older Comments</a>')
        if page < pages:
            newer = (f'<a href="{href(self.urls.comment_page(post, page + 1))}#comments">'
                     f'Newer Comments <span class="meta-nav">&rarr;</span></a>')
        return (f'<div class="navigation"><div class="nav-previous">{older}</div>'
                f'<div class="nav-next">{newer}</div></div>')

    def comments(self, post: Post, page: int, reply_to: Comment | None) -> str:
        """The ``#comments`` block: heading, one page of threads, paging and the form."""
        everything = data.comments_on(post.id)
        pages = data.comment_pages(post.id)
        if not everything:
            closed = '<p class="nocomments">Comments are closed.</p>'
            note = closed if post.comment_status != "open" else ""
            return f'<div class="comments-area">{note}{self.respond(post, reply_to)}</div>'
        count = len(everything)
        label = "One Response" if count == 1 else f"{count} Responses"
        counter = [0, 0]
        threads = "".join(self.comment(c, post, page, counter)
                          for c in data.top_level(post.id) if data.comment_page(c) == page)
        nav = self.comment_nav(post, page, pages)
        return f"""<div class="comments-area">
<h3 id="comments">{label} to &#8220;{e(post.title)}&#8221;</h3>
{nav}
<ol class="commentlist">
{threads}</ol>
{nav}
{self.respond(post, reply_to)}
</div>"""

    def respond(self, post: Post, reply_to: Comment | None) -> str:
        """The comment form (or nothing when comments are closed)."""
        if post.comment_status != "open":
            return ""
        title = f"Leave a Reply to {e(reply_to.author_name)}" if reply_to else "Leave a Reply"
        hidden = "" if reply_to else ' style="display:none;"'
        fields = "".join(
            f'<p class="comment-form-{name}"><label for="{name}">{label}</label> '
            f'<input id="{name}" name="{name}" type="text" value="" size="30" /></p>'
            for name, label in (("author", "Name *"), ("email", "Email *"), ("url", "Website")))
        return f"""<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">{title} <small><a rel="nofollow" \
id="cancel-comment-reply-link" href="{self.urls.permalink(post)}#respond"{hidden}>Cancel reply\
</a></small></h3>
<form action="{self.urls.at("/wp-comments-post.php")}" method="post" id="commentform" \
class="comment-form">
<p class="comment-notes">Your email address will not be published. Required fields are marked \
*</p>{fields}
<p class="comment-form-comment"><label for="comment">Comment</label> <textarea id="comment" \
name="comment" cols="45" rows="8"></textarea></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" \
value="Post Comment" /> <input type="hidden" name="comment_post_ID" value="{post.id}" \
id="comment_post_ID" /> <input type="hidden" name="comment_parent" id="comment_parent" \
value="{reply_to.id if reply_to else 0}" /></p>
</form>
</div>"""

    # ------------------------------------------------------------------ lists and errors

    def paging_nav(self, page: int, pages: int, page_url: Callable[[int], str]) -> str:
        """"Older posts" / "Newer posts" below a list; ``page_url(n)`` is page n's URL."""
        if pages <= 1:
            return ""
        older = newer = ""
        if page < pages:
            older = (f'<a href="{href(page_url(page + 1))}"><span class="meta-nav">&larr;'
                     f"</span> Older posts</a>")
        if page > 1:
            newer = (f'<a href="{href(page_url(page - 1))}">Newer posts '
                     f'<span class="meta-nav">&rarr;</span></a>')
        return (f'<div id="nav-below" class="navigation"><div class="nav-previous">{older}</div>'
                f'<div class="nav-next">{newer}</div></div>')

    def listing(self, heading: str, posts: list[Post], page: int, pages: int,
                page_url: Callable[[int], str]) -> str:
        """A page of a post list, with an optional archive heading."""
        head = f'<h1 class="page-title">{heading}</h1>\n' if heading else ""
        body = "\n".join(self.summary(p) for p in posts)
        return head + body + "\n" + self.paging_nav(page, pages, page_url)

    def not_found(self) -> str:
        """The 404 page body."""
        return f"""<article id="post-0" class="post error404 not-found">
<h1 class="entry-title">Not Found</h1>
<div class="entry-content"><p>Apologies, but the page you requested could not be found. \
Perhaps searching will help.</p>{self.search_form()}</div>
</article>"""

    def login(self) -> str:
        """A bare ``wp-login.php`` (present only so that following the link costs a request)."""
        action = self.urls.at("/wp-login.php")
        return f"""<!DOCTYPE html>
<html lang="{SITE.language}"><head><meta charset="UTF-8" /><title>Log In &lsaquo; \
{e(SITE.name)} &#8212; WordPress</title><meta name="robots" content="noindex, noarchive" />\
</head>
<body class="login"><div id="login"><form name="loginform" id="loginform" action="{action}" \
method="post"><p><label for="user_login">Username or Email Address</label><input type="text" \
name="log" id="user_login" /></p><p><label for="user_pass">Password</label><input \
type="password" name="pwd" id="user_pass" /></p><p class="submit"><input type="submit" \
name="wp-submit" id="wp-submit" value="Log In" /></p></form></div></body></html>
"""
