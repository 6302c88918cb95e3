"""One WordPress page (a post, a page, or something else) to a `Post` item.

Structured signals first (body classes, `post-N` ids, shortlinks, `time[datetime]`, `rel`
attributes, JSON-LD, Open Graph), then general rules over the post's own container. Functions
here take HTML text and a URL and know nothing about Scrapy.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from urllib.parse import parse_qsl

from lxml import etree

from spiders.extraction.breadcrumbs import extract_breadcrumbs
from spiders.extraction.comments import extract_comments
from spiders.extraction.dates import normalise_machine_date, parse_text_date
from spiders.extraction.document import Document
from spiders.extraction.index import TITLE_SEPARATORS, PageIndex
from spiders.extraction.people import author_link
from spiders.extraction.regions import COMMENT_ID, belongs_elsewhere, is_widget_area, own_post_id
from spiders.extraction.sharing import extract_share_links
from spiders.extraction.text import (
    absolute_url,
    block_text,
    bounded_int,
    collapse,
    deep_copy_without,
    make_links_absolute,
    split_url,
    text_of,
    text_start,
    to_html,
    xpath,
)
from spiders.items import Comment, Image, Post, Term

_POST_ID = re.compile(r"^post-(\d+)$")
_BODY_ID = re.compile(r"\b(?:postid|page-id)-(\d+)\b")
# Author boxes ("About the author ... View all posts") name the author in other words.
_AUTHOR_BIO = ("author-bio", "author-info", "author-box", "author-description", "about-author", "authorbox")
# Not the post's text: elements cut from a copy of the content (tags, class tokens, class
# substrings (case-sensitive, as the markup writes them), ids).
_JUNK_TAGS = frozenset(["script", "style", "noscript", "form"])
_JUNK_TOKENS = frozenset(["sharedaddy", "sociable"])
_JUNK_CLASS_PARTS = (
    "a2a_kit",
    "addtoany",
    "sharethis",
    "jp-relatedposts",
    "share-links",
    "sd-sharing",
    "wp-block-comments",
    "navigation",
    "breadcrumb",
    "postmetadata",
    "entry-meta",
    "entry-utility",
    "byline",
)
_JUNK_IDS = frozenset(["comments", "respond", "jp-post-flair"])
# Also cut when the content is the whole post container (no content element was found).
_CONTAINER_JUNK_TAGS = frozenset(["header", "footer", "h1", "nav"])
_CONTAINER_JUNK_PARTS = ("entry-title", "entry-meta", "entry-utility", "postmetadata", "comment")
# Where a theme states the number of responses, strongest first; wpDiscuz heads its thread with
# the count (`.wpdiscuz-comment-count` in 5 and 6, `.wpd-thread-info` in 7), beside counters of
# threads and replies.
_COUNT_TITLE_CLASSES = frozenset(
    [
        "comments-title",
        "wp-block-comments-title",
        "comments-header",
        "comments_intro",
        "comment-count",
        "wpdiscuz-comment-count",
        "wpd-thread-info",
    ]
)
_COUNT_SECTION_CLASSES = frozenset(["comments-area", "comments"])
_COUNT_SECTION_IDS = frozenset(["comments", "comments-area", "commentsbox", "comment-area"])
# The first lines of a comment section: its headings, paragraphs, spans, divs and header, and in
# each of them (itself included) the first three headings, paragraphs or spans.
_COUNT_SECTION_PARTS = frozenset(["h2", "h3", "h4", "h5", "p", "span", "div", "header"])
_HEADINGS = ("h2", "h3", "h4", "h5", "p", "span")
_NUMBER_WORDS = {
    "no": 0,
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "ein": 1,
    "eine": 1,
    "einen": 1,
    "un": 1,
    "une": 1,
    "uno": 1,
    "una": 1,
    "um": 1,
    "uma": 1,
    "keine": 0,
    "aucun": 0,
    "ningún": 0,
    "nenhum": 0,
    "sin": 0,
    "één": 1,
    "geen": 0,
    "nessun": 0,
    "nessuna": 0,
}
_RESPONSE_WORDS = (
    r"(?:thoughts?|responses?|comments?|repl(?:y|ies)|kommentare?n?|antwort(?:en)?|gedanken?|réponses?"
    r"|commentaires?|respuestas?|comentarios?|comentários?|respostas?|reacties?|comment[io]|rispost[ae]"
    r"|reactions?|kommentarer|yorum(?:lar)?|cevap|yanıt|komentarz(?:e|y)?|ответ\w*|комментари\w*|评论|留言|コメント"
    r"|件の(?:返信|コメント)|条评论|則留言|개의 댓글)"
)
# "3 Responses", "52Comments", "33 Leser-Kommentare", "124 Reader Comments"; number words only at
# the start ("One response"), so "Leave a comment" (German "einen Kommentar") is no count.
# A count as number_format_i18n() prints it: "1,024", "1.024", "1 024" (non-breaking spaces).
_NUMBER = r"(\d{1,3}(?:[,.\u00a0\u202f]\d{3})+(?![\d.,])|\d+)"
_COUNT = re.compile(
    r"(?<![\d.,:/])" + _NUMBER + r"\s*(?:[\w-]+-|\w+\s+)?" + _RESPONSE_WORDS + r"(?![\w-])", re.IGNORECASE
)
_COUNT_WORD = re.compile(
    r"^(no|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|ein|eine|einen|un|une|uno|una"
    r"|um|uma|keine|aucun|nenhum|één|geen|nessun|nessuna)\s+" + _RESPONSE_WORDS + r"(?!\w)",
    re.IGNORECASE,
)
# "Comments (145)", "Kommentare ( 56 )", "Comments 115" (the number last).
_COUNT_AFTER = re.compile(
    _RESPONSE_WORDS + r"\s*(?:\(\s*" + _NUMBER + r"\s*\)|:?\s+" + _NUMBER + r"\s*$)", re.IGNORECASE
)
# Elements whose class says they hold the number alone ("wpdiscuz-comment-count", "comment-count").
_COUNT_CLASS = re.compile(
    r"comments?[-_]?(?:count|number|num|total)\b|\bcomments?-link\b|^comments$|\bwpdtc\b", re.IGNORECASE
)
_SMALL_ELEMENT = 12  # elements inside a count's element, at most (a comment section holds more)
# Numbers beside comments that are not their count: new or unread ones, threads, votes, views.
_OTHER_COUNT = re.compile(r"new|unread|thread|stat|vote|like|share|view|rating", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\(?\s*" + _NUMBER + r"\s*\)?$")
_GROUPING = str.maketrans("", "", ",.\u00a0\u202f")
# Comment systems that load their comments from elsewhere: (name, element ids, class tokens, and
# what a script's address or code contains).
_EXTERNAL_SYSTEMS = [
    ("disqus", ("disqus_thread",), (), ("disqus.com",)),
    ("facebook", (), ("fb-comments",), ()),
    ("intensedebate", ("idc-container",), (), ("intensedebate.com",)),
    ("livefyre", ("livefyre-comments", "livefyre"), (), ()),
]


def extract_post(text: str, url: str, doc: Document | None = None) -> Post:
    """Everything a post or page shows: metadata, content, trail, share links and comments.
    `doc`, the same page already parsed, saves parsing it again."""
    if doc is None:
        doc = Document.parse(text, url)
    index = doc.index
    container = _container(doc)
    article = _ld_article(doc.json_ld)
    post = Post(url=doc.canonical_url or url)
    post.wp_id = _wp_id(doc, container)
    post.type = _type(doc, container) if document_kind(doc) != "other" else "page"
    post.title = _title(doc, container, article)
    post.author = _agreeing_author(doc, article, _author(doc, container, article))
    post.published, post.modified = _dates(doc, container, article, post.type, post.title)
    post.terms = _terms(doc, container)
    content = _content(doc, container)
    if content is not None:
        make_links_absolute(content, doc.url)
        post.content_html = to_html(content)
        post.content_text = block_text(content)
        post.images = _images(content, doc.url)
        post.media_urls = media_urls(content, doc.url)
    if container is not None:
        # The featured image (the_post_thumbnail(): class wp-post-image), where the theme shows it.
        featured = [
            absolute_url(doc.url, src)
            for img in container.iter("img")
            if "wp-post-image" in (img.get("class") or "") and (src := _largest_source(img))
        ]
        post.media_urls = list(dict.fromkeys(featured + post.media_urls))
    post.protected = "post-password-required" in doc.body_classes or bool(
        container is not None
        and any(
            "post-password-form" in (form.get("class") or "") for form in index.inside(container, index.tag("form"))
        )
    )
    if post.protected:
        # The page shows a password form, not the content; WordPress prefixes the title.
        post.content_html = post.content_text = None
        post.images = []
        post.media_urls = []
        if post.title:
            post.title = re.sub(r"^(Protected|Geschützt|Protégé|Protegido|Protetto):\s*", "", post.title)
    post.breadcrumbs = extract_breadcrumbs(doc)
    post.share_links = extract_share_links(doc)
    post.comments = extract_comments(doc)
    # Comments nested past the parser's depth limit are not in the tree: the list is not the whole.
    post.comments_complete = not doc.truncated
    if post.author is None:
        post.author = _author_from_own_comments(doc, post.comments)
    post.author_url, post.author_slug, post.author_user_id = author_link(doc, container, post.author)
    post.comment_count_declared = _agreeing_count(declared_comment_count(doc), post.comments)
    post.external_comments = _external_comments(doc)
    post.comment_page_urls = comment_page_links(doc)
    post.comment_page_number = current_comment_page(doc)
    post.comment_feed_url = _comment_feed(doc, post.url)
    post.site_name = _site_name(doc)
    post.sources = ["html"]
    return post


def document_kind(doc: Document) -> str:
    classes = doc.body_classes
    if "attachment" in classes or any(c.startswith("attachmentid-") for c in classes):
        return "attachment"  # a media file's own page (body_class() of attachment.php)
    if "error404" in classes:
        return "error"  # the theme's 404 page, whatever the status code said
    if classes & {"single", "single-post", "postid"} or any(c.startswith("postid-") for c in classes):
        return "post"
    is_page = "page" in classes or any(c.startswith("page-id-") for c in classes)
    if is_page and not classes & {"home", "blog", "archive"}:
        return "page"
    if classes & {"home", "blog", "archive", "category", "tag", "author", "date", "search"}:
        return "listing"
    entries = [
        element
        for element in doc.index.id_starting("post-")
        if element.tag == "article" or "post" in (element.get("class") or "")
    ]
    if not entries:
        # post_class() without an id on the element: `post-26 post hentry` (older themes).
        entries = [
            element
            for element in doc.index.with_class("hentry", "type-post", "type-page")
            if any(_POST_CLASS.fullmatch(token) for token in (element.get("class") or "").split())
        ]
    if len(entries) > 1:
        return "listing"
    if len(entries) == 1 or doc.index.id_starting("comment-"):
        return "post"
    return "other"


_POST_CLASS = re.compile(r"post-\d{1,19}")


def single_entry(doc: Document) -> bool:
    """Whether the page holds one entry as old themes mark it: one `id="post-N"` (the_ID()), or
    without ids, one element of class `post`, `hentry` or `entry`."""
    ids = [e for e in doc.index.id_starting("post-") if e.get("id", "")[5:].isdigit()]
    if ids:
        return len(ids) == 1
    return len(doc.index.with_class("post", "hentry", "entry")) == 1


_ENTRY_ID_CLASS = re.compile(r"(?:postid|page-id)-(\d{1,19})")


def is_login_page(doc: Document) -> bool:
    """WordPress's login form (`wp-login.php`, `body.login`, `form#loginform`): a login wall."""
    return "login" in doc.body_classes or "loginform" in doc.index.by_id or "/wp-login.php" in doc.url


# What a page can be instead of the content asked for, with how the crawl says it.
PAGE_PROBLEMS = {
    "soft_404": "the theme's error page with status 200 (a soft 404)",
    "login_wall": "a login page (a login wall)",
}


def page_problem(doc: Document) -> str | None:
    """`soft_404` for the theme's error page, `login_wall` for WordPress's login form, else None."""
    if document_kind(doc) == "error":
        return "soft_404"
    return "login_wall" if is_login_page(doc) else None


def is_entry_page(doc: Document, wp_id: int | None, entry_type: str, title: str | None) -> bool:
    """Whether the page is the view of the entry the REST API lists as `wp_id` (never of an
    error, a login wall or another entry). body_class() names the entry (`postid-N`, `page-id-N`);
    without it, the page reads as one post or page, or its `<title>` carries the entry's title. A
    page may be the blog's posts page (page_for_posts), which WordPress shows as the listing."""
    if page_problem(doc) is not None:
        return False
    kind = document_kind(doc)
    named = {int(m[1]) for c in doc.body_classes if (m := _ENTRY_ID_CLASS.fullmatch(c))}
    if named:
        return wp_id in named
    if kind in ("post", "page") or (kind == "listing" and entry_type == "page"):
        return True
    if kind == "other" and single_entry(doc):
        return True
    shown, head = collapse(title), collapse(doc.root.findtext(".//title"))
    return bool(shown and head) and shown.casefold() in head.casefold()


def is_wordpress(text: str) -> bool:
    """Signals that WordPress made this page."""
    return bool(
        re.search(
            r"/wp-content/|/wp-includes/|<meta[^>]+generator[^>]+WordPress|api\.w\.org|wp-block-",
            text[:200_000],
            re.IGNORECASE,
        )
    )


def _ld_article(nodes: list[dict]) -> dict:
    for node in nodes:
        kind = node.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(k in ("Article", "BlogPosting", "NewsArticle") for k in kinds) or (
            "WebPage" in kinds and "datePublished" in node
        ):
            return node
    return {}


def _container(doc: Document) -> etree._Element | None:
    """The post's own element: WordPress's `post-N` wrapper, else an `hentry`, else the main region."""
    index = doc.index
    # body_class() names the post shown (`postid-N`, `page-id-N`) and post_class() its element.
    shown = own_post_id(doc.body_classes)
    for element in index.by_id.get(shown, []) if shown else []:
        if element.tag not in _NOT_CONTAINERS and not index.in_widget_area(element, include_self=False):
            return element
    for candidates in _container_candidates(index):
        for element in candidates:
            if index.in_widget_area(element, include_self=False):
                continue
            element_id = element.get("id") or ""
            if element_id.startswith("post-") and (not _POST_ID.match(element_id) or (shown and element_id != shown)):
                continue  # not a post's element, or another post's (a related post, a teaser)
            if element.tag in _NOT_CONTAINERS:
                continue  # a theme that puts the post's id on its title holds nothing in it
            return element
    return doc.root.find("body")


_POST_CLASSES = frozenset(["hentry", "post", "type-post", "type-page", "page"])
_NOT_CONTAINERS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6", "a", "span", "p"])


def _container_candidates(index: PageIndex) -> Iterator[list[etree._Element]]:
    """Candidate containers, strongest rule first, each rule's in document order."""
    with_post_id = index.id_starting("post-")
    yield [element for element in with_post_id if element.tag == "article"]
    yield [
        element
        for element in with_post_id
        if element.tag in ("div", "section") and _POST_CLASSES.intersection((element.get("class") or "").split())
    ]
    yield with_post_id
    yield index.with_class("hentry", "h-entry")
    # Block themes: no post wrapper, the main region holds the post blocks.
    blocks = index.class_containing("wp-block-post-content", "entry-content")
    yield [element for element in index.tag("main") if index.inside(element, blocks)]
    articles = [element for element in index.tag("article") if not any(a.tag == "li" for a in element.iterancestors())]
    content = index.class_containing("entry-content", "post-content")
    yield [element for element in articles if index.inside(element, content)]
    yield index.tag("main")
    yield articles
    yield [element for element, role in index.with_attribute("role") if role == "main"]
    yield index.by_id.get("content", [])
    yield index.by_id.get("main", [])


def _in_sidebar(doc: Document, element: etree._Element) -> bool:
    return doc.index.in_widget_area(element, include_self=False)


def _wp_id(doc: Document, container: etree._Element | None) -> int | None:
    for cls in doc.body_classes:
        match = _BODY_ID.match(cls)
        if match and bounded_int(match.group(1)):
            return bounded_int(match.group(1))
    if container is not None:
        match = _POST_ID.match(container.get("id") or "")
        if match and bounded_int(match.group(1)):
            return bounded_int(match.group(1))
    for link in doc.index.tag("link"):
        if link.get("rel") != "shortlink" or link.get("href") is None:
            continue
        params = dict(parse_qsl(split_url(link.get("href")).query))
        for key in ("p", "page_id"):
            if bounded_int(params.get(key)):
                return bounded_int(params[key])
    return None


def _type(doc: Document, container: etree._Element | None) -> str:
    classes = doc.body_classes
    if "page" in classes or any(c.startswith("page-id-") for c in classes):
        return "page"
    if container is not None and "type-page" in (container.get("class") or "").split():
        return "page"
    return "post"


def _title(doc: Document, container: etree._Element | None, article: dict) -> str | None:
    """The post's heading. Of the headings that may be it (the theme's title classes, then h1-h3,
    those inside the post first), the first that the page's own metadata confirms: `og:title`,
    JSON-LD `headline`, or a part of `<title>` between its separators that is not the site's name.
    A heading in the post with hAtom's `entry-title` (or the block theme's post title) is not
    outranked by a later unclassed heading that the metadata confirms (a product description's h2).
    With none confirmed, the metadata's title, else the first heading."""
    index = doc.index
    known_sites: list[set[str]] = []

    def is_site(comparable: str) -> bool:  # the site's names, looked for only when needed
        if not known_sites:
            known_sites.append(_site_names(doc))
        return comparable in known_sites[0]

    references = {_comparable(value) for value in (article.get("headline"), _meta(doc, "og:title"))} - {""}
    parts = _title_tag_parts(doc)
    confirmed = references | (parts if len(parts) > 1 else set())
    classed, first, entry_title = None, None, False
    for rule, candidates in enumerate(_title_candidates(index, container)):
        if entry_title and rule >= _CLASSED_RULES:
            break  # an unclassed heading that the metadata repeats does not outrank the_title()'s
        for element in candidates:
            if _in_sidebar(doc, element) or index.in_comment_section(element):
                continue
            title = collapse(text_of(element))
            if not title:
                continue
            comparable = _comparable(title)
            if (comparable in confirmed and not is_site(comparable)) or (len(parts) == 1 and comparable in parts):
                # A heading above it that is this title and more (a series name or subtitle that
                # the metadata drops) is the post's heading; this one repeats it lower down.
                if first and _comparable(first).startswith(comparable):
                    return first
                if comparable not in references:
                    # Confirmed by a piece of the <title> alone: a title with a separator in it
                    # ("Name – what it is – Site") whose first piece a heading in the post repeats.
                    return _whole_title_heading(doc, comparable, parts, is_site) or title
                return title
            in_post = container is not None and rule < _HEADING_RULES and index.contains(container, element)
            if in_post and rule < _CLASSED_RULES and classed is None and element.tag not in _BLOCK_TAGS:
                classed = title
                # hAtom's entry-title (or the block title) on a heading: the_title() as shown.
                # Not one of a list of other posts (a Query Loop, related posts) in the post's element.
                entry_title = (
                    rule < _ENTRY_TITLE_RULES
                    and element.tag in _HEADING_TAGS
                    and not belongs_elsewhere(element, own_post_id(doc.body_classes), {})
                )
            elif in_post and first is None and not is_site(comparable):
                first = title
    if classed:
        return classed
    for value in (article.get("headline"), _meta(doc, "og:title")):
        if value and not is_site(_comparable(str(value))):
            return _without_site(collapse(html.unescape(str(value))), known_sites[0])
    # "Site » Post" where one part is the site's name: the other part.
    pieces = _title_tag_pieces(doc)
    if len(pieces) == 2 and sum(is_site(_comparable(piece)) for piece in pieces) == 1:
        part = next(piece for piece in pieces if not is_site(_comparable(piece)))
        # The post's first heading, when it is this part and more (a subtitle the <title> drops).
        return first if first and _comparable(first).startswith(_comparable(part)) else part
    return first or _title_tag(doc)


def _whole_title_heading(doc: Document, piece: str, parts: set[str], is_site: Callable[[str], bool]) -> str | None:
    """A heading of the theme's title classes or an `h1`, anywhere outside the sidebars and the
    comments, whose text is a longer run of the `<title>`'s pieces that holds this piece: the
    post's whole title, where the heading that matched only repeats a part of it."""
    index = doc.index
    for candidates in (_title_class_headings(index), index.tag("h1")):
        for element in candidates:
            if _in_sidebar(doc, element) or index.in_comment_section(element):
                continue
            text = collapse(text_of(element))
            comparable = _comparable(text)
            if len(comparable) > len(piece) and piece in comparable and comparable in parts and not is_site(comparable):
                return text
    return None


def _title_class_headings(index: PageIndex) -> list[etree._Element]:
    found = index.with_class("entry-title", "wp-block-post-title", *_TITLE_CLASSES)
    return [element for element in found if element.tag in _HEADING_TAGS]


# A title class on a block (a "post-title" div with the category and the date) is a header area,
# not the title itself, unless the page's metadata confirms its text.
_BLOCK_TAGS = frozenset(["div", "section", "header", "article"])
_CLASSED_RULES, _HEADING_RULES = 3, 6  # the theme's title classes, then h1-h3; then the whole page
_ENTRY_TITLE_RULES = 2  # hAtom's entry-title, the block theme's wp-block-post-title
_HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])


def _site_names(doc: Document) -> set[str]:
    """The site's name as the page may show it (comparable): `og:site_name`, the site-title
    element, the text of links to the home page, and the site's host name ("Post | EXAMPLE.com")."""
    names = {_comparable(_site_name(doc))}
    for url in (doc.url, _meta(doc, "og:url")):
        host = split_url(url).hostname if url else None
        if host and "." in host:
            names.update((host, host.removeprefix("www.")))
    index = doc.index
    homes = _home_links(doc)
    rels, hrefs = index.link_attribute("rel"), index.link_attribute("href")
    for anchor in index.tag("a"):
        href = hrefs[anchor]
        if rels[anchor] == "home" or (href and href.strip() in homes):
            names.add(_comparable(text_of(anchor)))
    names.discard("")
    return names


# The site's root as a static mirror (wget -k, HTTrack) writes it relatively: the steps up before
# WordPress's own folders, which sit at the root ("../../wp-content/themes/…" on a post two folders
# down), so its home link is "../../index.html" and "index.html" is the post's own folder.
_MIRROR_ROOT = re.compile(r"^((?:\./)?(?:\.\./)*)wp-(?:content|includes)/")
_INDEX_FILES = ("", "index.html", "index.htm", "index.php")


def _home_links(doc: Document) -> set[str]:
    """How the page's links to the site's home may be written: its root URL (`home_url()`, as
    themes link the site's name), and the relative root of a static mirror with its index file."""
    root = absolute_url(doc.url, "/")
    homes = {"/", root, root.rstrip("/")}
    index = doc.index
    # wp_head()'s stylesheets and scripts, which every theme prints.
    for tag, attribute in (("link", "href"), ("script", "src")):
        for element in index.tag(tag):
            value = element.get(attribute)
            match = _MIRROR_ROOT.match(value) if value and "wp-" in value else None
            if match:
                homes.update(match.group(1) + name for name in _INDEX_FILES)
                homes.discard("")  # the page itself
                return homes
    return homes


def _without_site(title: str, sites: set[str]) -> str:
    """ "Post | Site" without the site's part."""
    pieces = _TITLE_SEPARATORS.split(title)
    if len(pieces) > 1 and _comparable(pieces[-1]) in sites:
        return title[: title.rfind(pieces[-1])].rstrip(_TITLE_SEPARATOR_EDGES)
    if len(pieces) > 1 and _comparable(pieces[0]) in sites:
        return title[len(pieces[0]) :].lstrip(_TITLE_SEPARATOR_EDGES)
    return title


def _title_candidates(index: PageIndex, container: etree._Element | None) -> Iterator[list[etree._Element]]:
    rules = (
        index.with_class("entry-title"),
        index.with_class("wp-block-post-title"),
        index.with_class(*_TITLE_CLASSES),
        index.tag("h1"),
        index.tag("h2"),
        index.tag("h3"),
    )
    for candidates in rules:
        yield _within(index, container, candidates) if container is not None else []
    for candidates in rules[:4]:
        yield candidates


_TITLE_CLASSES = ("post-title", "posttitle", "storytitle", "p-name", "page-title", "single-title")
_TITLE_SEPARATORS = re.compile(r"\s+[" + re.escape(TITLE_SEPARATORS) + r"]\s+|\s+::\s+|\s*[|»«]\s*")
_TITLE_SEPARATOR_EDGES = " " + TITLE_SEPARATORS


_LONGEST_TITLE, _MOST_TITLE_PARTS = 400, 8


def _title_tag_pieces(doc: Document) -> list[str]:
    """The `<title>`'s pieces between separators, as written."""
    tag = doc.index.page_title()
    title = collapse(text_of(tag)) if tag is not None else None
    if not title or len(title) > _LONGEST_TITLE:
        return []
    return [piece.strip() for piece in _TITLE_SEPARATORS.split(title) if piece.strip()][:_MOST_TITLE_PARTS]


def _title_tag_parts(doc: Document) -> set[str]:
    """The `<title>`'s parts between separators ("Post | Site", "Site » Blog Archive » Post"),
    each comparable, and every run of neighbouring parts (a title may hold a separator itself)."""
    tag = doc.index.page_title()
    title = collapse(text_of(tag)) if tag is not None else None
    if not title or len(title) > _LONGEST_TITLE:
        return set()  # none, or not a title (an unclosed <title> runs into the page)
    pieces = [piece for piece in _TITLE_SEPARATORS.split(title) if piece.strip()][:_MOST_TITLE_PARTS]
    parts = {_comparable(title)}
    if len(pieces) > 1:
        separators = _TITLE_SEPARATORS.findall(title)
        for start in range(len(pieces)):
            for stop in range(start + 1, len(pieces) + 1):
                if (start, stop) == (0, len(pieces)):
                    continue
                text = pieces[start]
                for number in range(start + 1, stop):
                    text += separators[number - 1] + pieces[number]
                parts.add(_comparable(text))
    return parts


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "…": "...", "\xa0": " "})
# wptexturize(), which the_title() runs, prints "..." as an ellipsis and "--", "---" as dashes;
# the metadata (og:title, JSON-LD, <title> of SEO plugins) often keeps what the author typed.
_TYPED_DASHES = re.compile(r"-{2,3}")


def _comparable(value: str | None) -> str:
    """Text as two spellings of one title compare: entities decoded, quotes, dashes and
    ellipses plain (as wptexturize() would print them or not), whitespace collapsed, case folded."""
    if not value:
        return ""
    value = str(value)
    if "&" in value:
        value = html.unescape(value)
    if not value.isascii():
        value = value.translate(_QUOTES)
    if "--" in value:
        value = _TYPED_DASHES.sub("-", value)
    return " ".join(value.split()).casefold()


def _within(index: PageIndex, scope: etree._Element | None, candidates: list[etree._Element]) -> list:
    """The candidates inside the scope (the whole page when there is none)."""
    if scope is None or scope is index.elements[0]:
        return candidates
    return index.inside(scope, candidates)


def _meta(doc: Document, name: str) -> str | None:
    """The content of the first `<meta property=name>` (or `name=name`) that has one."""
    for meta_property, meta_name, meta in doc.meta_names:
        if (meta_property == name or meta_name == name) and meta.get("content") is not None:
            return meta.get("content")
    return None


def _title_tag(doc: Document) -> str | None:
    tag = doc.index.page_title()
    title = collapse(tag.text) if tag is not None else None
    if not title:
        return None
    return re.split(r"\s+[|»›‹–—-]\s+|\s+::\s+", title)[0] or title


def _author(doc: Document, container: etree._Element | None, article: dict) -> str | None:
    if container is not None:
        index = doc.index
        for candidates in _author_candidates(index, container):
            for element in index.inside(container, candidates):
                if index.in_comment_section(element) or index.inside_marked(element, _is_author_bio):
                    continue
                name = _name_in_byline(collapse(text_of(element)))
                if name:
                    return name
        # Last: the author box some themes show instead of a byline ("By Jane Student").
        headings = index.in_order([index.tag("h2"), index.tag("h3"), index.tag("h4")])
        names = index.in_order([index.class_containing("author-title", "author-name"), headings])
        for box in index.inside(
            container, index.class_containing("author-bio", "author-info", "author-box", "about-author")
        ):
            for element in index.inside(box, names):
                name = _AUTHOR_BOX_PREFIX.sub("", collapse(text_of(element)) or "")
                name = _name_in_byline(name)
                if name:
                    return name
    name = _author_in_post_lines(doc, container)
    if name:
        return name
    return _ld_author(doc, article) or _author_in_metadata(doc)


def _ld_author(doc: Document, article: dict) -> str | None:
    """The article's JSON-LD `author`: its name, or the name of the Person node it points to.
    schema.org also allows a URL there (the author's page): that is no name."""
    author = article.get("author")
    if isinstance(author, list):
        author = author[0] if author else None
    if isinstance(author, dict):
        # Yoast's graph names the author in a Person node the article points to by "@id".
        author = author.get("name") or _graph_name(doc, author.get("@id"))
    if not author or _URL_VALUE.match(str(author).strip()):
        return None
    return _name_in_byline(collapse(str(author)))


_URL_VALUE = re.compile(r"(?:https?:)?//|www\.", re.IGNORECASE)


def _agreeing_author(doc: Document, article: dict, name: str | None) -> str | None:
    """The name read, checked against the page's metadata. A byline's text that is a name the
    metadata states (JSON-LD `author`, `meta name=author`, microdata, Yoast's "Written by") and more
    words with a number in them is that name and the byline's date or time after it ("R4ndom on
    Jun.08"): the metadata's name is taken. Only a name with a digit is looked at twice."""
    if not name or not any(character.isdigit() for character in name):
        return name
    for stated in (_ld_author(doc, article), _author_in_metadata(doc)):
        if not stated or len(stated) >= len(name):
            continue
        rest = name[len(stated) :]
        if _comparable(name).startswith(_comparable(stated)) and rest[:1].isspace() and any(c.isdigit() for c in rest):
            return stated
    return name


def _author_in_post_lines(doc: Document, container: etree._Element | None) -> str | None:
    """A byline the rules above do not know by class: the_author_posts_link()'s `/author/slug/`
    link, or "by Name" in the post's meta line ("Written on July 6, 2007 by mimecine"), in the
    post's element or the header above it."""
    index = doc.index
    scopes = _date_scopes(doc, container)
    if len(scopes) > 1 and container is not None and container.getparent() is not None:
        # Above the post only within its parent: a teaser list higher up has bylines of its own.
        scopes = [scopes[0], (index.pos(container.getparent()), index.pos(container) - 1)]
    hrefs = index.link_attribute("href")
    links = [anchor for anchor in index.tag("a") if "/author/" in (hrefs[anchor] or "")]
    own_post, memo = own_post_id(doc.body_classes), {}
    for anchor in _in_scopes(index, scopes, links):
        if any(ancestor.tag == "blockquote" for ancestor in anchor.iterancestors()):
            continue  # a quote's attribution in the text ("Ryan Merkley, CEO"), not the byline
        if not index.inside_marked(anchor, _is_author_bio) and not belongs_elsewhere(anchor, own_post, memo):
            text = collapse(text_of(anchor)) or ""
            found = _BY_WORD.search(text)
            if found and found.start() > 0:
                continue  # "posts by jose": a link to the archive in the post's text, not the byline
            name = _name_in_byline(text)
            if name:
                return name
    marked = index.in_order([index.class_containing(*_META_LINE_PARTS), index.id_containing(*_META_LINE_IDS)])
    lines = [e for e in marked if index.end(e) - index.pos(e) <= 30]
    # Inner lines before the line that holds them ("Von: Name" before "Datum: … Von: Name Tags: …").
    lines.sort(key=lambda element: (index.end(element), -index.pos(element)))
    for element in _in_scopes(index, scopes, lines):
        text = collapse(text_of(element)) or ""
        # The last "by": "Reblogged from X: ... Posted by Name under ..." names the author last.
        found = list(_byline_words(text))[-1:] if len(text) <= 200 else []
        name = _name_in_byline(text[found[0].end() :]) if found else None
        if name:
            return name
    # Kubrick and the themes built on it print the post's meta line in a <small> under the title
    # ("By Name under Python on 17. November 2005"): read when it starts with the byline, or with
    # the date before it ("11.09.2011, 16:20 von Name").
    for element in _in_scopes(index, scopes, index.tag("small")):
        text = collapse(text_of(element)) or ""
        inside = _BY_INSIDE.search(text)
        dated = inside is not None and any(character.isdigit() for character in text[: inside.start()])
        if len(text) <= 200 and (_BY_WORD.match(text) or dated):
            name = _name_in_byline(text)
            if name:
                return name
    return None


def _byline_words(text: str) -> Iterator[re.Match[str]]:
    """The words for "by" in a meta line, without a "von" inside a name ("Justus von Daniels"):
    one after a capitalised word that is not a byline's verb ("Veröffentlicht von")."""
    for found in _BY_WORD.finditer(text):
        if found.group(0).strip().lower().startswith("von"):
            before = text[: found.start()].split()
            if before and before[-1][:1].isupper() and before[-1].lower() not in _BYLINE_VERBS:
                continue
        yield found


_META_LINE_PARTS = ("meta", "info", "byline", "post_author", "author", "posted", "date", "datum")
_META_LINE_IDS = ("meta", "byline")  # a meta line marked by its id alone (`<div id="meta">`)
_BY_WORD = re.compile(r"(?:^|\s)(?:by|von|durch|par|por|door|av)\s*:?\s+(?=\S)", re.IGNORECASE)
# Yoast's "Written by" label before the author in twitter:data1, in its common languages.
_WRITTEN_BY = re.compile(r"^(written by|verfasst von|geschrieben von|écrit par|escrito por|scritto da)$", re.I)


def _graph_name(doc: Document, node_id: object) -> str | None:
    if not isinstance(node_id, str):
        return None
    for node in doc.json_ld:
        if node.get("@id") == node_id and isinstance(node.get("name"), str):
            return node["name"]
    return None


def _author_in_metadata(doc: Document) -> str | None:
    """The author the page's metadata names: microdata `itemprop="author"`, Yoast's "Written by"
    twitter label, `<meta name="author">`."""
    for element, itemprop in doc.index.with_attribute("itemprop"):
        if itemprop == "author" and not doc.index.in_comment_section(element):
            inner = [e for e in element.iter() if e.get("itemprop") == "name"]
            value = element.get("content") or collapse(text_of(inner[0] if inner else element))
            name = _name_in_byline(value)
            if name:
                return name
    label = _meta(doc, "twitter:label1")
    if label and _WRITTEN_BY.match(label.strip()):
        name = _name_in_byline(_meta(doc, "twitter:data1"))
        if name:
            return name
    stated = _meta(doc, "author")
    name = _name_in_byline(stated)
    if name and (_HOST_NAME.match(name) or _comparable(name) in _site_names(doc)):
        return None  # the site, not a person ("example.com" as the author of every page)
    if name and (_URL_INSIDE.search(stated or "") or _credited_maker(doc, name)):
        return None  # the theme's maker, written into its header ("Arentik - www.arentik.com")
    return name


_HOST_NAME = re.compile(r"^[\w-]+(\.[\w-]+)+$")
_URL_INSIDE = re.compile(r"https?://|www\.", re.IGNORECASE)
# A footer's credit before the maker's name: "Theme by", "Design von", "Powered by".
_CREDIT = re.compile(
    r"(?:theme|design|designed|developed|made|built|powered|template|realisiert|gestaltet)\s+(?:by|von|par|por)\s*:?\s*$",
    re.IGNORECASE,
)


def _credited_maker(doc: Document, name: str) -> bool:
    """True when a link with the name follows a credit line's words ("Theme by <a>Name</a>")."""
    for anchor in doc.index.tag("a"):
        if collapse(text_of(anchor)) != name:
            continue
        previous, parent = anchor.getprevious(), anchor.getparent()
        before = previous.tail if previous is not None else parent.text if parent is not None else None
        if before and _CREDIT.search(before):
            return True
    return False


def _author_candidates(index: PageIndex, container: etree._Element) -> Iterator[list[etree._Element]]:
    yield index.with_class("wp-block-post-author-name", "wp-block-post-author__name")
    cards = [
        element
        for element in index.inside(container, index.with_class("author"))
        if "vcard" in (element.get("class") or "").split()
    ]
    fns, anchors = index.with_class("fn"), index.tag("a")
    yield index.in_order(group for card in cards for group in (index.inside(card, fns), index.inside(card, anchors)))
    yield cards
    rels, hrefs = index.link_attribute("rel"), index.link_attribute("href")
    author_links = [
        anchor for anchor in index.tag("a") if rels[anchor] == "author" or "author" in (hrefs[anchor] or "")
    ]
    bylines = index.inside(container, index.class_containing("byline", "posted-by", "post-author", "entry-author"))
    yield index.in_order(index.inside(byline, author_links) for byline in bylines)
    yield [anchor for anchor in index.tag("a") if rels[anchor] == "author"]
    yield index.with_class("entry-author-name", "p-author", "post-author", "byline", "author")


# "Posted by", "Published by", "Written by" as themes' translations print them (de, nl, fr, es,
# pt, it, sv, no, da), then the bare word for "by".
_BYLINE_VERB_WORDS = (
    "posted|published|written|veröffentlicht|verfasst|geschrieben|gepostet|geplaatst|geschreven"
    "|gepubliceerd|publié|posté|écrit|rédigé|publicado|escrito|postado|pubblicato|scritto|postato"
    "|publicerad|skriven|skrevet|publisert|postet|udgivet"
)
_BYLINE_VERBS = frozenset(_BYLINE_VERB_WORDS.split("|"))
_BYLINE_PREFIX = re.compile(
    r"^(?:(?:" + _BYLINE_VERB_WORDS + r")\s+)?"
    r"(?:by|von|durch|par|por|door|av|af|di)\s*:?\s+"
    r"|^(?:pubblicato|scritto|postato)\s+da\s*:?\s+",
    re.IGNORECASE,
)
_AUTHOR_BOX_PREFIX = re.compile(
    r"^(?:by|about|über|à propos de|sobre|acerca de|published by|posted by|written by|von|par|por)\s*:?\s+",
    re.IGNORECASE,
)
# Where a byline's name ends: a separator, or a date word before a number ("am 29. Mai 2017",
# "on 3 May"; not any short word: "Jane Doe 2012" keeps "Doe"), or a date's words.
_BYLINE_END = re.compile(
    r"\s*(?:[|•·,;]|\s[-–—]\s|\s(?:on|at|am|um|le|el|de|del|il|op|em|no|na|om|den)\s+\d|\s\d"
    r"|\s(?i:in|under|filed under|im|in der|dans|en)\s"
    r"|\s(?:on|am|le|el)\s+[^\W\d_]+\.?\s+\d"  # "by Name on August 5, 2019", "von Name am Montag, ..."
    r"|\s(?i:updated|last updated|published|aktualisiert|mis à jour|actualizado|atualizado|aggiornato)\s*:)",
    re.UNICODE,
)
# "2nd of March 2010 by admin": the date first, then the name.
_BY_INSIDE = re.compile(r"\s(?:by|von|par|por|door)\s*:?\s+(?=\S)", re.IGNORECASE)


def _name_in_byline(text: str | None) -> str | None:
    """The author's name out of a byline's text ("By: Jane Doe | March 3, 2012" is "Jane Doe")."""
    if not text:
        return None
    text = html.unescape(text) if "&" in text else text
    inside = _BY_INSIDE.search(text)
    if inside and any(character.isdigit() for character in text[: inside.start()]):
        text = text[inside.end() :]
    name = _BYLINE_PREFIX.sub("", text)
    end = _BYLINE_END.search(name)
    if end and end.start() > 0:
        name = name[: end.start()]
    name = name.strip(" :")
    if _NOT_A_NAME.match(name):
        return None  # "expressed by the author", "written by a student": words, not a name
    return name if 0 < len(name) <= 80 else None


# A name does not begin with a lowercase article or possessive ("by the author", "von der Redaktion").
_NOT_A_NAME = re.compile(r"(?:the|a|an|my|our|this|his|her|their|der|die|das|den|dem|le|la|les|un|une|ein|eine)\s")


def _author_from_own_comments(doc: Document, comments: list[Comment]) -> str | None:
    """The post's author as WordPress names them in the thread: a comment the post's author wrote
    carries the class `bypostauthor` (used when the page prints no byline)."""
    authors = {comment.wp_id: comment.author for comment in comments if comment.wp_id is not None}
    names = set()
    for node in doc.index.with_class("bypostauthor"):
        match = COMMENT_ID.match(node.get("id") or "")
        name = authors.get(bounded_int(match.group(1))) if match else None
        if name:
            names.add(name)
    # Comments written under two names (a display name changed since) do not say which is shown.
    return names.pop() if len(names) == 1 else None


def _is_author_bio(element: etree._Element) -> bool:
    """The "about the author" box (by class or id)."""
    marker = f"{element.get('class', '')} {element.get('id', '')}".lower()
    return "author" in marker and any(word in marker for word in _AUTHOR_BIO)  # every word has "author"


def _dates(
    doc: Document, container: etree._Element | None, article: dict, kind: str, title: str | None = None
) -> tuple[str | None, str | None]:
    """The publication date, strongest signal first: the post's machine-readable dates
    (`time.entry-date`, `time.published`, `abbr.published`, any `time`), schema.org's
    `datePublished` (JSON-LD, microdata) and `article:published_time`, a date in the words of the
    post's date or meta line, and last the day in a `/YYYY/MM/DD/` permalink. Elements are looked
    for in the post's element first, then above it (themes put the header before the post's
    wrapper), never in the comments, widgets, or what follows the post."""
    index = doc.index
    times = [element for element in index.tag("time") if element.get("datetime") is not None]
    scopes = _date_scopes(doc, container)
    published = _machine_date(index, scopes, _date_candidates(index, times))
    in_utc = False
    if not published:
        value = article.get("datePublished") or _meta(doc, "article:published_time") or _microdata_published(doc)
        published = normalise_machine_date(value) if value else None
        in_utc = bool(published) and published.endswith("+00:00")
    if not published or in_utc:
        # A date in UTC may fall on the next or the previous day of the one the reader is shown.
        text_rules = (
            index.in_order([index.with_class(*_DATE_TEXT_CLASSES), index.class_containing("byline")]),
            [
                element
                for element in index.in_order(
                    [index.class_containing(*_DATE_TEXT_PARTS), index.id_containing(*_META_LINE_IDS)]
                )
                if _is_date_line(element)
            ],
            index.tag("small"),
        )
        shown = None
        # hAtom's `updated` (the modified date) inside a meta line, often hidden: not the line's date.
        updated = [e for e in index.with_class("updated") if "published" not in (e.get("class") or "").split()]
        for candidates in text_rules:
            for element in _in_scopes(index, scopes, candidates):
                text = text_start(element, _DATE_TEXT_LIMIT)
                if _UPDATED_LINE.match(text):
                    continue  # "Last updated on March 12, 2026": the modified date, not the published
                for mark in index.inside(element, updated) if updated else ():
                    modified = collapse(text_of(mark))
                    text = " ".join(text.split()).replace(modified, " ") if modified else text
                shown = parse_text_date(text, doc.language)
                if shown:
                    break
            if shown:
                break
        if not published and not shown:
            shown = _unmarked_date_line(doc, scopes, title)
        if not published or shown and _days_apart(shown, published) == 1:
            published = shown
    if not published:
        published = _machine_date(index, scopes, iter([times]))  # a time of the post's, unclassed
    published = _agreeing_published(doc, article, published)
    modified = None
    # `time.updated` that is not also the publication date (themes mark one element with both).
    updated = [
        element.get("datetime")
        for element in _within(index, container, times)
        if "updated" in (tokens := (element.get("class") or "").split()) and "published" not in tokens
    ]
    for value in [*updated, article.get("dateModified"), _meta(doc, "article:modified_time")]:
        modified = normalise_machine_date(value) if value else None
        if modified:
            break
    return published, modified


def _agreeing_published(doc: Document, article: dict, published: str | None) -> str | None:
    """The date read, checked against the sources it must agree with, or what they state instead.

    - The shown date is the modified one when it is the day of the page's `dateModified` /
      `article:modified_time` and the page's `datePublished` / `article:published_time` states
      another (more than a day apart: not a time zone): the theme prints the_modified_date().
      The published metadata is taken.
    - A date permalink (`/%year%/%monthnum%/%day%/`) is made from the post's date: a date more than
      a day from its day is another date of the page (a comment's, a related post's); the
      permalink's day is taken. With the year and month alone (`/%year%/%monthnum%/%postname%/`), a
      date outside that month (a day's margin for time zones) is dropped: NULL."""
    if published:
        stated = article.get("datePublished") or _meta(doc, "article:published_time")
        changed = article.get("dateModified") or _meta(doc, "article:modified_time")
        stated = normalise_machine_date(str(stated)) if stated else None
        changed = normalise_machine_date(str(changed)) if changed else None
        if stated and changed and changed[:10] == published[:10] and (_days_apart(stated, published) or 0) > 1:
            published = stated
    url = doc.canonical_url or doc.url
    day = _permalink_day(url)
    if day:
        return published if published and (_days_apart(published, day) or 0) <= 1 else day
    month = _PERMALINK_MONTH.search(url or "")
    if published and month:
        year, number = int(month.group(1)), int(month.group(2))
        first, following = date(year, number, 1), date(year + number // 12, number % 12 + 1, 1)
        try:
            read = date.fromisoformat(published[:10])
        except ValueError:
            return published
        if not first - timedelta(days=1) <= read <= following:  # the month, and a day either side
            return None
    return published


_PERMALINK_MONTH = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])/")


_DATE_TEXT_CLASSES = (
    "entry-date",
    "post-date",
    "published",
    "posted-on",
    "date",
    "postdate",
    "entry-meta",
    "postmetadata",
    "post-info",
    "meta",
    "headline_meta",
    "post-meta",
    "entry-utility",
)


# Parts of the class of a post's date or meta line (the exact tokens above come first).
_DATE_TEXT_PARTS = ("date", "datum", "posted", "published", "meta", "info", "detail", "byline", "post-title")
_NOT_DATE_LINE = re.compile(r"updat|modif|comment|widget|archive|calendar", re.IGNORECASE)


_DATE_TEXT_LIMIT = 400  # parse_text_date reads no further


# A line that states the update first ("Last updated on …", "Updated: …", "Aktualisiert am …"), as
# themes and SEO plugins print the modified date beside or instead of the published one.
def _unmarked_date_line(doc: Document, scopes: list[tuple[int, int]], title: str | None) -> str | None:
    """A date the theme prints with no class, read only where nothing else dates the post: a
    paragraph that begins by stating it ("Posted on May 3, 2019", "Veröffentlicht am 16.08.2019"),
    or a line that is only a date right after the post's heading ("<h1>Title</h1><p>January 22,
    2014</p>")."""
    index = doc.index
    if title:
        headings = index.in_order([index.tag("h1"), index.tag("h2"), index.tag("h3")])
        for heading in _in_scopes(index, scopes, headings):
            line = heading.getnext()
            if line is None or collapse(text_of(heading)) != title:
                continue
            text = collapse(text_of(line)) or ""
            words = sum(any(character.isalpha() for character in word) for word in text.split())
            if len(text) <= _LONGEST_DATE_LINE and words <= 3 and text[:1].isalnum():  # a date, not a sentence
                found = parse_text_date(text, doc.language)
                if found:
                    return found
    # The phrase begins the paragraph's own text.
    stating = [paragraph for paragraph in index.tag("p") if _PUBLISHED_PHRASE.match(paragraph.text or "")]
    for paragraph in _in_scopes(index, scopes, stating) if stating else ():
        start = text_start(paragraph, 120)
        stated = _PUBLISHED_PHRASE.match(start)
        if stated:
            found = parse_text_date(start[stated.end() :][:40], doc.language)
            if found:
                return found
    return None


_LONGEST_DATE_LINE = 40  # "Wednesday, 22. January 2014, 10:30 Uhr" and no more
# A paragraph that begins by stating the publication: "Published on", "Veröffentlicht am", ...
_PUBLISHED_PHRASE = re.compile(
    r"\s*(?:published|posted|veröffentlicht|publié|publicado|pubblicato|gepubliceerd|geplaatst|publicerad)"
    r"\s+(?:on|am|le|el|em|il|op|den|:)\s*",
    re.IGNORECASE,
)


_UPDATED_LINE = re.compile(
    r"\W*(?:last\s+|zuletzt\s+|dernière\s+)?(?:updated|modified|aktualisiert|geändert|mise?\s+à\s+jour"
    r"|actualizado|atualizado|aggiornato|bijgewerkt|oppdatert|uppdaterad)\b",
    re.IGNORECASE,
)


def _is_date_line(element: etree._Element) -> bool:
    return not _NOT_DATE_LINE.search(element.get("class") or "")


def _date_scopes(doc: Document, container: etree._Element | None) -> list[tuple[int, int]]:
    """Position ranges where the post's own date may be: its element, then what comes before it."""
    index = doc.index
    if container is None or container is index.elements[0] or container.tag == "body":
        return [(0, len(index.elements) - 1)]
    return [(index.pos(container), index.end(container)), (0, index.pos(container) - 1)]


def _in_scopes(index: PageIndex, scopes: list[tuple[int, int]], candidates: list[etree._Element]) -> Iterator:
    """The candidates in each scope in turn, skipping the comment section, any comment (by the id
    WordPress gives it, where the section has no name the rules know) and widget areas."""
    for start, stop in scopes:
        for element in candidates:
            position = index.pos(element)
            if (
                start <= position <= stop
                and not index.in_comment_section(element)
                and not index.in_widget_area(element, include_self=False)
                and not index.inside_marked(element, _is_comment_element)
            ):
                yield element


def _is_comment_element(element: etree._Element) -> bool:
    """A comment's element: `comment-N`, `li-comment-N`, `div-comment-N`."""
    element_id = element.get("id")
    return bool(element_id) and "comment-" in element_id and COMMENT_ID.match(element_id) is not None


def _microdata_published(doc: Document) -> str | None:
    """schema.org microdata: `itemprop="datePublished"` (content, datetime or text)."""
    for element, itemprop in doc.index.with_attribute("itemprop"):
        if itemprop == "datePublished":
            return element.get("content") or element.get("datetime") or collapse(text_of(element))
    return None


_PERMALINK_DAY = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])/")


def _permalink_day(url: str | None) -> str | None:
    """The day of a `/%year%/%monthnum%/%day%/` permalink."""
    match = _PERMALINK_DAY.search(url or "")
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else None


def _date_candidates(index: PageIndex, times: list[etree._Element]) -> Iterator[list[etree._Element]]:
    def classed(elements: list[etree._Element], token: str) -> list[etree._Element]:
        return [element for element in elements if token in (element.get("class") or "").split()]

    yield classed(times, "entry-date")
    yield classed(times, "published")
    yield index.in_order(index.inside(block, times) for block in index.with_class("wp-block-post-date"))
    yield [element for element in classed(index.tag("abbr"), "published") if element.get("title")]


def _machine_date(index: PageIndex, scopes: list[tuple[int, int]], rules: Iterator[list]) -> str | None:
    """The first machine-readable date (`datetime`, `title`) of the rules' elements in the scopes."""
    for candidates in rules:
        for element in _in_scopes(index, scopes, candidates):
            found = normalise_machine_date(element.get("datetime") or element.get("title"))
            if found:
                return found
    return None


def _days_apart(one: str, other: str) -> int | None:
    try:
        return abs((date.fromisoformat(one[:10]) - date.fromisoformat(other[:10])).days)
    except ValueError:
        return None


def _terms(doc: Document, container: etree._Element | None) -> list[Term]:
    index = doc.index
    terms: list[Term] = []
    seen: set[tuple[str, str]] = set()
    rels, hrefs = index.link_attribute("rel"), index.link_attribute("href")

    def add(taxonomy: str, anchor: etree._Element) -> None:
        name = collapse(text_of(anchor))
        if name and (taxonomy, name) not in seen and not _in_sidebar(doc, anchor):
            seen.add((taxonomy, name))
            href = hrefs[anchor]
            terms.append(Term(taxonomy, name, absolute_url(doc.url, href) if href else None))

    # Links with a rel, and links in a term list ("Posted in ...", `.cat-links`), in page order.
    lists = index.class_containing("taxonomy-", "cat-links", "tags-links", "entry-categories", "entry-tags")
    anchors = _within(index, container, index.tag("a"))
    listed = {anchor for term_list in lists for anchor in index.inside(term_list, anchors)}
    for anchor in anchors:
        if rels[anchor] is None and (hrefs[anchor] is None or anchor not in listed):
            continue
        taxonomy = _taxonomy(anchor, rels[anchor], hrefs[anchor])
        if taxonomy:
            add(taxonomy, anchor)
    if not terms and container is not None and container is not doc.root:
        # Some themes print the post's terms outside its container (above the title, in a bar).
        for anchor in (anchor for anchor in index.tag("a") if rels[anchor] is not None):
            taxonomy = _taxonomy(anchor, rels[anchor], hrefs[anchor])
            if taxonomy and not doc.index.in_comment_section(anchor) and not _in_sidebar(doc, anchor):
                add(taxonomy, anchor)
    return terms


_CATEGORY_TOKENS = frozenset(
    [
        "cat-links",
        "cat_links",
        "categories",
        "category",
        "entry-categories",
        "post-categories",
        "taxonomy-category",
        "post-category",
    ]
)
_TAG_TOKENS = frozenset(
    ["tags-links", "tag-links", "tags", "tag", "entry-tags", "post-tags", "taxonomy-post_tag", "post_tag"]
)


_CATEGORY_LINK = re.compile(r"/category/|[?&]cat=")


def _taxonomy(anchor: etree._Element, rel_value: str | None, href_value: str | None) -> str | None:
    """category or post_tag: from rel, then the wrapper's class tokens, then the link's path
    (`rel_value` and `href_value`: the anchor's attributes)."""
    rel = (rel_value or "").split()
    if "bookmark" in rel:
        return None
    if "category" in rel:
        return "category"
    href = href_value or ""
    current = anchor.getparent()
    for _ in range(3):
        if current is None:
            break
        tokens = set((current.get("class") or "").split())
        if tokens & _CATEGORY_TOKENS:
            return "category"
        if tokens & _TAG_TOKENS:
            return "post_tag"
        current = current.getparent()
    if "tag" in rel:
        return "category" if _CATEGORY_LINK.search(href) else "post_tag"
    return None


_CONTENT_BLOCKS = frozenset(
    ["p", "blockquote", "ul", "ol", "figure", "pre", "table", "h2", "h3", "h4", "h5", "h6", "div"]
)


def _content(doc: Document, container: etree._Element | None) -> etree._Element | None:
    """The post body without share blocks, widgets, navigation or the comment section."""
    if container is None:
        return None
    index = doc.index
    found = None
    for candidates in _content_candidates(doc):
        for element in _within(index, container, candidates):
            if not doc.index.in_comment_section(element) and not _in_sidebar(doc, element):
                found = element
                break
        if found is not None:
            break
    if found is None:
        found = container
    whole_container = found is container
    cleaned = deep_copy_without(found, _junk_inside(index, found, whole_container))
    if not whole_container:
        _adopt_stray_paragraphs(index, found, cleaned)
    return cleaned


def _content_candidates(doc: Document) -> Iterator[list[etree._Element]]:
    index = doc.index
    yield index.with_class("entry-content")
    yield index.with_class("wp-block-post-content")
    body = index.with_class(
        "post-content",
        "postcontent",
        "storycontent",
        "post-body",
        "format_text",
        "e-content",
        "entry_content",
        "entrytext",
    )
    if doc.mentions("articleBody"):
        bodies = [element for element, itemprop in index.with_attribute("itemprop") if itemprop == "articleBody"]
        body = index.in_order([body, bodies])
    yield body
    yield index.with_class("entry")


def _junk_inside(index: PageIndex, element: etree._Element, whole_container: bool) -> list[etree._Element]:
    """Share blocks, widgets, navigation, meta lines and scripts inside the element (read on the
    page itself, in the index's order, without entering what is junk): what its copy leaves out."""
    junk = []
    elements = index.elements
    at, stop = index.pos(element) + 1, index.end(element)
    while at <= stop:
        child = elements[at]
        if _is_junk(child, whole_container):
            junk.append(child)
            at = index.end(child) + 1
        else:
            at += 1
    return junk


def _is_junk(element: etree._Element, whole_container: bool) -> bool:
    tag = element.tag
    if tag in _JUNK_TAGS or (whole_container and tag in _CONTAINER_JUNK_TAGS):
        return True
    classes = element.get("class") or ""
    element_id = element.get("id") or ""
    if element_id in _JUNK_IDS:
        return True
    if classes:
        if _JUNK_TOKENS.intersection(classes.split()) or any(part in classes for part in _JUNK_CLASS_PARTS):
            return True
        if whole_container and any(part in classes for part in _CONTAINER_JUNK_PARTS):
            return True
    if not classes and not element_id:
        return tag == "aside"
    return is_widget_area(element) or _is_share_block(element)


def _adopt_stray_paragraphs(index: PageIndex, found: etree._Element, cleaned: etree._Element) -> None:
    """Repair a content block closed early by a stray `</div>`: paragraphs that follow it in the
    same post container still belong to the post (without their junk)."""
    sibling = found.getnext()
    while sibling is not None and isinstance(sibling.tag, str) and sibling.tag in _CONTENT_BLOCKS:
        marker = f"{sibling.get('class', '')} {sibling.get('id', '')}"
        if sibling.tag == "div" and marker.strip():
            break  # a classed block (meta, share links, comments) ends the content
        if not _is_junk(sibling, whole_container=False):
            junk = _junk_inside(index, sibling, whole_container=False)
            cleaned.append(deep_copy_without(sibling, junk))
        sibling = sibling.getnext()


_SHARE_MARK = ("sociable", "sharing", "share", "a2a_kit", "addtoany", "addthis", "jp-relatedposts")


def _is_share_block(element: etree._Element) -> bool:
    marker = f"{element.get('class', '')} {element.get('id', '')}".lower()
    return any(word in marker for word in _SHARE_MARK)


_CAPTION_XPATH = ".//figcaption|.//*[contains(@class, 'wp-caption-text') or contains(@class, 'wp-element-caption')]"


def _images(content: etree._Element, base_url: str) -> list[Image]:
    images: list[Image] = []
    for img in content.iter("img"):
        src = img.get("src") or img.get("data-src")
        if not src or src.startswith("data:"):
            continue
        caption = None
        current = img.getparent()
        for _ in range(4):
            if current is None:
                break
            # Only a figure or a caption box holds the image's caption: searched only in those (a
            # search in every ancestor went through the whole post once per image).
            if current.tag == "figure" or "caption" in (current.get("class") or ""):
                found = xpath(current, _CAPTION_XPATH)
                if found:
                    caption = collapse(text_of(found[0]))
                    break
            current = current.getparent()
        largest = _largest_source(img)
        images.append(
            Image(
                src=absolute_url(base_url, src),
                alt=collapse(img.get("alt")),
                caption=caption,
                largest=absolute_url(base_url, largest) if largest and img.get("srcset") else None,
            )
        )
    return images


# Files a post links to that are kept with it (within ARCHIVE_MEDIA_MAX_BYTES): documents, slides,
# sheets, audio and video that WordPress's media library keeps under wp-content/uploads.
ATTACHMENT_EXTENSIONS = frozenset(
    [
        "pdf",
        "doc",
        "docx",
        "odt",
        "rtf",
        "txt",
        "ppt",
        "pptx",
        "odp",
        "pps",
        "ppsx",
        "xls",
        "xlsx",
        "ods",
        "csv",
        "zip",
        "mp3",
        "m4a",
        "ogg",
        "oga",
        "wav",
        "mp4",
        "m4v",
        "webm",
        "mov",
    ]
)


def _largest_source(img: etree._Element) -> str | None:
    """The largest candidate of an image's `srcset` (by its width or density), else its `src`."""
    best, best_size = None, -1.0
    for candidate in (img.get("srcset") or "").split(","):
        parts = candidate.split()
        if not parts:
            continue
        size = 1.0
        if len(parts) > 1 and parts[1][:-1].replace(".", "", 1).isdigit() and parts[1][-1] in "wx":
            size = float(parts[1][:-1])
        if size > best_size:
            best, best_size = parts[0], size
    src = img.get("src") or img.get("data-src")
    return best or (src if src and not src.startswith("data:") else None)


def media_urls(content: etree._Element, base_url: str) -> list[str]:
    """What a post's content shows or offers as files: each image's largest `srcset` candidate and
    its `src`, and links to attachments under `wp-content/uploads/` (ATTACHMENT_EXTENSIONS)."""
    urls: list[str] = []
    for img in content.iter("img"):
        src = img.get("src") or img.get("data-src")
        for url in (_largest_source(img), src):
            if url and not url.startswith("data:"):
                urls.append(absolute_url(base_url, url))
    for link in content.iter("a"):
        href = link.get("href") or ""
        path = href.split("?", 1)[0].split("#", 1)[0]
        if "/wp-content/uploads/" in path and path.rsplit(".", 1)[-1].lower() in ATTACHMENT_EXTENSIONS:
            urls.append(absolute_url(base_url, href))
    return list(dict.fromkeys(u for u in urls if u.startswith(("http://", "https://"))))


def declared_comment_count(doc: Document) -> int | None:
    """The number of responses the page says it has ("3 Responses to …"), or None.

    Looked for, in order: a title the theme gives the comment section (`#comments-title`,
    `.comments-title`, ...); a short heading or line at the top of the comment section; a heading
    that is itself `#comments` (Kubrick); the "12 Comments" link in the post's meta line; a heading
    anywhere that states a count. The comment form's title ("Leave a Reply") is never read."""
    index = doc.index
    forms = index.in_order([index.with_class("comment-respond"), *(index.by_id.get(name, []) for name in _FORM_IDS)])
    own_links: list[etree._Element] = []

    def own_comments_links() -> list[etree._Element]:
        own_links.extend(_own_comments_links(doc))
        return own_links

    for element in _count_candidates(index, own_comments_links):  # a rule looked at when those before fail
        if _in_sidebar(doc, element) and not index.in_comment_section(element):
            continue  # a widget's count (a comment section in an <aside> is still the post's)
        if forms and (index.inside_marked(element, _is_reply_form) or index.inside(element, forms)):
            continue  # comment_form()'s title ("Eine Antwort schreiben", "Leave a Reply") states none
        number = _count_in(element)
        if number is None and element in own_links:
            # comments_popup_link('0', '1', '%'): the bare number beside a comment icon.
            text = collapse(text_of(element)) or ""
            number = bounded_int(text, _MOST_COMMENTS) if len(text) <= 6 else None
        if number is not None:
            return number
    # WooCommerce's product page, whose comments are its reviews: the rating's "(5 customer
    # reviews)" link and the reviews tab's "5 reviews for …" title, in the site's language.
    for element in index.with_class("woocommerce-Reviews-title", "woocommerce-review-link"):
        match = _FIRST_NUMBER.search(collapse(text_of(element)) or "")
        if match:
            return bounded_int(match.group(1).translate(_GROUPING))
    return None


def _agreeing_count(declared: int | None, comments: list[Comment]) -> int | None:
    """The declared count, checked against the comments the page lists: "No comments" (0) on a
    page that shows this post's comments is not this post's statement (a teaser's or a widget's
    "0 Comments", a cached meta line); NULL rather than a wrong count. Any other number may differ
    from the list (comment pages, pingbacks counted apart, held comments), so it is kept."""
    if declared == 0 and any(comment.type == "comment" for comment in comments):
        return None
    return declared


_FIRST_NUMBER = re.compile(r"(?<![\d.,])" + _NUMBER)


_FORM_IDS = ("respond", "reply-title")


def _is_reply_form(element: etree._Element) -> bool:
    """WordPress's comment form, `div#respond.comment-respond`, and its title `#reply-title` (a
    theme may give its count heading the title's class, not its id)."""
    return element.get("id") in _FORM_IDS or "comment-respond" in (element.get("class") or "").split()


_MOST_COMMENTS = 10**6  # a bare number beside a comment icon, not a year or an id


def _own_comments_links(doc: Document) -> list[etree._Element]:
    """The page's links to its own comment section: comments_popup_link() and comments_link() link
    "<permalink>#comments" (or "#respond" while there are none; themes also "#commentform", the
    form's id), not another post's."""
    own = {url.split("#")[0].rstrip("/") for url in (doc.url, doc.canonical_url) if url}
    found = []
    for anchor, href in doc.index.link_attribute("href").items():
        if href and href.endswith(("#comments", "#respond", "#commentform")):
            target = href.split("#")[0]
            if not target or absolute_url(doc.url, target).rstrip("/") in own:
                found.append(anchor)
    return found


def _count_candidates(index: PageIndex, own_comments_links: Callable[[], list]) -> Iterator[etree._Element]:
    """The elements that may state the count, in the order of `declared_comment_count`'s rules."""

    def with_ids(values: frozenset[str] | tuple[str, ...]) -> list[etree._Element]:
        return [element for value in values for element in index.by_id.get(value, ())]

    yield from index.in_order([index.with_class(*_COUNT_TITLE_CLASSES), with_ids(("comments-title", "comments-count"))])
    for section in index.in_order([index.with_class(*_COUNT_SECTION_CLASSES), with_ids(_COUNT_SECTION_IDS)]):
        for child in section:
            if child.tag in _COUNT_SECTION_PARTS:
                yield from itertools.islice(child.iter(*_HEADINGS), 3)  # the first three, itself included
    yield from (element for element in index.by_id.get("comments", ()) if element.tag in (*_HEADINGS, "h1"))
    # Headers of comment sections by other names ("comments_header", wpDiscuz's "wc-comment-header").
    yield from (
        element
        for name in ("comments_header", "comments-header", "comment-header", "wc-comment-header", "comments-heading")
        for element in index.by_id.get(name, ())
    )
    yield from index.class_containing("comments-link", "comment-link", "comment-count", "comments-count")
    yield from own_comments_links()
    # The post's meta line marked by its id (ids are unique: not a teaser's): "… | 0 COMMENTS".
    yield from (e for e in index.id_containing(*_META_LINE_IDS) if index.end(e) - index.pos(e) <= _SMALL_ELEMENT)
    # Then small elements named for comments (a meta line's "7 Comments", wpDiscuz's thread
    # head) and headings anywhere that state a count ("1 Comment", "Comments 115").
    named = index.in_order(
        [
            index.class_containing("comments", "comment-number", "comment-header", "commentcount", "wpd-thread-info"),
            index.id_containing("comments"),
        ]
    )
    yield from (element for element in named if index.end(element) - index.pos(element) <= _SMALL_ELEMENT)
    yield from index.in_order([index.tag("h1"), index.tag("h2"), index.tag("h3"), index.tag("h4")])


def _count_in(element: etree._Element) -> int | None:
    candidates = [element]
    parent = element.getparent()
    if parent is not None and element.tag == "span":
        candidates.append(parent)
    for candidate in candidates:
        text = collapse(text_of(candidate)) or ""
        if len(text) > 200:
            continue
        match = _COUNT.search(text)
        if match:
            return bounded_int(match.group(1).translate(_GROUPING))
        match = _COUNT_WORD.match(text)
        if match:
            return _NUMBER_WORDS.get(match.group(1).lower())
        match = _COUNT_AFTER.search(text)
        if match:
            return bounded_int((match.group(1) or match.group(2)).translate(_GROUPING))
        match = _BARE_NUMBER.match(text)
        classes = candidate.get("class") or ""
        if match and _COUNT_CLASS.search(classes) and not _OTHER_COUNT.search(classes):
            return bounded_int(match.group(1).translate(_GROUPING))
    return None


def _external_comments(doc: Document) -> str | None:
    """The outside comment system the page embeds (Disqus, Facebook, ...), found by its element or
    its script: the comments are then not in the HTML, which is not the same as none."""
    index = doc.index
    scripts = index.tag("script")
    sources = [script.get("src") or "" for script in scripts]
    for name, ids, classes, script_marks in _EXTERNAL_SYSTEMS:
        if any(value in index.by_id for value in ids) or any(token in index.by_class for token in classes):
            return name
        for script, source in zip(scripts, sources, strict=True):
            if any(mark in source for mark in script_marks):
                return name
            if name == "disqus" and "disqus.com/embed.js" in (script.text or ""):
                return name
    return None


def comment_page_links(doc: Document) -> list[str]:
    """Links to the post's other comment pages (`comment-page-N`, `?cpage=N`), in page order."""
    links: list[str] = []
    hrefs = doc.index.link_attribute("href")
    for anchor in doc.index.tag("a"):
        href = hrefs[anchor]
        if not href or ("comment-page-" not in href and "cpage=" not in href):
            continue
        # Comment permalinks (`.../comment-page-1/#comment-12`) are not pagination links.
        if _COMMENT_PAGE_LINK.search(href):
            absolute = _STATIC_INDEX.sub("", absolute_url(doc.url, href).split("#")[0])
            if absolute not in links:
                links.append(absolute)
    return links


# A static copy links `comment-page-2/index.html`, often relative.
_STATIC_INDEX = re.compile(r"(?<=/)index\.html?$")
_COMMENT_PAGE_LINK = re.compile(
    r"(?:^|/)comment-page-\d+/?(?:index\.html?)?(#comments|#respond)?$|[?&]cpage=\d+(#comments)?$"
)


def _comment_feed(doc: Document, post_url: str) -> str | None:
    """The post's own comments feed (`POST/feed/`), as the page's `<link rel=alternate>` gives it."""
    post_path = split_url(post_url).path
    for link in doc.index.tag("link"):
        href = link.get("href")
        if href is None or "feed" not in href or link.get("rel") != "alternate":
            continue
        if link.get("type") != "application/rss+xml":
            continue
        parts = split_url(absolute_url(doc.url, href))
        own_path = post_path != "/" and parts.path.startswith(post_path) and parts.path.rstrip("/").endswith("/feed")
        own_query = "feed=" in parts.query and _POST_QUERY.search(parts.query)
        if own_path or own_query:
            return absolute_url(doc.url, href)
    return None


_POST_QUERY = re.compile(r"(^|&)(p|page_id)=\d+")


def current_comment_page(doc: Document) -> int | None:
    """The number of the comment page shown, from the comment pagination's current marker."""
    for marker in doc.index.with_class("page-numbers"):
        if "current" not in (marker.get("class") or "").split():
            continue
        in_comment_navigation = any(
            "comment" in (ancestor.get("class") or "") or "comment" in (ancestor.get("id") or "")
            for ancestor in marker.iterancestors()
        )
        digits = re.sub(r"\D", "", marker.text or "")
        if in_comment_navigation and bounded_int(digits):
            return bounded_int(digits)
    return None


def _site_name(doc: Document) -> str | None:
    name = collapse(_meta(doc, "og:site_name"))
    if name:
        return name
    index = doc.index
    candidates = index.in_order(
        [
            index.class_containing("site-title", "wp-block-site-title"),
            index.by_id.get("site-title", []),
            index.by_id.get("blog-title", []),
        ]
    )
    for element in candidates:
        name = collapse(text_of(element))
        if name:
            return name
    return None
