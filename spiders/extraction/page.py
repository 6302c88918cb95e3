"""One WordPress page (a post, a page, or something else) to a `Post` item.

Structured signals first (body classes, `post-N` ids, shortlinks, `time[datetime]`, `rel`
attributes, JSON-LD, Open Graph), then general rules over the post's own container. Functions
here take HTML text and a URL and know nothing about Scrapy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree

from spiders.extraction.breadcrumbs import extract_breadcrumbs
from spiders.extraction.comments import extract_comments
from spiders.extraction.dates import normalise_machine_date, parse_text_date
from spiders.extraction.regions import in_widget_area, is_widget_area
from spiders.extraction.sharing import extract_share_links
from spiders.extraction.text import block_text, collapse, make_links_absolute, remove_keep_tail, text_of, to_html, xpath
from spiders.items import Image, Post, Term
from spiders.urls import post_url_of_comment_page

_POST_ID = re.compile(r"^post-(\d+)$")
_BODY_ID = re.compile(r"\b(?:postid|page-id)-(\d+)\b")
_CONTAINER_XPATHS = [
    "//article[starts-with(@id, 'post-')]",
    "//*[starts-with(@id, 'post-') and (self::div or self::section)]"
    "[contains(concat(' ', @class, ' '), ' hentry ') or contains(concat(' ', @class, ' '), ' post ')"
    " or contains(concat(' ', @class, ' '), ' type-post ') or contains(concat(' ', @class, ' '), ' type-page ')"
    " or contains(concat(' ', @class, ' '), ' page ')]",
    "//*[starts-with(@id, 'post-')]",
    "//*[contains(concat(' ', @class, ' '), ' hentry ') or contains(concat(' ', @class, ' '), ' h-entry ')]",
    # Block themes: no post wrapper, the main region holds the post blocks.
    "//main[.//*[contains(@class, 'wp-block-post-content') or contains(@class, 'entry-content')]]",
    "//article[not(ancestor::li)][.//*[contains(@class, 'entry-content') or contains(@class, 'post-content')]]",
    "//main",
    "//article[not(ancestor::li)]",
    "//*[@role='main']",
    "//*[@id='content']",
    "//*[@id='main']",
]
_TITLE_XPATHS = [
    ".//*[contains(concat(' ', @class, ' '), ' entry-title ')]",
    ".//*[contains(concat(' ', @class, ' '), ' wp-block-post-title ')]",
    ".//*[contains(concat(' ', @class, ' '), ' post-title ') or contains(concat(' ', @class, ' '), ' posttitle ')"
    " or contains(concat(' ', @class, ' '), ' storytitle ') or contains(concat(' ', @class, ' '), ' p-name ')]",
    ".//h1",
    ".//h2",
    ".//h3",
]
_CONTENT_XPATHS = [
    ".//*[contains(concat(' ', @class, ' '), ' entry-content ')]",
    ".//*[contains(concat(' ', @class, ' '), ' wp-block-post-content ')]",
    ".//*[contains(concat(' ', @class, ' '), ' post-content ') or contains(concat(' ', @class, ' '), ' postcontent ')"
    " or contains(concat(' ', @class, ' '), ' storycontent ') or contains(concat(' ', @class, ' '), ' post-body ')"
    " or contains(concat(' ', @class, ' '), ' format_text ') or contains(concat(' ', @class, ' '), ' e-content ')"
    " or contains(concat(' ', @class, ' '), ' entry_content ') or contains(concat(' ', @class, ' '), ' entrytext ')"
    " or @itemprop='articleBody']",
    ".//*[contains(concat(' ', @class, ' '), ' entry ')]",
]
_AUTHOR_XPATHS = [
    ".//*[contains(concat(' ', @class, ' '), ' wp-block-post-author-name ')"
    " or contains(concat(' ', @class, ' '), ' wp-block-post-author__name ')]",
    ".//*[contains(concat(' ', @class, ' '), ' author ') and contains(concat(' ', @class, ' '), ' vcard ')]"
    "//*[contains(concat(' ', @class, ' '), ' fn ') or self::a]",
    ".//*[contains(concat(' ', @class, ' '), ' author ') and contains(concat(' ', @class, ' '), ' vcard ')]",
    ".//*[contains(@class, 'byline') or contains(@class, 'posted-by') or contains(@class, 'post-author')"
    " or contains(@class, 'entry-author')]//a[@rel='author' or contains(@href, 'author')]",
    ".//a[@rel='author']",
    ".//*[contains(concat(' ', @class, ' '), ' entry-author-name ') or contains(concat(' ', @class, ' '), ' p-author ')"
    " or contains(concat(' ', @class, ' '), ' post-author ') or contains(concat(' ', @class, ' '), ' byline ')"
    " or contains(concat(' ', @class, ' '), ' author ')]",
]
# Author boxes ("About the author ... View all posts") name the author in other words.
_AUTHOR_BIO = re.compile(r"author-(bio|info|box|description)|about-author|authorbox", re.IGNORECASE)
_DATE_XPATHS = [
    ".//time[contains(concat(' ', @class, ' '), ' entry-date ')][@datetime]",
    ".//time[contains(concat(' ', @class, ' '), ' published ')][@datetime]",
    ".//*[contains(concat(' ', @class, ' '), ' wp-block-post-date ')]//time[@datetime]",
    ".//abbr[contains(concat(' ', @class, ' '), ' published ')][@title]",
    ".//time[@datetime]",
]
_DATE_TEXT_XPATHS = [
    ".//*[contains(concat(' ', @class, ' '), ' entry-date ') or contains(concat(' ', @class, ' '), ' post-date ')"
    " or contains(concat(' ', @class, ' '), ' published ') or contains(concat(' ', @class, ' '), ' posted-on ')"
    " or contains(concat(' ', @class, ' '), ' date ') or contains(concat(' ', @class, ' '), ' postdate ')"
    " or contains(concat(' ', @class, ' '), ' entry-meta ') or contains(concat(' ', @class, ' '), ' postmetadata ')"
    " or contains(concat(' ', @class, ' '), ' post-info ') or contains(concat(' ', @class, ' '), ' meta ')"
    " or contains(concat(' ', @class, ' '), ' headline_meta ') or contains(concat(' ', @class, ' '), ' post-meta ')"
    " or contains(concat(' ', @class, ' '), ' entry-utility ') or contains(@class, 'byline')]",
    ".//small",
]
_REMOVE_FROM_CONTENT = (
    ".//script|.//style|.//noscript|.//form|.//*[contains(concat(' ', @class, ' '), ' sharedaddy ')"
    " or contains(concat(' ', @class, ' '), ' sociable ') or contains(@class, 'a2a_kit')"
    " or contains(@class, 'addtoany') or contains(@class, 'sharethis') or contains(@class, 'jp-relatedposts')"
    " or contains(@class, 'share-links') or contains(@class, 'sd-sharing') or contains(@class, 'wp-block-comments')"
    " or contains(@class, 'post-navigation') or contains(@class, 'navigation')"
    " or contains(@class, 'breadcrumb') or @id='comments' or @id='respond' or @id='jp-post-flair'"
    " or contains(@class, 'postmetadata') or contains(@class, 'entry-meta') or contains(@class, 'entry-utility')"
    " or contains(@class, 'byline')]"
)
# Where a theme states the number of responses, strongest first.
_COUNT_CANDIDATES = "//*[contains(@class, 'comment') or contains(@id, 'comment') or @id='responses']"
_COUNT_TITLE_CLASSES = frozenset(
    ["comments-title", "wp-block-comments-title", "comments-header", "comments_intro", "comment-count"]
)
_COUNT_SECTION_CLASSES = frozenset(["comments-area", "comments"])
_COUNT_SECTION_IDS = frozenset(["comments", "comments-area", "commentsbox", "comment-area"])
_COUNT_IN_SECTION = (
    "./*[self::h2 or self::h3 or self::h4 or self::h5 or self::p or self::span or self::div or self::header]"
    "/descendant-or-self::*[self::h2 or self::h3 or self::h4 or self::h5 or self::p or self::span][position() < 4]"
)
_HEADINGS = frozenset(["h2", "h3", "h4", "h5", "p", "span"])
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
}
_COUNT = re.compile(
    r"(\d+|no|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|ein|eine|einen"
    r"|un|une|uno|una|um|uma|keine|aucun|nenhum)\s+(?:thoughts?|responses?|comments?|repl(?:y|ies)"
    r"|trackbacks?|kommentare?n?|antworten|gedanken|réponses?|commentaires?|respuestas?"
    r"|comentarios?|comentários?|respostas?|reacties|commenti|risposte|ответ\w*|комментари\w*)",
    re.IGNORECASE,
)
_EXTERNAL_SYSTEMS = [
    (
        "disqus",
        "//*[@id='disqus_thread'] | //script[contains(@src, 'disqus.com') or contains(., 'disqus.com/embed.js')]",
    ),
    ("facebook", "//*[contains(concat(' ', @class, ' '), ' fb-comments ')]"),
    ("intensedebate", "//*[@id='idc-container'] | //script[contains(@src, 'intensedebate.com')]"),
    ("livefyre", "//*[@id='livefyre-comments' or @id='livefyre']"),
]


# Plain lxml elements (no lxml.html element classes: their lookups cost more than the parse).
_PARSER = etree.HTMLParser(remove_comments=True, recover=True, encoding="utf-8")


@dataclass
class Document:
    """A parsed page with the signals every extractor needs."""

    root: etree._Element
    url: str
    language: str | None
    body_classes: set[str]
    json_ld: list[dict]

    @classmethod
    def parse(cls, text: str, url: str) -> Document:
        parser = _PARSER
        if not text.strip():
            text = "<html></html>"
        try:
            root = etree.fromstring(text.encode("utf-8"), parser=parser)
        except (etree.ParserError, ValueError):
            root = None
        if root is None:
            root = etree.fromstring(b"<html><body></body></html>", parser=parser)
        base = xpath(root, "//base/@href")
        base_url = urljoin(url, base[0]) if base else url
        language = (root.get("lang") or root.get("xml:lang") or "")[:2].lower() or None
        body = root.find("body")
        body_classes = set((body.get("class") or "").split()) if body is not None else set()
        return cls(root, base_url, language, body_classes, _json_ld(root))


def extract_post(text: str, url: str) -> Post:
    """Everything a post or page shows: metadata, content, trail, share links and comments."""
    doc = Document.parse(text, url)
    container = _container(doc.root)
    article = _ld_article(doc.json_ld)
    post = Post(url=_canonical(doc) or url)
    post.wp_id = _wp_id(doc, container)
    post.type = _type(doc, container) if document_kind(doc) != "other" else "page"
    post.title = _title(doc, container, article)
    post.author = _author(container, article)
    post.published, post.modified = _dates(doc, container, article, post.type)
    post.terms = _terms(doc, container)
    content = _content(container)
    if content is not None:
        make_links_absolute(content, doc.url)
        post.content_html = to_html(content)
        post.content_text = block_text(content)
        post.images = _images(content, doc.url)
    post.protected = "post-password-required" in doc.body_classes or bool(
        container is not None and xpath(container, ".//form[contains(@class, 'post-password-form')]")
    )
    if post.protected:
        # The page shows a password form, not the content; WordPress prefixes the title.
        post.content_html = post.content_text = None
        post.images = []
        if post.title:
            post.title = re.sub(r"^(Protected|Geschützt|Protégé|Protegido|Protetto):\s*", "", post.title)
    post.breadcrumbs = extract_breadcrumbs(doc.root, doc.url, doc.json_ld, text)
    post.share_links = extract_share_links(doc.root, doc.url)
    post.comments = extract_comments(doc.root, doc.url, doc.language)
    post.comment_count_declared = declared_comment_count(doc.root)
    post.external_comments = _external_comments(doc.root, text)
    post.comment_page_urls = comment_page_links(doc.root, doc.url)
    post.comment_page_number = current_comment_page(doc.root)
    post.comment_feed_url = _comment_feed(doc, post.url)
    post.site_name = _site_name(doc)
    post.sources = ["html"]
    return post


def document_kind(doc: Document) -> str:
    classes = doc.body_classes
    if classes & {"single", "single-post", "postid"} or any(c.startswith("postid-") for c in classes):
        return "post"
    is_page = "page" in classes or any(c.startswith("page-id-") for c in classes)
    if is_page and not classes & {"home", "blog", "archive"}:
        return "page"
    if classes & {"home", "blog", "archive", "category", "tag", "author", "date", "search"}:
        return "listing"
    entries = xpath(doc.root, "//*[starts-with(@id, 'post-')][contains(@class, 'post') or self::article]")
    if len(entries) > 1:
        return "listing"
    if len(entries) == 1 or xpath(doc.root, "//*[starts-with(@id, 'comment-')]"):
        return "post"
    return "other"


def is_wordpress(text: str) -> bool:
    """Signals that WordPress made this page."""
    return bool(
        re.search(
            r"/wp-content/|/wp-includes/|<meta[^>]+generator[^>]+WordPress|api\.w\.org|wp-block-",
            text[:200_000],
            re.IGNORECASE,
        )
    )


def _json_ld(root: etree._Element) -> list[dict]:
    nodes: list[dict] = []
    for script in xpath(root, "//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (json.JSONDecodeError, TypeError):
            continue
        stack = data if isinstance(data, list) else [data]
        for item in stack:
            if isinstance(item, dict):
                nodes.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    nodes.extend(g for g in graph if isinstance(g, dict))
    return nodes


def _ld_article(nodes: list[dict]) -> dict:
    for node in nodes:
        kind = node.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(k in ("Article", "BlogPosting", "NewsArticle") for k in kinds) or (
            "WebPage" in kinds and "datePublished" in node
        ):
            return node
    return {}


def _container(root: etree._Element) -> etree._Element | None:
    for expression in _CONTAINER_XPATHS:
        for element in xpath(root, expression):
            if _in_sidebar(element):
                continue
            if element.get("id", "").startswith("post-") and not _POST_ID.match(element.get("id", "")):
                continue
            return element
    return root.find("body")


def _in_sidebar(element: etree._Element) -> bool:
    return in_widget_area(element, include_self=False)


def _canonical(doc: Document) -> str | None:
    """The page's canonical URL (same host), without a fragment or a comment page part."""
    links = xpath(doc.root, "//link[@rel='canonical']/@href")
    if links:
        candidate = urljoin(doc.url, links[0].strip()).split("#")[0]
        if urlsplit(candidate).netloc == urlsplit(doc.url).netloc:
            return post_url_of_comment_page(candidate)
    return None


def _wp_id(doc: Document, container: etree._Element | None) -> int | None:
    for cls in doc.body_classes:
        match = _BODY_ID.match(cls)
        if match:
            return int(match.group(1))
    if container is not None:
        match = _POST_ID.match(container.get("id") or "")
        if match:
            return int(match.group(1))
    for href in xpath(doc.root, "//link[@rel='shortlink']/@href"):
        params = dict(parse_qsl(urlsplit(href).query))
        for key in ("p", "page_id"):
            if params.get(key, "").isdigit():
                return int(params[key])
    return None


def _type(doc: Document, container: etree._Element | None) -> str:
    classes = doc.body_classes
    if "page" in classes or any(c.startswith("page-id-") for c in classes):
        return "page"
    if container is not None and "type-page" in (container.get("class") or "").split():
        return "page"
    return "post"


def _title(doc: Document, container: etree._Element | None, article: dict) -> str | None:
    scope = container if container is not None else doc.root
    for expression in _TITLE_XPATHS:
        for element in xpath(scope, expression):
            if _in_sidebar(element) or _in_comments(element):
                continue
            title = collapse(text_of(element))
            if title:
                return title
    for value in (
        article.get("headline"),
        _first(xpath(doc.root, "//meta[@property='og:title']/@content")),
        _title_tag(doc.root),
    ):
        if value:
            return collapse(str(value))
    return None


def _title_tag(root: etree._Element) -> str | None:
    title = collapse(_first(xpath(root, "//title/text()")))
    if not title:
        return None
    return re.split(r"\s+[|»–—-]\s+|\s+::\s+", title)[0] or title


_COMMENT_REGION_CLASSES = frozenset(
    [
        "comments",
        "comment-list",
        "commentlist",
        "comments-area",
        "comments-list",
        "comment_list",
        "wp-block-comments",
        "comment-respond",
        "entry-comments",
    ]
)


def _in_comments(element: etree._Element) -> bool:
    """True inside the comment section (judged by class and id tokens, not by substrings)."""
    current = element.getparent()
    while current is not None and current.tag not in ("body", "html"):
        tokens = set((current.get("class") or "").split())
        if tokens & _COMMENT_REGION_CLASSES or current.get("id") in ("comments", "respond", "comment_list"):
            return True
        current = current.getparent()
    return False


def _author(container: etree._Element | None, article: dict) -> str | None:
    if container is not None:
        for expression in _AUTHOR_XPATHS:
            for element in xpath(container, expression):
                if _in_comments(element) or _in_author_bio(element):
                    continue
                name = collapse(text_of(element))
                if name:
                    name = re.sub(r"^(by|posted by|published by|written by|von|par|por)\s+", "", name, flags=re.I)
                    if 0 < len(name) <= 80:
                        return name
        # Last: the author box some themes show instead of a byline ("By Jane Student").
        for element in xpath(
            container,
            ".//*[contains(@class, 'author-bio') or contains(@class, 'author-info')"
            " or contains(@class, 'author-box') or contains(@class, 'about-author')]"
            "//*[contains(@class, 'author-title') or contains(@class, 'author-name')"
            " or self::h2 or self::h3 or self::h4]",
        ):
            name = collapse(text_of(element)) or ""
            name = re.sub(r"^(by|about|published by|posted by|written by|von|par|por)\s+", "", name, flags=re.I)
            if 0 < len(name) <= 80:
                return name
    author = article.get("author")
    if isinstance(author, list):
        author = author[0] if author else None
    if isinstance(author, dict):
        author = author.get("name")
    return collapse(str(author)) if author else None


def _in_author_bio(element: etree._Element) -> bool:
    current = element
    while current is not None:
        if _AUTHOR_BIO.search(f"{current.get('class', '')} {current.get('id', '')}"):
            return True
        current = current.getparent()
    return False


def _dates(doc: Document, container: etree._Element | None, article: dict, kind: str) -> tuple[str | None, str | None]:
    scope = container if container is not None else doc.root
    published = None
    for expression in _DATE_XPATHS:
        for element in xpath(scope, expression):
            if _in_comments(element) or _in_sidebar(element):
                continue
            value = element.get("datetime") or element.get("title")
            published = normalise_machine_date(value)
            if published:
                break
        if published:
            break
    if not published:
        value = article.get("datePublished") or _first(
            xpath(doc.root, "//meta[@property='article:published_time']/@content")
        )
        published = normalise_machine_date(value) if value else None
    if not published:
        for expression in _DATE_TEXT_XPATHS:
            for element in xpath(scope, expression):
                if _in_comments(element) or _in_sidebar(element):
                    continue
                published = parse_text_date(text_of(element), doc.language)
                if published:
                    break
            if published:
                break
    modified = None
    # `time.updated` that is not also the publication date (themes mark one element with both).
    updated = (
        ".//time[contains(concat(' ', @class, ' '), ' updated ')]"
        "[not(contains(concat(' ', @class, ' '), ' published '))]"
    )
    for value in xpath(scope, updated + "/@datetime") + [
        article.get("dateModified"),
        _first(xpath(doc.root, "//meta[@property='article:modified_time']/@content")),
    ]:
        modified = normalise_machine_date(value) if value else None
        if modified:
            break
    return published, modified


def _terms(doc: Document, container: etree._Element | None) -> list[Term]:
    scope = container if container is not None else doc.root
    terms: list[Term] = []
    seen: set[tuple[str, str]] = set()

    def add(taxonomy: str, anchor: etree._Element) -> None:
        name = collapse(text_of(anchor))
        if name and (taxonomy, name) not in seen and not _in_sidebar(anchor):
            seen.add((taxonomy, name))
            href = anchor.get("href")
            terms.append(Term(taxonomy, name, urljoin(doc.url, href) if href else None))

    for anchor in xpath(
        scope,
        ".//a[@rel] | .//*[contains(@class, 'taxonomy-') or contains(@class, 'cat-links')"
        " or contains(@class, 'tags-links') or contains(@class, 'entry-categories')"
        " or contains(@class, 'entry-tags')]//a[@href]",
    ):
        taxonomy = _taxonomy(anchor)
        if taxonomy:
            add(taxonomy, anchor)
    if not terms and scope is not doc.root:
        # Some themes print the post's terms outside its container (above the title, in a bar).
        for anchor in xpath(doc.root, ".//a[@rel]"):
            taxonomy = _taxonomy(anchor)
            if taxonomy and not _in_comments(anchor) and not _in_sidebar(anchor):
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


def _taxonomy(anchor: etree._Element) -> str | None:
    """category or post_tag: from rel, then the wrapper's class tokens, then the link's path."""
    rel = (anchor.get("rel") or "").split()
    if "bookmark" in rel:
        return None
    if "category" in rel:
        return "category"
    href = anchor.get("href") or ""
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
        return "category" if re.search(r"/category/|[?&]cat=", href) else "post_tag"
    return None


_CONTENT_BLOCKS = frozenset(
    ["p", "blockquote", "ul", "ol", "figure", "pre", "table", "h2", "h3", "h4", "h5", "h6", "div"]
)


def _content(container: etree._Element | None) -> etree._Element | None:
    """The post body without share blocks, widgets, navigation or the comment section."""
    if container is None:
        return None
    found = None
    for expression in _CONTENT_XPATHS:
        for element in xpath(container, expression):
            if not _in_comments(element) and not _in_sidebar(element):
                found = element
                break
        if found is not None:
            break
    if found is None:
        found = container
    cleaned = _deep_copy(found)
    if found is not container:
        _adopt_stray_paragraphs(found, cleaned)
    for junk in xpath(cleaned, _REMOVE_FROM_CONTENT):
        if junk.getparent() is not None:
            remove_keep_tail(junk)
    for junk in [e for e in cleaned.iter() if isinstance(e.tag, str) and e is not cleaned]:
        if junk.getparent() is not None and (is_widget_area(junk) or _is_share_block(junk)):
            remove_keep_tail(junk)
    if found is container:
        for junk in xpath(
            cleaned,
            ".//*[contains(@class, 'entry-title') or contains(@class, 'entry-meta')"
            " or contains(@class, 'entry-utility') or contains(@class, 'postmetadata')"
            " or contains(@class, 'comment') or self::header or self::footer or self::h1 or self::nav]",
        ):
            if junk.getparent() is not None:
                remove_keep_tail(junk)
    return cleaned


def _adopt_stray_paragraphs(found: etree._Element, cleaned: etree._Element) -> None:
    """Repair a content block closed early by a stray `</div>`: paragraphs that follow it in the
    same post container still belong to the post."""
    sibling = found.getnext()
    while sibling is not None and isinstance(sibling.tag, str) and sibling.tag in _CONTENT_BLOCKS:
        marker = f"{sibling.get('class', '')} {sibling.get('id', '')}"
        if sibling.tag == "div" and marker.strip():
            break  # a classed block (meta, share links, comments) ends the content
        cleaned.append(_deep_copy(sibling))
        sibling = sibling.getnext()


_SHARE_MARK = re.compile(r"sociable|sharing|share|a2a_kit|addtoany|addthis|jp-relatedposts", re.IGNORECASE)


def _is_share_block(element: etree._Element) -> bool:
    return bool(_SHARE_MARK.search(f"{element.get('class', '')} {element.get('id', '')}"))


def _deep_copy(element: etree._Element) -> etree._Element:
    import copy

    duplicate = copy.deepcopy(element)
    duplicate.tail = None
    return duplicate


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
            found = xpath(
                current,
                ".//figcaption|.//*[contains(@class, 'wp-caption-text') or contains(@class, 'wp-element-caption')]",
            )
            if found and (current.tag == "figure" or "caption" in (current.get("class") or "")):
                caption = collapse(text_of(found[0]))
                break
            current = current.getparent()
        images.append(Image(src=urljoin(base_url, src), alt=collapse(img.get("alt")), caption=caption))
    return images


def declared_comment_count(root: etree._Element) -> int | None:
    """The number of responses the page says it has ("3 Responses to …"), or None.

    Looked for, in order: a title the theme gives the comment section (`#comments-title`,
    `.comments-title`, ...); a short heading or line at the top of the comment section; a heading
    that is itself `#comments` (Kubrick); the "12 Comments" link in the post's meta line."""
    titles, sections, headings, links = [], [], [], []
    for element in xpath(root, _COUNT_CANDIDATES):
        tokens = set((element.get("class") or "").split())
        element_id = element.get("id") or ""
        if tokens & _COUNT_TITLE_CLASSES or element_id in ("comments-title", "comments-count"):
            titles.append(element)
        if tokens & _COUNT_SECTION_CLASSES or element_id in _COUNT_SECTION_IDS:
            sections.append(element)
        if element_id == "comments" and element.tag in _HEADINGS:
            headings.append(element)
        if any("comments-link" in t or "comment-link" in t for t in tokens):
            links.append(element)
    in_sections = [found for section in sections for found in xpath(section, _COUNT_IN_SECTION)]
    for element in [*titles, *in_sections, *headings, *links]:
        if _in_sidebar(element):
            continue
        number = _count_in(element)
        if number is not None:
            return number
    return None


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
            word = match.group(1).lower()
            return int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
    return None


def _external_comments(root: etree._Element, text: str) -> str | None:
    lowered = text.lower()
    for name, expression in _EXTERNAL_SYSTEMS:
        if name.replace("facebook", "fb-comments") not in lowered:
            continue
        try:
            if xpath(root, expression):
                return name
        except etree.XPathEvalError:
            continue
    return None


def comment_page_links(root: etree._Element, base_url: str) -> list[str]:
    """Links to the post's other comment pages (`comment-page-N`, `?cpage=N`), in page order."""
    links: list[str] = []
    for href in xpath(root, "//a/@href"):
        # Comment permalinks (`.../comment-page-1/#comment-12`) are not pagination links.
        if re.search(r"/comment-page-\d+/?(#comments|#respond)?$|[?&]cpage=\d+(#comments)?$", href):
            absolute = urljoin(base_url, href).split("#")[0]
            if absolute not in links:
                links.append(absolute)
    return links


def _comment_feed(doc: Document, post_url: str) -> str | None:
    """The post's own comments feed (`POST/feed/`), as the page's `<link rel=alternate>` gives it."""
    post_path = urlsplit(post_url).path
    for href in xpath(doc.root, "//link[@rel='alternate'][@type='application/rss+xml']/@href"):
        parts = urlsplit(urljoin(doc.url, href))
        own_path = post_path != "/" and parts.path.startswith(post_path) and parts.path.rstrip("/").endswith("/feed")
        own_query = "feed=" in parts.query and re.search(r"(^|&)(p|page_id)=\d+", parts.query)
        if own_path or own_query:
            return urljoin(doc.url, href)
    return None


def current_comment_page(root: etree._Element) -> int | None:
    """The number of the comment page shown, from the comment pagination's current marker."""
    for marker in xpath(
        root,
        "//*[contains(concat(' ', @class, ' '), ' page-numbers ') and contains(concat(' ', @class, ' '), ' current ')]",
    ):
        in_comment_navigation = any(
            "comment" in (ancestor.get("class") or "") or "comment" in (ancestor.get("id") or "")
            for ancestor in marker.iterancestors()
        )
        digits = re.sub(r"\D", "", marker.text or "")
        if in_comment_navigation and digits:
            return int(digits)
    return None


def _site_name(doc: Document) -> str | None:
    head = doc.root.find("head")
    if head is not None:
        for meta in head.iter("meta"):
            if meta.get("property") == "og:site_name" and collapse(meta.get("content")):
                return collapse(meta.get("content"))
    for element in xpath(
        doc.root,
        "//*[contains(@class, 'site-title') or @id='site-title' or @id='blog-title'"
        " or contains(@class, 'wp-block-site-title')]",
    ):
        name = collapse(text_of(element))
        if name:
            return name
    return None


def _first(values: list) -> object | None:
    return values[0] if values else None
