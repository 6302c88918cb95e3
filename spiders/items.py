"""Typed items that extraction returns and the pipelines store.

Plain dataclasses: Scrapy handles them through itemadapter, and the extraction functions, the
pipelines and the tests use them without a crawler.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from spiders.archived import ArchivedPosts, PostsBy, id_array


@dataclass
class Crumb:
    """One step of a breadcrumb trail; the last one is often the current page, without a URL."""

    label: str
    url: str | None = None


@dataclass
class ShareLink:
    """A link that shares the post on a service (not a "follow us" profile link)."""

    service: str
    url: str


@dataclass
class Term:
    """A category or tag as the post shows it."""

    taxonomy: str  # "category" or "post_tag"
    name: str
    url: str | None = None


@dataclass
class Image:
    """An image in the post content, with its caption when the markup gives one."""

    src: str
    alt: str | None = None
    caption: str | None = None
    largest: str | None = None  # the largest candidate of its srcset, when it has one


@dataclass
class Comment:
    """A comment, pingback or trackback, with its place in the reply tree."""

    wp_id: int | None
    parent_wp_id: int | None = None
    depth: int = 1
    author: str | None = None
    author_url: str | None = None
    published: str | None = None
    type: str = "comment"
    content_html: str | None = None
    content_text: str | None = None
    sources: list[str] = field(default_factory=list)  # "html", "rest"
    # Who wrote it, as WordPress marks a registered user: the `comment-author-<slug>` and `byuser`
    # classes of `comment_class()`, the REST API's user id (0 for a guest), and `bypostauthor`.
    author_slug: str | None = None
    author_user_id: int | None = None
    registered: bool = False
    by_post_author: bool = False


@dataclass
class Post:
    """A post or page with everything captured about it."""

    url: str
    site_url: str | None = None
    wp_id: int | None = None
    type: str = "post"
    title: str | None = None
    author: str | None = None
    # The author as WordPress identifies them: the author archive link (`/author/<slug>/`), its
    # slug (`user_nicename`) and the REST API's user id.
    author_url: str | None = None
    author_slug: str | None = None
    author_user_id: int | None = None
    published: str | None = None
    modified: str | None = None
    terms: list[Term] = field(default_factory=list)
    content_html: str | None = None
    content_text: str | None = None
    images: list[Image] = field(default_factory=list)
    # Files to keep with the post: images (the largest srcset candidate and the src), the featured
    # image, and attachments under wp-content/uploads (extraction.page.media_urls).
    media_urls: list[str] = field(default_factory=list)
    breadcrumbs: list[Crumb] = field(default_factory=list)
    share_links: list[ShareLink] = field(default_factory=list)
    comment_count_declared: int | None = None
    comment_count_rest: int | None = None
    external_comments: str | None = None
    protected: bool = False
    comments: list[Comment] = field(default_factory=list)
    comment_page_urls: list[str] = field(default_factory=list)
    comment_page_number: int | None = None  # the comment page this page shows, when it says
    comment_feed_url: str | None = None  # this post's own comments feed, when the page links it
    comments_complete: bool = True
    sources: list[str] = field(default_factory=list)  # "html", "rest", "feed", "sitemap"
    site_name: str | None = None
    # The post's page as fetched: url, etag, last_modified, and the sitemap's lastmod, stored with
    # the post so that the next crawl can ask "changed since?" (If-None-Match, If-Modified-Since).
    fetched: list[dict[str, str | None]] = field(default_factory=list)
    # Where this crawl kept the responses the post was read from (its page and comment pages):
    # url, kind, and the WACZ file, record id and payload digest (pipelines/capture.py).
    captures: list[dict[str, str]] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        return [t.name for t in self.terms if t.taxonomy == "category"]

    @property
    def tags(self) -> list[str]:
        return [t.name for t in self.terms if t.taxonomy == "post_tag"]

    def summary(self) -> dict[str, Any]:
        """The documented `wparchive extract` JSON contract (plus a few extra keys)."""
        return {
            "url": self.url,
            "wp_id": self.wp_id,
            "type": self.type,
            "title": self.title,
            "author": self.author,
            "published": self.published,
            "modified": self.modified,
            "categories": self.categories,
            "tags": self.tags,
            "content_text": self.content_text,
            "images": [asdict(i) for i in self.images],
            "breadcrumbs": [asdict(c) for c in self.breadcrumbs],
            "share_links": [asdict(s) for s in self.share_links],
            "comment_count_declared": self.comment_count_declared,
            "comment_count_extracted": len(self.comments),
            # False when the page states a number of responses that its comments do not add up to.
            "comment_count_agrees": None
            if self.comment_count_declared is None
            else self.comment_count_declared == len(self.comments),
            "external_comments": self.external_comments,
            "protected": self.protected,
            "comment_page_urls": self.comment_page_urls,
            "comments": [
                {
                    "wp_id": c.wp_id,
                    "parent_wp_id": c.parent_wp_id,
                    "depth": c.depth,
                    "author": c.author,
                    "author_url": c.author_url,
                    "published": c.published,
                    "type": c.type,
                    "content_text": c.content_text,
                }
                for c in self.comments
            ],
        }


@dataclass
class Media:
    """A file kept with a post (an image, a featured image, an attachment): where its bytes are in
    the crawl's WACZ, and what it is."""

    site_url: str
    post_url: str
    url: str
    content_type: str | None
    bytes: int
    sha256: str
    alt: str | None = None
    caption: str | None = None
    wacz: str | None = None
    record_id: str | None = None


@dataclass
class SiteCrawl:
    """How one site's crawl ended, and what it observed besides the posts it saved.

    Yielded once per site when every request for it is done; the pipeline records it in
    `site_crawls` and marks posts seen, confirmed or missing.
    """

    site_url: str
    status: str  # complete, partial, failed, interrupted
    mode: str  # full, resume, incremental, single
    discovery: str | None = None
    site_clock: str | None = None  # the site's clock when the crawl of it began (ISO 8601, UTC)
    requests: int = 0
    error: str | None = None
    rest_comment_total: int | None = None  # the REST API's X-WP-Total for comments, when listed
    seen: list[int] = field(default_factory=list)  # archive post ids listed or answered 304
    confirmed: list[int] = field(default_factory=list)  # archive post ids whose comments are unchanged
    missing: list[int] = field(default_factory=list)  # archive post ids gone from a complete listing
    validators: list[dict[str, Any]] = field(default_factory=list)  # listings: url, etag, last_modified (, links)
    proof: str | None = None  # the rule that proved the listing complete (None: not proven)


# --- What the archive knows, handed to the spider for a re-crawl (archive.db reads it) -----------


@dataclass(slots=True)
class KnownPost:
    """An archived post, as a re-crawl sees it (one per archived post: slots keep it small)."""

    id: int
    wp_id: int | None
    type: str
    url: str
    modified: str | None
    missing: bool
    # WordPress ids of its present comments, sorted: an array of 8 bytes an id, where a tuple of
    # ints takes about 40 and a frozenset about 60 (a re-crawl of a big blog holds one a post).
    comment_ids: Sequence[int] = ()
    rest_comment_ids: Sequence[int] = ()  # those the REST API gave (type comment)
    protected: bool = False  # password-protected: WordPress lists none of its comments


class Validators(Protocol):
    """What the last fetch of a URL said, by URL (a dict, or the archive read one URL at a time)."""

    def get(self, url: str, default: Any = None, /) -> Any: ...


@dataclass
class SiteState:
    """What the archive holds about one site: enough to fetch only what changed."""

    site_id: int
    url: str
    discovery: str | None  # how the site was listed last time
    last_complete_crawl: int | None  # the last crawl that listed and fetched everything it had to
    last_site_clock: str | None  # the site's clock when that crawl began
    # Every archived post, held in columns (`spiders.archived`: a big blog has 100,000 of them);
    # a list of `KnownPost` is put into columns.
    posts: ArchivedPosts | Iterable[KnownPost]
    urls: Mapping[str, int]  # URL as listed or stored -> post id
    validators: Validators  # URL -> etag, last_modified, lastmod (, links, marked)
    missing_comment_ids: frozenset[int] = frozenset()
    media: frozenset[str] = frozenset()  # URLs of the files the archive holds for the site
    by_id: PostsBy = field(init=False, repr=False)
    by_wp_id: PostsBy = field(init=False, repr=False)
    # Every present comment's WordPress id, sorted in an array: 8 bytes an id, where a set takes
    # about 60 (a big blog has a million comments); `has_comment` looks one up. Made from the
    # posts' ids unless given (the archive gives it sorted).
    comment_ids: array | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.posts, ArchivedPosts):
            self.posts = ArchivedPosts.of(self.posts)
        self.by_id = PostsBy.id(self.posts)
        self.by_wp_id = PostsBy.wp_id(self.posts)
        if self.comment_ids is None:
            self.comment_ids = id_array(sorted(self.posts.comments))

    def has_comment(self, wp_id: int) -> bool:
        """Whether the archive holds this WordPress comment id among the site's present comments."""
        return sorted_has(self.comment_ids or array("q"), wp_id)


def sorted_has(values: Sequence[int], value: int) -> bool:
    """Whether a sorted sequence holds `value` (by bisection)."""
    at = bisect_left(values, value)
    return at < len(values) and values[at] == value
