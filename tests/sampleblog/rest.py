"""An imitation of the WordPress REST API (``wp/v2``) as an anonymous client sees it.

Field names, defaults, headers and error bodies follow WordPress core 5.8: ``per_page`` 10 by
default and at most 100, totals in ``X-WP-Total``/``X-WP-TotalPages``, ``Link`` headers in the
``/wp-json/`` form even when the request came through ``?rest_route=``, only ``type=comment``
comments, only users with published posts. A page past the end is a 400 for posts, pages and
media (``rest_post_invalid_page_number``) and an empty list for the others, as in core.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from . import data
from .core import Response, Urls, json_response
from .data import SITE, Comment, Media, Post, Term, User

Json = dict[str, Any]
Query = dict[str, str]
COLLECTIONS = ("posts", "pages", "media", "comments", "categories", "tags", "users")


class RestError(Exception):
    """A WordPress ``WP_Error`` turned into a JSON error response."""

    def __init__(self, code: str, message: str, status: int, **extra: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.extra = code, message, status, extra

    def response(self) -> Response:
        """The JSON body WordPress sends for the error."""
        body = {"code": self.code, "message": self.message,
                "data": {"status": self.status, **self.extra}}
        return json_response(self.status, body)


def invalid(name: str, reason: str) -> RestError:
    """``rest_invalid_param`` for one query parameter."""
    return RestError("rest_invalid_param", f"Invalid parameter(s): {name}", 400,
                     params={name: reason})


def local_iso(when: datetime) -> str:
    """``date``: site-local time without an offset."""
    return when.replace(tzinfo=None).isoformat()


def gmt_iso(when: datetime) -> str:
    """``date_gmt``: UTC without an offset."""
    return when.astimezone(UTC).replace(tzinfo=None).isoformat()


def rendered_title(title: str) -> str:
    """A title as ``the_title`` renders it (``&`` becomes ``&#038;``)."""
    return title.replace("&", "&#038;").replace("<", "&lt;").replace(">", "&gt;")


def avatar_urls(name: str) -> dict[str, str]:
    """Gravatar URLs in the three sizes the API lists."""
    digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
    return {str(s): f"https://secure.gravatar.com/avatar/{digest}?s={s}&d=mm&r=g"
            for s in (24, 48, 96)}


# ------------------------------------------------------------------ query parameters

def int_param(q: Query, name: str, default: int, low: int = 1, high: int | None = None) -> int:
    """An integer parameter, validated like the schema WordPress registers for it."""
    raw = q.get(name, "")
    if raw == "":
        return default
    if not re.fullmatch(r"\d+", raw):
        raise invalid(name, f"{name} is not of type integer.")
    value = int(raw)
    if value < low or (high is not None and value > high):
        bound = f"between {low} (inclusive) and {high} (inclusive)" if high is not None \
            else f"greater than or equal to {low}"
        raise invalid(name, f"{name} must be {bound}")
    return value


def ids_param(q: Query, name: str) -> list[int] | None:
    """A comma-separated list of ids, or None when the parameter is absent."""
    raw = q.get(name) or q.get(f"{name}[]")
    if not raw:
        return None
    if not re.fullmatch(r"\d+(,\d+)*", raw):
        raise invalid(name, f"{name}[0] is not of type integer.")
    return [int(v) for v in raw.split(",")]


def date_param(q: Query, name: str) -> datetime | None:
    """An ISO 8601 date; without an offset it is read in the site's time zone."""
    raw = q.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as error:
        raise invalid(name, "Invalid date.") from error
    if value.tzinfo is None:
        value = data.eastern(value.year, value.month, value.day, value.hour, value.minute)
    return value


def choice_param(q: Query, name: str, default: str, allowed: Sequence[str]) -> str:
    """An enumerated parameter such as ``order`` or ``orderby``."""
    value = q.get(name) or default
    if value not in allowed:
        raise invalid(name, f"{name} is not one of {', '.join(allowed)}.")
    return value


def ordered(items: list[Any], q: Query, keys: dict[str, Callable[[Any], Any]],
            default: str, default_order: str) -> list[Any]:
    """Sort by ``orderby``/``order``; ties are broken by id, as MySQL usually does."""
    orderby = choice_param(q, "orderby", default, list(keys))
    order = choice_param(q, "order", default_order, ("asc", "desc"))
    return sorted(items, key=lambda item: (keys[orderby](item), item.id),
                  reverse=order == "desc")


def in_range(when: datetime, q: Query, after: str, before: str) -> bool:
    """Whether a date passes the ``after``/``before`` style filters."""
    low, high = date_param(q, after), date_param(q, before)
    return (low is None or when > low) and (high is None or when < high)


# ------------------------------------------------------------------ the API


@dataclass(frozen=True)
class Collection:
    """One ``wp/v2`` collection: how to query it and how to render an item."""

    objects: Callable[[Query], list[Any]]
    one: Callable[[int], Any | None]
    render: Callable[[Any, bool], Json]
    invalid_id: tuple[str, str]
    past_end_error: bool = False


class RestApi:
    """Answers ``wp/v2`` routes for one home URL."""

    def __init__(self, urls: Urls) -> None:
        self.urls = urls
        self.collections: dict[str, Collection] = {
            "posts": Collection(lambda q: self.entries(data.POSTS, q), self.entry_of("post"),
                                self.post_json, ("rest_post_invalid_id", "Invalid post ID."),
                                True),
            "pages": Collection(lambda q: self.entries(data.PAGES, q), self.entry_of("page"),
                                self.post_json, ("rest_post_invalid_id", "Invalid post ID."),
                                True),
            "media": Collection(self.media, self.media_of, self.media_json,
                                ("rest_post_invalid_id", "Invalid post ID."), True),
            "comments": Collection(self.comments, self.comment_of, self.comment_json,
                                   ("rest_comment_invalid_id", "Invalid comment ID.")),
            "categories": Collection(lambda q: self.terms(data.CATEGORIES, q),
                                     self.term_of(data.CATEGORIES), self.term_json,
                                     ("rest_term_invalid", "Term does not exist.")),
            "tags": Collection(lambda q: self.terms(data.TAGS, q), self.term_of(data.TAGS),
                               self.term_json, ("rest_term_invalid", "Term does not exist.")),
            "users": Collection(self.users, self.user_of, self.user_json,
                                ("rest_user_invalid_id", "Invalid user ID.")),
        }

    def handle(self, route: str, q: Query) -> Response:
        """Dispatch a route such as ``/wp/v2/posts`` or ``/wp/v2/comments/12``."""
        route = "/" + route.strip("/")
        try:
            if route == "/":
                return json_response(200, self.index())
            if route == "/wp/v2":
                return json_response(200, {"namespace": "wp/v2", "routes": self.routes()})
            match = re.fullmatch(r"/wp/v2/([a-z]+)(?:/(\d+))?", route)
            if not match or match[1] not in self.collections:
                raise RestError("rest_no_route",
                                "No route was found matching the URL and request method.", 404)
            collection = self.collections[match[1]]
            if match[2]:
                return self.item(collection, int(match[2]), "_embed" in q)
            return self.listing(match[1], collection, q)
        except RestError as error:
            return error.response()

    def headers(self) -> list[tuple[str, str]]:
        """Headers WordPress adds to every REST response."""
        return [("X-Robots-Tag", "noindex"), ("X-Content-Type-Options", "nosniff"),
                ("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link"),
                ("Allow", "GET")]

    def item(self, collection: Collection, item_id: int, embed: bool) -> Response:
        """A single object by id."""
        found = collection.one(item_id)
        if found is None:
            raise RestError(*collection.invalid_id, 404)
        return json_response(200, collection.render(found, embed), self.headers())

    def listing(self, name: str, collection: Collection, q: Query) -> Response:
        """A page of a collection with WordPress's paging headers."""
        per_page = int_param(q, "per_page", 10, 1, 100)
        page = int_param(q, "page", 1)
        offset = int_param(q, "offset", (page - 1) * per_page, 0)
        items = collection.objects(q)
        total, pages = len(items), math.ceil(len(items) / per_page)
        if collection.past_end_error and page > pages and total > 0:
            raise RestError("rest_post_invalid_page_number",
                            "The page number requested is larger than the number of pages "
                            "available.", 400)
        embed = "_embed" in q
        body = [collection.render(obj, embed) for obj in items[offset:offset + per_page]]
        headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages)), *self.headers()]
        base = {k: v for k, v in q.items() if k not in ("page", "rest_route")}
        route = f"/wp/v2/{name}"
        links = []
        if page > 1:
            prev_url = self.urls.rest(route, {**base, "page": min(page - 1, pages)})
            links.append(f'<{prev_url}>; rel="prev"')
        if pages > page:
            links.append(f'<{self.urls.rest(route, {**base, "page": page + 1})}>; rel="next"')
        if links:
            headers.append(("Link", ", ".join(links)))
        return json_response(200, body, headers)

    def index(self) -> Json:
        """``/wp-json/``: the site description and its routes."""
        now = datetime.now(UTC)
        offset = data.eastern(now.year, now.month, now.day, now.hour).utcoffset()
        assert offset is not None
        return {"name": SITE.name, "description": SITE.tagline, "url": self.urls.home,
                "home": self.urls.home, "gmt_offset": int(offset.total_seconds() // 3600),
                "timezone_string": SITE.timezone, "namespaces": ["oembed/1.0", "wp/v2"],
                "authentication": [], "routes": self.routes(),
                "_links": {"help": [{"href": "https://developer.wordpress.org/rest-api/"}]}}

    def routes(self) -> Json:
        """The ``wp/v2`` routes this imitation answers."""
        routes: Json = {"/wp/v2": {"namespace": "wp/v2", "methods": ["GET"]}}
        for name in COLLECTIONS:
            routes[f"/wp/v2/{name}"] = {"namespace": "wp/v2", "methods": ["GET"],
                                        "_links": {"self": [{"href": self.urls.rest(
                                            f"/wp/v2/{name}")}]}}
            routes[f"/wp/v2/{name}/(?P<id>[\\d]+)"] = {"namespace": "wp/v2", "methods": ["GET"]}
        return routes

    # -------------------------------------------------------------- queries

    def entries(self, pool: tuple[Post, ...], q: Query) -> list[Post]:
        """Posts or pages after the filters WordPress supports for them."""
        include, authors = ids_param(q, "include"), ids_param(q, "author")
        categories, tags = ids_param(q, "categories"), ids_param(q, "tags")
        slugs = set(q["slug"].split(",")) if q.get("slug") else None
        search = q.get("search", "").lower()
        chosen = [
            p for p in pool
            if (include is None or p.id in include) and (authors is None or p.author in authors)
            and (categories is None or set(categories) & set(p.categories))
            and (tags is None or set(tags) & set(p.tags))
            and (slugs is None or p.slug in slugs)
            and (not search or search in (p.title + data.plain_text(p.content)).lower())
            and in_range(p.date, q, "after", "before")
            and in_range(p.modified, q, "modified_after", "modified_before")
        ]
        return ordered(chosen, q, {"date": lambda p: p.date, "modified": lambda p: p.modified,
                                   "id": lambda p: p.id, "title": lambda p: p.title,
                                   "slug": lambda p: p.slug}, "date", "desc")

    def entry_of(self, kind: str) -> Callable[[int], Post | None]:
        """Lookup of one post or page by id."""
        def find(entry_id: int) -> Post | None:
            found = data.entry(entry_id)
            return found if found and found.type == kind else None
        return find

    def media(self, q: Query) -> list[Media]:
        """Attachments, optionally of one parent post."""
        parents = ids_param(q, "parent")
        chosen = [m for m in data.MEDIA if parents is None or m.parent in parents]
        return ordered(chosen, q, {"date": lambda m: m.date, "id": lambda m: m.id},
                       "date", "desc")

    def media_of(self, media_id: int) -> Media | None:
        """Lookup of one attachment."""
        return next((m for m in data.MEDIA if m.id == media_id), None)

    def comments(self, q: Query) -> list[Comment]:
        """Approved comments of type ``comment`` (the only type shown to anonymous clients)."""
        if q.get("type", "comment") != "comment":
            raise RestError("rest_forbidden_param", "Query parameter not permitted: type", 401)
        posts, parents = ids_param(q, "post"), ids_param(q, "parent")
        include = ids_param(q, "include")
        chosen = [
            c for c in data.COMMENTS
            if c.type == "comment" and (posts is None or c.post in posts)
            and (parents is None or c.parent in parents)
            and (include is None or c.id in include)
            and in_range(c.date, q, "after", "before")
        ]
        return ordered(chosen, q, {"date_gmt": lambda c: c.date, "date": lambda c: c.date,
                                   "id": lambda c: c.id, "post": lambda c: c.post,
                                   "parent": lambda c: c.parent}, "date_gmt", "desc")

    def comment_of(self, comment_id: int) -> Comment | None:
        """Lookup of one comment; pingbacks and trackbacks are readable by id, as in core."""
        return data.comment(comment_id)

    def terms(self, pool: tuple[Term, ...], q: Query) -> list[Term]:
        """Categories or tags, by name unless ``orderby`` says otherwise."""
        include, posts = ids_param(q, "include"), ids_param(q, "post")
        slugs = set(q["slug"].split(",")) if q.get("slug") else None
        hide_empty = q.get("hide_empty", "") in ("1", "true")
        attached = {t for p in data.all_entries() if posts and p.id in posts
                    for t in p.categories + p.tags}
        chosen = [t for t in pool
                  if (include is None or t.id in include) and (posts is None or t.id in attached)
                  and (slugs is None or t.slug in slugs)
                  and (not hide_empty or data.post_count(t.id))]
        return ordered(chosen, q, {"name": lambda t: t.name, "id": lambda t: t.id,
                                   "slug": lambda t: t.slug,
                                   "count": lambda t: data.post_count(t.id)}, "name", "asc")

    def term_of(self, pool: tuple[Term, ...]) -> Callable[[int], Term | None]:
        """Lookup of one term in a taxonomy."""
        return lambda term_id: next((t for t in pool if t.id == term_id), None)

    def users(self, q: Query) -> list[User]:
        """Users with published posts (core hides everyone else from anonymous clients)."""
        include = ids_param(q, "include")
        slugs = set(q["slug"].split(",")) if q.get("slug") else None
        chosen = [u for u in data.authors_with_posts()
                  if (include is None or u.id in include) and (slugs is None or u.slug in slugs)]
        return ordered(chosen, q, {"name": lambda u: u.display_name, "id": lambda u: u.id,
                                   "slug": lambda u: u.slug}, "name", "asc")

    def user_of(self, user_id: int) -> User | None:
        """Lookup of one user; those without posts answer 401 as in core."""
        if user_id not in {u.id for u in data.USERS}:
            return None
        if user_id not in {u.id for u in data.authors_with_posts()}:
            raise RestError("rest_user_cannot_view", "Sorry, you are not allowed to list users.",
                            401)
        return data.user(user_id)

    # -------------------------------------------------------------- objects

    def link(self, route: str, **extra: Any) -> list[Json]:
        """A ``_links`` entry."""
        return [{**extra, "href": self.urls.rest(route)}]

    def post_json(self, p: Post, embed: bool, context: str = "view") -> Json:
        """A post or page as ``wp/v2/posts`` / ``wp/v2/pages`` returns it."""
        base = f"/wp/v2/{p.type}s"
        out: Json = {
            "id": p.id, "date": local_iso(p.date), "date_gmt": gmt_iso(p.date),
            "guid": {"rendered": self.urls.at(f"/?{'p' if p.type == 'post' else 'page_id'}"
                                              f"={p.id}")},
            "modified": local_iso(p.modified), "modified_gmt": gmt_iso(p.modified),
            "slug": p.slug, "status": "publish", "type": p.type, "link": self.urls.permalink(p),
            "title": {"rendered": rendered_title(p.title)},
            "content": {"rendered": self.urls.expand(p.content), "protected": False},
            "excerpt": {"rendered": f"<p>{data.excerpt(p)}</p>\n", "protected": False},
            "author": p.author, "featured_media": 0, "comment_status": p.comment_status,
            "ping_status": p.ping_status, "template": "", "meta": [],
        }
        if p.type == "post":
            out |= {"sticky": False, "format": "standard", "categories": list(p.categories),
                    "tags": list(p.tags)}
        else:
            out |= {"parent": 0, "menu_order": p.menu_order}
        if context == "embed":
            keep = ("id", "date", "slug", "type", "link", "title", "author", "excerpt")
            return {k: out[k] for k in keep}
        links: Json = {
            "self": self.link(f"{base}/{p.id}"), "collection": self.link(base),
            "author": self.link(f"/wp/v2/users/{p.author}", embeddable=True),
            "replies": [{"embeddable": True,
                         "href": self.urls.rest("/wp/v2/comments", {"post": p.id})}],
        }
        if p.type == "post":
            links["wp:term"] = [
                {"taxonomy": tax, "embeddable": True,
                 "href": self.urls.rest(f"/wp/v2/{route}", {"post": p.id})}
                for tax, route in (("category", "categories"), ("post_tag", "tags"))]
        out["_links"] = links
        if embed:
            embedded: Json = {"author": [self.user_json(data.user(p.author), False)]}
            replies = self.comments({"post": str(p.id)})[:10]
            if replies:
                embedded["replies"] = [[self.comment_json(c, False) for c in replies]]
            if p.type == "post":
                embedded["wp:term"] = [[self.term_json(data.term(t), False) for t in ids]
                                       for ids in (p.categories, p.tags)]
            out["_embedded"] = embedded
        return out

    def media_json(self, m: Media, embed: bool) -> Json:
        """An attachment as ``wp/v2/media`` returns it."""
        sizes = {name: {"file": self.urls.upload(m, name).rsplit("/", 1)[1], "width": w,
                        "height": h, "mime_type": "image/png",
                        "source_url": self.urls.upload(m, name)} for name, w, h in m.sizes}
        sizes["full"] = {"file": m.file.rsplit("/", 1)[1], "width": m.width, "height": m.height,
                         "mime_type": "image/png", "source_url": self.urls.upload(m)}
        return {
            "id": m.id, "date": local_iso(m.date), "date_gmt": gmt_iso(m.date),
            "guid": {"rendered": self.urls.upload(m)}, "modified": local_iso(m.date),
            "modified_gmt": gmt_iso(m.date), "slug": m.slug, "status": "inherit",
            "type": "attachment", "link": self.urls.attachment(m),
            "title": {"rendered": rendered_title(m.title)}, "author": m.author,
            "comment_status": "open", "ping_status": "closed", "template": "", "meta": [],
            "description": {"rendered": ""}, "caption": {"rendered": f"<p>{m.caption}</p>\n"},
            "alt_text": m.alt, "media_type": "image", "mime_type": "image/png",
            "media_details": {"width": m.width, "height": m.height, "file": m.file,
                              "sizes": sizes},
            "post": m.parent, "source_url": self.urls.upload(m),
            "_links": {"self": self.link(f"/wp/v2/media/{m.id}"),
                       "collection": self.link("/wp/v2/media")},
        }

    def comment_json(self, c: Comment, embed: bool) -> Json:
        """A comment as ``wp/v2/comments`` returns it."""
        post = data.entry(c.post)
        assert post is not None
        links: Json = {
            "self": self.link(f"/wp/v2/comments/{c.id}"),
            "collection": self.link("/wp/v2/comments"),
            "up": self.link(f"/wp/v2/{post.type}s/{post.id}", embeddable=True,
                            post_type=post.type),
        }
        if c.user_id:
            links["author"] = self.link(f"/wp/v2/users/{c.user_id}", embeddable=True)
        if c.parent:
            links["in-reply-to"] = self.link(f"/wp/v2/comments/{c.parent}", embeddable=True)
        out: Json = {
            "id": c.id, "post": c.post, "parent": c.parent, "author": c.user_id,
            "author_name": c.author_name, "author_url": c.author_url,
            "date": local_iso(c.date), "date_gmt": gmt_iso(c.date),
            "content": {"rendered": self.urls.expand(c.content)},
            "link": self.urls.comment(c), "status": "approved", "type": c.type,
            "author_avatar_urls": avatar_urls(c.author_name), "meta": [], "_links": links,
        }
        if embed:
            out["_embedded"] = {"up": [self.post_json(post, False, "embed")]}
        return out

    def term_json(self, t: Term, embed: bool) -> Json:
        """A category or tag."""
        route = "categories" if t.taxonomy == "category" else "tags"
        out: Json = {"id": t.id, "count": data.post_count(t.id), "description": t.description,
                     "link": self.urls.term(t), "name": t.name, "slug": t.slug,
                     "taxonomy": t.taxonomy}
        if t.taxonomy == "category":
            out["parent"] = 0
        out |= {"meta": [], "_links": {"self": self.link(f"/wp/v2/{route}/{t.id}"),
                                       "collection": self.link(f"/wp/v2/{route}")}}
        return out

    def user_json(self, u: User, embed: bool) -> Json:
        """A user as anonymous clients see one (no login, no e-mail, no roles)."""
        return {"id": u.id, "name": u.display_name, "url": u.url, "description": u.description,
                "link": self.urls.author(u), "slug": u.slug,
                "avatar_urls": avatar_urls(u.display_name), "meta": [],
                "_links": {"self": self.link(f"/wp/v2/users/{u.id}"),
                           "collection": self.link("/wp/v2/users")}}
