"""Share links: links whose target shares the post on a service, kept as data, never followed.

The strong signal is the URL itself (`digg.com/submit?url=`, `facebook.com/sharer.php`,
`?share=twitter`, AddToAny's `/add_to/SERVICE`). Blocks that hold such links (Sociable,
Jetpack's `.sd-sharing`, AddToAny's `.a2a_kit`) then also contribute their email, print and RSS
links. A profile link ("follow us on Twitter") has no share URL and is left alone.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote

from lxml import etree

from spiders.extraction.regions import belongs_elsewhere, own_post_id
from spiders.extraction.text import absolute_url, split_url
from spiders.items import ShareLink

if TYPE_CHECKING:
    from spiders.extraction.document import Document

# Share URLs by service, checked as one alternation against "host/path?query"; with each, the
# literal parts (lower case) one of which every match contains: an ASCII URL holding none of them
# cannot match, and most links on a page are such URLs (a failed search costs ~100 us).
_SHARE_PATTERNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("digg", r"(^|\.)digg\.com/(submit|remote-submit|news/submit)", ("digg.com/",)),
    ("stumbleupon", r"(^|\.)stumbleupon\.com/(submit|badge)", ("stumbleupon.com/",)),
    ("reddit", r"(^|\.)reddit\.com/submit", ("reddit.com/submit",)),
    ("twitter", r"(^|\.)(twitter|x)\.com/(home/?\?status=|intent/(tweet|post)|share)", ("twitter.com/", "x.com/")),
    ("facebook", r"(^|\.)facebook\.com/(sharer|share\.php|sharer\.php|dialog/(share|feed))", ("facebook.com/",)),
    ("delicious", r"(^|\.)(delicious\.com/(save|post)|del\.icio\.us/post)", ("delicious.com/", "del.icio.us/post")),
    (
        "googleplus",
        r"plus\.google\.com/share|plusone\.google\.com/_/\+1/confirm",
        ("plus.google.com/share", "plusone.google.com/_/+1/confirm"),
    ),
    ("linkedin", r"(^|\.)linkedin\.com/(shareArticle|sharing|cws/share)", ("linkedin.com/",)),
    ("pinterest", r"(^|\.)pinterest\.com/pin/create", ("pinterest.com/pin/create",)),
    ("tumblr", r"(^|\.)tumblr\.com/(share|widgets/share)", ("tumblr.com/",)),
    (
        "whatsapp",
        r"(api\.whatsapp\.com/send|wa\.me/\?text=|whatsapp://send)",
        ("api.whatsapp.com/send", "wa.me/?text=", "whatsapp://send"),
    ),
    ("pocket", r"getpocket\.com/(save|edit)", ("getpocket.com/",)),
    ("telegram", r"(t\.me|telegram\.me)/share", ("t.me/share", "telegram.me/share")),
    (
        "mastodon",
        r"(mastodonshare\.com|toot\.kytta\.dev|/share\?text=)",
        ("mastodonshare.com", "toot.kytta.dev", "/share?text="),
    ),
    ("bluesky", r"bsky\.app/intent/compose", ("bsky.app/intent/compose",)),
]
_SHARE_URL = re.compile("|".join(f"(?P<{service}>{pattern})" for service, pattern, _ in _SHARE_PATTERNS), re.IGNORECASE)
_SERVICES = tuple(_SHARE_URL.groupindex)
_SHARE_URL_CORES = tuple(core for _, _, cores in _SHARE_PATTERNS for core in cores)
_JETPACK_SERVICE = {
    "twitter": "twitter",
    "x": "twitter",
    "facebook": "facebook",
    "email": "email",
    "print": "print",
    "linkedin": "linkedin",
    "reddit": "reddit",
    "tumblr": "tumblr",
    "pinterest": "pinterest",
    "pocket": "pocket",
    "telegram": "telegram",
    "jetpack-whatsapp": "whatsapp",
    "whatsapp": "whatsapp",
    "mastodon": "mastodon",
    "bluesky": "bluesky",
    "google-plus-1": "googleplus",
    "digg": "digg",
    "stumbleupon": "stumbleupon",
    "delicious": "delicious",
}
_KNOWN = set(_SERVICES) | set(_JETPACK_SERVICE.values())
# Class or id words of a share block, and of a block of profile links (lower case; substring tests
# are several times cheaper than a case-blind regex).
_BLOCK_WORDS = ("sociable", "share", "sharing", "sd-social", "a2a_", "addtoany", "addthis")
_FOLLOW_WORDS = (
    "follow",
    "profile",
    "subscribe",
    "social-icons",
    "socialicons",
    "social-links",
    "sociallinks",
    "social-menu",
    "socialmenu",
    "social-media",
    "socialmedia",
)


# Cheap test on the raw href before any URL parsing: could this be a share link at all? Every
# share URL `share_service` knows has one of these in its host, or "share" somewhere.
_SHARE_HOSTS = (
    "digg",
    "stumbleupon",
    "reddit",
    "twitter",
    "x.com",
    "facebook",
    "delicious",
    "del.icio",
    "plus.google",
    "plusone.google",
    "linkedin",
    "pinterest",
    "tumblr",
    "whatsapp",
    "wa.me",
    "getpocket",
    "t.me",
    "telegram",
    "mastodon",
    "toot",
    "bsky",
    "addtoany",
)


def _maybe_share(href: str, hosts: dict[str, bool]) -> bool:
    """A fast superset of `share_service`'s links (`hosts` remembers the hosts already judged)."""
    lowered = href.lower()
    if "share" in lowered or lowered.startswith(("whatsapp:", "viber:")):
        return True
    if not lowered.startswith(("http://", "https://", "//")):
        return False  # a link on the page's own site without "share" in it
    host = lowered.split("/", 3)[2]
    known = hosts.get(host)
    if known is None:
        known = hosts[host] = any(key in host for key in _SHARE_HOSTS)
    return known


def extract_share_links(doc: Document) -> list[ShareLink]:
    """Every share link on the page, in page order, without duplicates."""
    base_url = doc.url
    anchors = []
    services: dict[etree._Element, tuple[str, str]] = {}
    blocks = []
    hosts: dict[str, bool] = {}
    kinds: dict[etree._Element, str] = {}
    hrefs = doc.index.link_attribute("href")
    index = doc.index
    own_post = own_post_id(doc.body_classes)
    memo: dict[etree._Element, bool] = {}
    for anchor in index.tag("a"):
        href = hrefs[anchor]
        if not href or href[0] == "#" or not (href := href.strip()) or href[0] == "#":
            # A button that opens the share URL from its onclick ("window.open('…sharer.php?u=…')").
            href = _opened_url(anchor)
            if not href:
                continue
        elif href[:11] == "javascript:":
            href = _opened_url(anchor) or href
        href = archived_target(href)
        anchors.append(anchor)
        service = share_service(url := absolute_url(base_url, href)) if _maybe_share(href, hosts) else None
        if service:
            if belongs_elsewhere(anchor, own_post, memo):
                continue  # a comment's own share button (wpDiscuz), or a related post's
            services[anchor] = (service, url)
            block = _share_block(anchor, kinds)
            if block is not None and block not in blocks:
                blocks.append(block)
        elif _may_be_member(href) and _share_block(anchor, kinds) is not None:
            # An email or print button in a block marked as a share block by its class.
            member = _block_member_service(url := absolute_url(base_url, href), anchor)
            if member and not belongs_elsewhere(anchor, own_post, memo):
                services[anchor] = (member, url)
    # A block without share words in its class: the nearest element around two share links.
    holding: dict[etree._Element, int] = {}
    for anchor in services:
        for element in itertools.islice(anchor.iterancestors(), 4):
            holding[element] = holding.get(element, 0) + 1
    for anchor in list(services):
        for element in itertools.islice(anchor.iterancestors(), 4):
            if holding[element] >= 2:
                if element not in blocks and element.tag not in ("body", "html"):
                    blocks.append(element)
                break
    # Email, print, feed and other services' links count only inside a share block.
    for block in blocks:
        for anchor in block.iter("a"):
            href = archived_target((anchor.get("href") or "").strip())
            if anchor not in services and href and not href.startswith("#"):
                url = absolute_url(base_url, href)
                service = _block_member_service(url, anchor)
                if service:
                    services[anchor] = (service, url)
    links: list[ShareLink] = []
    seen: set[tuple[str, str]] = set()
    for anchor in anchors:
        found = services.get(anchor)
        if not found:
            continue
        # One link per service and shared page: a second bar (top and bottom, a floating copy)
        # repeats the same links, sometimes with another title parameter.
        key = (found[0], _shared_url(found[1]) or _EMAIL_PROTECTION.sub("", found[1]))
        if found[0] == "other":  # services outside the list differ by their own address
            key = (*key, found[1].split("?", 1)[0])
        if key not in seen:
            seen.add(key)
            links.append(ShareLink(service=found[0], url=found[1]))
    return _sharing_this_page(links, doc)


def _sharing_this_page(links: list[ShareLink], doc: Document) -> list[ShareLink]:
    """The links that share this page, where some do: a page that loads further articles below the
    post (an endless list) repeats their share bars, each sharing its own article of the site."""
    own = {_page_key(url) for url in (doc.url, doc.canonical_url) if url}
    shared = [_shared_url(link.url) or _address_inside(link.url) for link in links]
    if not any(url and _page_key(url) in own for url in shared):
        return links
    host = split_url(doc.url).netloc.lower().removeprefix("www.")
    return [
        link
        for link, url in zip(links, shared, strict=True)
        if not url or _page_key(url) in own or split_url(url).netloc.lower().removeprefix("www.") != host
    ]


def _address_inside(url: str) -> str | None:
    """The first web address inside a link's query or body text (a mailto: body, WhatsApp's text=)."""
    found = _ADDRESS.search(unquote(url.split("?", 1)[1])) if "?" in url else None
    return found.group(0) if found else None


_ADDRESS = re.compile(r"https?://[^\s\"'<>&]+")


def _page_key(url: str) -> str:
    """A page's address as two spellings of it compare: host without www, path without its slash."""
    parts = split_url(url)
    return parts.netloc.lower().removeprefix("www.") + parts.path.rstrip("/")


# Cloudflare's hidden e-mail links differ only in the part after "#" (a new key each time).
_EMAIL_PROTECTION = re.compile(r"#.*$")
# Query parameters that carry the shared page's address in share URLs.
_TARGET_PARAMETERS = ("url", "u", "linkurl", "link", "href", "canonicalurl", "source", "sharer_url")


def _shared_url(url: str) -> str | None:
    """The address a share link shares: Jetpack's `?share=` link is the page itself, other
    services carry it in a parameter (`url`, `u`, `linkurl`, ...)."""
    parts = split_url(url)
    if not parts.query:
        return None
    params = dict(parse_qsl(parts.query))
    if params.get("share"):
        return f"{parts.scheme}://{parts.netloc}{parts.path}"
    lowered = {key.lower(): value for key, value in params.items()}
    for name in _TARGET_PARAMETERS:
        value = lowered.get(name, "")
        if value.startswith(("http://", "https://")):
            return value.split("#", 1)[0]
    return None


def share_service(url: str) -> str | None:
    """The service a share URL posts to, or None when the URL is not a share link."""
    parts = split_url(url)
    if parts.scheme == "whatsapp":
        return "whatsapp" if parts.netloc == "send" else None
    if parts.scheme == "viber":  # Viber's share scheme: viber://forward?text=<title and URL>
        return "other" if parts.netloc == "forward" and parts.query else None
    if parts.scheme not in ("http", "https"):
        return None
    target = f"{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    match = _SHARE_URL.search(target) if _may_match_share_url(target) else None
    if match:
        return next(name for name in _SERVICES if match.group(name) is not None)
    host = parts.netloc.lower()
    if host.endswith("addtoany.com"):
        m = re.match(r"/add_to/([a-z0-9_]+)", parts.path)
        if m:
            return _normalise_service(m.group(1))
        if parts.path.startswith("/share"):
            return "other"
    params = dict(parse_qsl(parts.query))
    if "share" in params and params["share"]:
        return _JETPACK_SERVICE.get(params["share"].lower(), "other")
    mirrored = _MIRRORED_JETPACK.search(parts.path) if "share=" in parts.path else None
    if mirrored:
        return _JETPACK_SERVICE.get(mirrored.group(1).lower(), "other")
    return None


# The first absolute URL a script attribute opens, quoted.
_OPENED_URL = re.compile(r"""['"](https?://[^'"\s]+[^'"]*)['"]""")


def _opened_url(anchor: etree._Element) -> str | None:
    """The share URL a button's onclick opens, when it opens one (None for other scripts)."""
    script = anchor.get("onclick")
    if not script or "http" not in script:
        return None
    found = _OPENED_URL.search(script)
    if not found or not share_service(found.group(1)):
        return None
    # The Wayback Machine's own toolbar shares the archive's copy of the page, not the post.
    return None if any(host in found.group(1) for host in _WAYBACK_HOSTS) else found.group(1)


def archived_target(href: str) -> str:
    """The URL an archived page's link stands for: a page saved from the Wayback Machine links
    every URL through the archive (`https://web.archive.org/web/20130217080612/<URL>`)."""
    parts = split_url(href) if "/web/" in href else None
    if parts is None or parts.netloc.lower() not in _WAYBACK_HOSTS:
        return href
    archived = _WAYBACK.match(parts.path)
    return archived.group(1) + (f"?{parts.query}" if parts.query else "") if archived else href


# The Wayback Machine's address of an archived URL: /web/<timestamp, a replay flag>/<the URL>.
_WAYBACK_HOSTS = frozenset(["web.archive.org", "wayback.archive.org", "webarchive.org.uk", "wayback.archive-it.org"])
_WAYBACK = re.compile(r"^(?:/\d+)?/web/\d{1,14}(?:[a-z]{2}_)?/+([a-z][a-z0-9+.-]*:/*.+)$", re.IGNORECASE)


# Jetpack's `?share=x` link as a static mirror saved it: wget writes the query into the file's
# name ("index.html?share=x.html", linked as "index.html%3Fshare=x.html"; "@" for Windows names).
_MIRRORED_JETPACK = re.compile(r"(?:%3F|@)share=([\w-]+)(?:\.html?)?$", re.IGNORECASE)


def _may_match_share_url(target: str) -> bool:
    """False only when `_SHARE_URL` cannot match (ASCII text, where case-blind matching is matching
    the lower-cased text)."""
    if not target.isascii():
        return True
    lowered = target.lower()
    return any(core in lowered for core in _SHARE_URL_CORES)


def _normalise_service(name: str) -> str:
    name = name.lower().replace("_", "")
    aliases = {"googleplus": "googleplus", "googlebookmark": "other", "x": "twitter", "printfriendly": "print"}
    name = aliases.get(name, name)
    return name if name in _KNOWN else "other"


def _share_block(anchor: etree._Element, kinds: dict[etree._Element, str]) -> etree._Element | None:
    """The outermost share block (by class or id) around a link, within a few levels. `kinds`
    remembers each ancestor's verdict (links of one block share their ancestors)."""
    element = anchor.getparent()
    block = None
    for _ in range(6):
        if element is None or element.tag in ("body", "html"):
            break
        kind = kinds.get(element)
        if kind is None:
            kind = kinds[element] = _block_kind(element)
        if kind == "follow":
            return None
        if kind == "share":
            block = element
        element = element.getparent()
    return block


def _block_kind(element: etree._Element) -> str:
    """ "follow" for a block of profile links, "share" for a share block, else ""."""
    marker = f"{element.get('class', '')} {element.get('id', '')}".lower()
    if marker == " ":
        return ""
    if any(word in marker for word in _FOLLOW_WORDS):
        return "follow"
    if any(word in marker for word in _BLOCK_WORDS):
        return "share"
    return ""


def _may_be_member(href: str) -> bool:
    """Could the link be a share block's email or print button (looked at outside known blocks)?
    Substring tests: this runs for every link of the page."""
    if href[:7].lower() == "mailto:" or "email-protection" in href:
        return True
    return "print" in href and ("window.print" in href or "printfriendly.com" in href.lower())


def _block_member_service(url: str, anchor: etree._Element) -> str | None:
    """Email, print and feed links inside a share block, and the block's buttons for services
    not in the list (XING, Flipboard, Yummly, ...): "other" when they carry a page's address."""
    lowered = url.lower()
    marker = f"{anchor.get('class', '')} {anchor.get('title', '')} {anchor.text or ''}".lower()
    words = re.split(r"[\s_-]+", marker)
    if lowered.startswith("mailto:") or "/cdn-cgi/l/email-protection" in lowered:
        return "email"  # Cloudflare hides the mailto: link of an email button this way
    if "window.print" in lowered or "print" in words or "printfriendly.com" in lowered:
        return "print"
    if re.search(r"/feed/?$|[?&]feed=|/rss/?$|\.rss$|/atom/?$", lowered) or "rss" in marker:
        return "rss"
    if lowered.startswith(("http://", "https://")) and _shared_url(url):
        return "other"
    return None
