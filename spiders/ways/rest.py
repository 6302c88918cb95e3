"""The REST way in: `/wp-json/wp/v2/...` (or `?rest_route=`), full and incremental."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from spiders.extraction.discovery import (
    rest_comment,
    rest_post,
    rest_root,
)
from spiders.extraction.document import Document
from spiders.items import Comment, KnownPost, Post, Term
from spiders.recrawl import (
    Listings,
    archived_and_new,
    current_comment_ids,
    plan_recrawl,
    present_posts,
    same_instant,
)
from spiders.state import (
    CALLBACK_STATUSES,
    ListingBatch,
    Site,
    by_choice,
    chunked,
    failure_reason,
    site_step,
)
from spiders.urls import (
    normalise_url,
    post_url_of_comment_page,
)

REST_EMBED = "author,wp:term"
# Incremental crawls count each batch of posts' REST comments, and list the comment ids (with their
# post) only of batches whose count is not the archive's plus the comments listed since.
COMMENT_IDS = {"_fields": "id,post"}
COUNT_BATCH = 100  # posts a count request names (`post=`)


def _archived_rest_post(data: dict[str, Any], site_url: str) -> Post:
    """A post's REST fields as the archive holds them (`archive.db.archived_posts`), to merge with
    its page fetched again: what the API would say of a post that did not change."""
    return Post(
        url=data["url"],
        site_url=site_url,
        wp_id=data["wp_id"],
        type=data["type"] or "post",
        title=data["title"],
        author=data["author"],
        author_url=data.get("author_url"),
        author_slug=data.get("author_slug"),
        author_user_id=data.get("author_user_id"),
        published=data["published"],
        modified=data["modified"],
        terms=[Term(t["taxonomy"], t["name"], t["url"]) for t in data["terms"]],
        content_html=data["content_html"],
        content_text=data["content_text"],
        protected=data["protected"],
        sources=["rest"],
    )


def _archived_comment(data: dict[str, Any]) -> Comment:
    """An archived REST comment, as the API would give it again (depth follows from its parents)."""
    return Comment(
        wp_id=data["wp_id"],
        parent_wp_id=data["parent_wp_id"],
        author=data["author"],
        author_url=data["author_url"],
        author_user_id=data.get("author_user_id"),
        registered=bool(data.get("author_user_id")),
        published=data["published"],
        type="comment",
        content_html=data["content_html"],
        content_text=data["content_text"],
        sources=["rest"],
    )


class RestWay:
    """Lists posts, pages and comments through the REST API; on a re-crawl, what changed (the
    `modified_after`/`after` listings, id listings to notice what is gone or came late)."""

    def _api_root(self, doc: Document, home: str) -> str | None:
        return rest_root(doc) or home + "wp-json/"

    def _rest_url(
        self, site: Site, route: str, page: int, extra: dict[str, Any] | None = None, per_page: int = 100
    ) -> str:
        params: dict[str, Any] = {"per_page": per_page, "page": page}
        if route in ("posts", "pages") and "_fields" not in (extra or {}):
            params["_embed"] = REST_EMBED
        if route == "comments":
            params["orderby"] = "id"
            params["order"] = "asc"
        params.update(extra or {})
        api = site.api or site.home + "wp-json/"
        if "rest_route=" in api:
            base = api.split("?")[0]
            return f"{base}?{urlencode({'rest_route': f'/wp/v2/{route}', **params})}"
        return f"{api.rstrip('/')}/wp/v2/{route}?{urlencode(params)}"

    def _rest_request(
        self,
        site: Site,
        route: str,
        page: int,
        callback: Callable[..., Any],
        extra: dict[str, Any] | None = None,
        kind: str = "data",
        per_page: int = 100,
        more: bool = True,
    ) -> scrapy.Request:
        """A REST listing request; `kind` is data, ids or count; `more`: follow its other pages."""
        return self._request(
            site,
            self._rest_url(site, route, page, extra, per_page),
            callback,
            errback=self.rest_failed,
            meta={
                # Error statuses reach the callback (which says what they mean); redirects are
                # followed (a redirect loop fails the request).
                "handle_httpstatus_list": CALLBACK_STATUSES,
                "route": route,
                "page": page,
                "kind": kind,
                "extra": extra or {},
                "more": more,
            },
        )

    def _rest_first_request(self, site: Site) -> scrapy.Request:
        extra = {"modified_after": site.since} if site.mode == "incremental" else {}
        return self._rest_request(site, "posts", 1, self.parse_rest_first, extra=extra)

    def _listing(self, site: Site, request: scrapy.Request) -> scrapy.Request:
        site.pending_listings += 1
        return request

    @site_step
    def parse_rest_first(self, response: Response, site: Site) -> Iterator[Any]:
        """The first page of REST posts: decides whether the API is usable."""
        data = self._json_list(response)
        if data is None and response.status == 200:
            # Not what was asked for: an old WordPress or a cache answers `?rest_route=` with the
            # home page, a security plugin with a JSON error.
            self.count("listing_rejected/not_a_rest_listing")
        if data is None and response.status >= 500:
            site.rest_trouble = site.rest_trouble or f"HTTP {response.status}"
        if data is None:
            if site.api and "rest_route=" not in site.api:
                self.logger.info(
                    "REST API at %s did not answer (%s); trying ?rest_route=",
                    site.api,
                    response.status,
                )
                site.api = site.home + "?rest_route=/"
                yield self._rest_first_request(site)
                return
            self.logger.info("No usable REST API on %s; using sitemaps, feeds or HTML", site.home)
            yield from self._rest_unusable(site)
            return
        site.discovery = "rest_route" if "rest_route=" in (site.api or "") else "rest"
        self.discovery[site.home] = site.discovery
        self.count(f"discovery/{site.discovery}")
        extra = response.meta["extra"]
        total = self._pages_to_read(site, response)
        if site.mode != "incremental":
            # Listing and fetching interleave: each listing page's posts are fetched (with their
            # REST comments, asked for by post) before many more are listed.
            site.listing_pages["posts"] = total
            yield from self._stream_page(site, "posts", 1, data)
            yield self._listing(site, self._rest_request(site, "pages", 1, self.parse_rest_stream))
            yield self._listing(
                site,
                self._rest_request(
                    site, "comments", 1, self.parse_rest_listing, {"_fields": "id"}, "total", per_page=1, more=False
                ),
            )
            site.steps = [self._step_stream_done]
            return
        self._add_rest_posts(site, data)
        requests = [
            self._rest_request(site, "posts", p, self.parse_rest_listing, extra, more=False)
            for p in range(2, total + 1)
        ]
        # Incremental: what changed since the last complete crawl, and what disappeared or came
        # late: post and page ids (the first page, more when the total is off), the site's comment
        # total, then (`_step_count_comments`) each batch of posts' comment count.
        requests.append(self._rest_request(site, "pages", 1, self.parse_rest_listing, extra))
        after = {"after": site.comments_since or site.since}
        requests.append(self._rest_request(site, "comments", 1, self.parse_rest_listing, after))
        for route in ("posts", "pages"):
            requests.append(
                self._rest_request(site, route, 1, self.parse_rest_listing, {"_fields": "id"}, "ids", more=False)
            )
        requests.append(
            self._rest_request(
                site, "comments", 1, self.parse_rest_listing, {"_fields": "id"}, "total", per_page=1, more=False
            )
        )
        requests.append(self._site_comments_feed_request(site, then=None))
        site.steps = [self._step_more_ids, self._step_count_comments, self._step_compare, self._step_fetch]
        for request in requests:
            yield self._listing(site, request)

    @site_step
    def parse_rest_listing(self, response: Response, site: Site) -> Iterator[Any]:
        route, page, kind = response.meta["route"], response.meta["page"], response.meta["kind"]
        data = self._json_list(response)
        if data is None:
            self._listing_failed(site, route, f"REST {route} ({kind}) page {page}", response.status)
        elif kind == "total":
            if self._total(response) is not None:
                site.totals[route] = self._total(response)
        elif kind == "ids" and route == "comments":  # a batch of posts whose comment count disagreed
            for item in data:
                if isinstance(item, dict) and isinstance(item.get("id"), int) and isinstance(item.get("post"), int):
                    site.listed_comments.setdefault(item["post"], set()).add(item["id"])
                else:
                    site.comment_ids_ok = False  # not what was asked for: cannot say what is gone
        elif kind == "ids":
            site.ids.setdefault(route, set()).update(i["id"] for i in data if isinstance(i, dict) and "id" in i)
            if page == 1 and self._total(response) is not None:
                site.totals[route] = self._total(response)
                site.id_pages[route] = self._pages_to_read(site, response)
        elif route == "comments":
            if page == 1 and not response.meta["extra"] and self._total(response) is not None:
                site.totals[route] = self._total(response)  # the whole listing: its total is the count
            for item in data:
                post_id, comment = rest_comment(item)
                if post_id is not None:
                    self._add_rest_comment(site, post_id, comment)
        else:
            self._add_rest_posts(site, data)
        if data is not None and page == 1 and response.meta["more"]:
            extra = response.meta["extra"]
            for p in range(2, self._pages_to_read(site, response) + 1):
                yield self._listing(site, self._rest_request(site, route, p, self.parse_rest_listing, extra, kind))
        yield from self._listing_done(site)

    @site_step
    def rest_failed(self, failure: Failure, **_: Any) -> Iterator[Any]:
        request = failure.request
        site: Site = request.cb_kwargs["site"]
        self.count(f"rest_failed/{request.meta.get('route')}")
        self.logger.warning("REST request %s failed: %s", request.url, failure.value)
        if request.callback == self.parse_rest_first:
            if not by_choice(failure):
                site.rest_trouble = site.rest_trouble or failure_reason(failure)
            yield from self._rest_unusable(site)
            return
        site.listing_ok = False
        site.error = site.error or f"REST {request.meta.get('route')}: {failure_reason(failure)}"
        batch = request.meta.get("batch")
        if batch is not None:  # its posts are fetched all the same, with their pages' comments
            batch.pending -= 1
            if batch.pending == 0:
                yield from self._dispatch_batch(site, batch)
        yield from self._listing_done(site)

    def _rest_unusable(self, site: Site) -> Iterator[Any]:
        """List the blog another way. When the API failed (rather than not being offered), what the
        other ways find is archived, but the site is not complete: the REST data (exact dates,
        every comment) is missing, and the next crawl tries again."""
        if site.rest_trouble:
            site.failures += 1
            site.error = site.error or f"the REST API failed ({site.rest_trouble}); listed another way"
            self.count("rest_failed/api")
        yield from self._after_rest(site, site.home_response)

    def _listing_done(self, site: Site) -> Iterator[Any]:
        site.pending_listings -= 1
        if site.pending_listings > 0:
            return
        while site.steps and site.pending_listings == 0:
            step = site.steps.pop(0)
            yield from step(site)

    def _listing_failed(self, site: Site, route: str, what: str, status: int) -> None:
        """A listing that did not answer: the site's listing is not complete (nothing is marked missing)."""
        site.listing_ok = False
        site.error = site.error or f"{what}: HTTP {status}"
        self.count(f"rest_failed/{route}")
        self.logger.warning("%s failed (HTTP %s)", what, status)

    # Full and resumed crawls: everything is listed, page by page, and fetched as it is listed.

    @site_step
    def parse_rest_stream(self, response: Response, site: Site) -> Iterator[Any]:
        """A page of the posts or pages listing: its posts go on to be fetched."""
        route, page = response.meta["route"], response.meta["page"]
        data = self._json_list(response)
        if data is None:
            self._listing_failed(site, route, f"REST {route} page {page}", response.status)
        else:
            if page == 1:
                site.listing_pages[route] = self._pages_to_read(site, response)
            yield from self._stream_page(site, route, page, data)
        yield from self._listing_done(site)

    def _stream_page(self, site: Site, route: str, page: int, data: list[dict]) -> Iterator[Any]:
        """Ask for the next listing page (held back while many requests are outstanding) and the
        REST comments of this page's posts (`post=` their ids, 100 a request). The next page is
        asked for now, not once these posts are sent: three round trips (the listing page, its
        comments' first page, the others) stood between one page's posts and the next's, and the
        downloader ran dry while they were on their way (6 of 16 requests at once, on loopback)."""
        if page < site.listing_pages.get(route, 1):
            following = self._listing(
                site, self._rest_request(site, route, page + 1, self.parse_rest_stream, more=False)
            )
            if site.pending > self.settings.getint("ARCHIVE_LISTING_AHEAD", 200):
                site.deferred.append(following)  # released by `_maybe_done` as requests are answered
            else:
                yield following
        batch = ListingBatch(route, page, self._listed_posts(site, data))
        # Not a password-protected post's: WordPress refuses (401) a comment listing that names one,
        # and lists none of its comments anyway.
        ids = sorted({post.wp_id for post in batch.posts.values() if post.wp_id is not None and not post.protected})
        if not ids:
            yield from self._dispatch_batch(site, batch)
            return
        batch.pending = 1
        request = self._rest_request(
            site, "comments", 1, self.parse_batch_comments, {"post": ",".join(map(str, ids))}, "batch"
        )
        request.meta["batch"] = batch
        yield self._listing(site, request)

    @site_step
    def parse_batch_comments(self, response: Response, site: Site) -> Iterator[Any]:
        batch: ListingBatch = response.meta["batch"]
        data = self._json_list(response)
        if data is None:
            self._listing_failed(site, "comments", f"REST comments of {batch.route} page {batch.page}", response.status)
        else:
            for item in data:
                post_id, comment = rest_comment(item)
                if post_id is not None:
                    key = comment.wp_id if comment.wp_id is not None else id(comment)
                    batch.comments.setdefault(post_id, {})[key] = comment
            if response.meta["page"] == 1:
                for page in range(2, self._pages_to_read(site, response) + 1):
                    batch.pending += 1
                    more = self._rest_request(
                        site, "comments", page, self.parse_batch_comments, response.meta["extra"], "batch"
                    )
                    more.meta["batch"] = batch
                    yield self._listing(site, more)
        batch.pending -= 1
        if batch.pending == 0:
            yield from self._dispatch_batch(site, batch)
        yield from self._listing_done(site)

    def _dispatch_batch(self, site: Site, batch: ListingBatch) -> Iterator[Any]:
        """Fetch a listing page's posts (a resumed crawl skips those archived and unchanged)."""
        known = site.known_by_wp_id()
        for url, post in batch.posts.items():
            if post.wp_id is not None:
                site.rest_comments[post.wp_id] = batch.comments.get(post.wp_id, {})
            archived = known.get(post.wp_id) if post.wp_id is not None else None
            if site.mode == "resume" and archived and not archived.missing and self._up_to_date(site, archived, post):
                site.seen.add(archived.id)
                site.confirmed.add(archived.id)
                site.rest_comments.pop(post.wp_id, None)
                self.count("skipped/up_to_date")
                continue
            yield self._post_request(url, site, rest=post, known=archived)

    def _step_stream_done(self, site: Site) -> Iterator[Any]:
        """Every listing page read: what the archive holds and the listing no longer has is missing."""
        self.logger.info(
            "%s: %d posts and pages listed by the REST API (%s comments)",
            site.home,
            len(site.rest_listed),
            site.totals.get("comments", "?"),
        )
        if site.listing_ok:
            site.proof = "REST totals reached"
            known = site.known_by_wp_id()
            site.missing |= {p.id for wp_id, p in known.items() if not p.missing and wp_id not in site.rest_listed}
        return iter(())

    def _listed_posts(self, site: Site, data: list[dict]) -> dict[str, Post]:
        posts = {}
        for item in data:
            if not isinstance(item, dict) or item.get("status", "publish") != "publish":
                continue
            post = rest_post(item, site.home, users={}, terms={})
            posts[normalise_url(post.url)] = post
            if post.wp_id is not None:
                site.rest_listed.add(post.wp_id)
        return posts

    def _add_rest_posts(self, site: Site, data: list[dict]) -> None:
        for item in data:
            if not isinstance(item, dict) or item.get("status", "publish") != "publish":
                continue
            post = rest_post(item, site.home, users={}, terms={})
            site.rest_posts[normalise_url(post.url)] = post
            if post.wp_id is not None:
                site.rest_listed.add(post.wp_id)

    def _add_rest_comment(self, site: Site, post_wp_id: int, comment: Comment) -> None:
        key = comment.wp_id if comment.wp_id is not None else id(comment)
        site.rest_comments.setdefault(post_wp_id, {})[key] = comment

    def _up_to_date(self, site: Site, archived: KnownPost, post: Post) -> bool:
        rest_ids = set(site.rest_comments.get(post.wp_id or 0, {}))
        return same_instant(archived.modified, post.modified) and rest_ids == set(archived.rest_comment_ids)

    # Incremental crawls: only what changed.

    def _step_more_ids(self, site: Site) -> Iterator[Any]:
        """The rest of an id listing, unless its total says nothing appeared or disappeared."""
        known = site.known_by_wp_id()
        for route, kind in (("posts", "post"), ("pages", "page")):
            if route not in site.totals:
                continue
            expected = {p.wp_id for p in known.values() if p.type == kind and not p.missing}
            expected |= {p.wp_id for p in site.rest_posts.values() if p.type == kind}
            first_page = site.ids.get(route, set())
            pages = site.id_pages.get(route, 1)
            if pages <= 1:
                site.ids_complete[route] = True
            elif site.totals[route] == len(expected) and first_page <= expected:
                site.ids_complete[route] = False  # settled by the count: nothing gone, nothing new
            else:
                site.ids_complete[route] = True
                for page in range(2, pages + 1):
                    yield self._listing(
                        site,
                        self._rest_request(site, route, page, self.parse_rest_listing, {"_fields": "id"}, "ids"),
                    )

    def _step_count_comments(self, site: Site) -> Iterator[Any]:
        """Count the REST comments of the present posts, a batch at a time, against the archive's
        and the ones listed since (`after`). A deletion lowers a batch's count, a late approval
        raises it: only batches whose count disagrees are split or have their ids listed. (A
        deletion and a late approval in one batch between two crawls cancel out; a full re-crawl,
        `ARCHIVE_FULL_RECRAWL`, lists everything.) Password-protected posts are left out: WordPress
        refuses a listing that names one, and shows none of their comments."""
        known = site.known_by_wp_id()
        listings = self._listings(site)
        changed = listings.changed
        site.comment_ids_ok = True
        readable = []
        for wp_id in sorted(present_posts(known, listings)):
            post = changed.get(wp_id) or known.get(wp_id)
            if post is not None and post.protected:
                site.comments_counted.add(wp_id)  # cannot be read: as the archive holds them
            else:
                readable.append(wp_id)
        for batch in chunked(readable, COUNT_BATCH):
            yield self._count_request(site, batch)

    def _count_request(self, site: Site, posts: list[int]) -> scrapy.Request:
        extra = {"post": ",".join(map(str, posts)), "_fields": "id"}
        request = self._rest_request(site, "comments", 1, self.parse_comment_count, extra, "count", 1, more=False)
        request.meta["posts"] = posts
        return self._listing(site, request)

    def _expected_comments(self, site: Site, posts: list[int]) -> int:
        """How many REST comments the posts have if nothing but the comments listed since changed."""
        known = site.known_by_wp_id()
        return sum(len(archived_and_new(known.get(wp_id), set(site.rest_comments.get(wp_id, {})))) for wp_id in posts)

    @staticmethod
    def _cheaper_to_split(posts: int, comments: int) -> bool:
        """Whether counting the two halves of a batch (two requests) and listing only the one that
        changed costs less than listing the batch's comment ids (100 a request)."""
        return posts > 1 and math.ceil(comments / 100) > 2 + math.ceil(comments / 200)

    @site_step
    def parse_comment_count(self, response: Response, site: Site) -> Iterator[Any]:
        """A batch's comment count (X-WP-Total): where it agrees, the batch's comment ids are the
        archive's and the new ones; otherwise a large batch is split in two, a small one (or any,
        when a proxy stripped the count) has its comment ids listed."""
        posts: list[int] = response.meta["posts"]
        data = self._json_list(response)
        total = self._total(response) if data is not None else None
        expected = self._expected_comments(site, posts)
        halves = [posts[: len(posts) // 2], posts[len(posts) // 2 :]]
        if response.status == 401 and len(posts) > 1:
            # One of them became password-protected since it was archived: find which.
            for half in halves:
                yield self._count_request(site, half)
        elif response.status == 401:
            site.comments_counted.add(posts[0])  # its comments cannot be read: as the archive holds them
            self.count("comments_unreadable/protected")
        elif data is None:
            self._listing_failed(site, "comments", f"REST comment count of {len(posts)} posts", response.status)
        elif total == expected:
            site.comments_counted.update(posts)
        elif len(posts) > 1 and total is not None and self._cheaper_to_split(len(posts), max(total, expected)):
            self.count("comment_counts/split")
            for half in halves:
                yield self._count_request(site, half)
        else:
            self.count("comment_counts/listed")
            extra = {**COMMENT_IDS, "post": ",".join(map(str, posts))}
            yield self._listing(site, self._rest_request(site, "comments", 1, self.parse_rest_listing, extra, "ids"))
        yield from self._listing_done(site)

    def _step_compare(self, site: Site) -> Iterator[Any]:
        """What must be fetched again: posts gone from the id listings are missing; new and changed
        posts, posts listed but not archived, and posts whose comment ids differ from the archive's
        REST comments (one gone, one new, one approved late) are fetched again. Their REST data and
        REST comments come from the listings and the archive; only comments approved late (listed
        by id but older than `after`) are asked for (`include=`)."""
        known = site.known_by_wp_id()
        noticed = set()
        for url in site.refetch_urls:
            archived = site.known_url(url) or site.known_url(post_url_of_comment_page(url))
            if archived is not None and archived.wp_id is not None:
                noticed.add(archived.wp_id)
        listings = self._listings(site)
        listings.noticed = noticed
        plan = plan_recrawl(known, listings)
        site.missing |= plan.missing
        for wp_id, rest in plan.refetch.items():
            site.refetch.setdefault(wp_id, rest)
        complete = self._comment_ids_complete(site)
        wanted = set(site.refetch) & set(known)
        stored = self.archive.archived_posts(site.home, wanted) if self.archive is not None and wanted else {}
        lacking: dict[str, list[int]] = {"posts": [], "pages": [], "comments": []}
        for wp_id, rest in site.refetch.items():
            archived = stored.get(wp_id)
            if rest is None and archived is not None and "rest" in archived["sources"]:
                site.refetch[wp_id] = _archived_rest_post(archived, site.home)
            elif rest is None:
                page = (wp_id in known and known[wp_id].type == "page") or wp_id in site.ids.get("pages", set())
                lacking["pages" if page else "posts"].append(wp_id)
            # Its REST comments: the archived ones still listed (or all present ones, without a
            # complete listing), and the new ones from the `after` listing.
            kept = {
                c["wp_id"]: c
                for c in (archived or {}).get("comments", [])
                if c["type"] == "comment" and "rest" in c["sources"] and c["wp_id"] is not None
            }
            fresh = site.rest_comments.get(wp_id, {})
            if complete:
                ids = current_comment_ids(known.get(wp_id), wp_id, listings)
                kept = {i: c for i, c in kept.items() if i in ids}
                lacking["comments"] += sorted(ids - set(kept) - set(fresh))
            else:
                kept = {i: c for i, c in kept.items() if not c["missing"]}
            site.rest_comments[wp_id] = {**{i: _archived_comment(c) for i, c in kept.items()}, **fresh}
        if lacking["comments"]:
            self.count("comments_fetched_by_id", len(lacking["comments"]))
        for route, ids in lacking.items():
            for chunk in chunked(sorted(ids), 100):
                yield self._listing(
                    site,
                    self._rest_request(site, route, 1, self.parse_rest_listing, {"include": ",".join(map(str, chunk))}),
                )

    def _listings(self, site: Site) -> Listings:
        return Listings(
            changed={p.wp_id or 0: p for p in site.rest_posts.values()},
            ids=site.ids,
            ids_complete=site.ids_complete,
            new_comments={wp_id: set(comments) for wp_id, comments in site.rest_comments.items()},
            comment_ids=site.listed_comments,
            comments_counted=site.comments_counted,
            comment_ids_complete=bool(site.comment_ids_ok),
            listing_ok=site.listing_ok,
        )

    def _comment_ids_complete(self, site: Site) -> bool:
        """Whether every REST comment id was listed, with its post."""
        return bool(site.comment_ids_ok) and site.listing_ok

    def _step_fetch(self, site: Site) -> Iterator[Any]:
        """Fetch what changed; everything else archived and still listed was seen, unchanged."""
        known = site.known_by_wp_id()
        by_id = {p.wp_id: p for p in site.rest_posts.values()}
        fetched: set[int] = set()
        for wp_id, rest in sorted(site.refetch.items()):
            rest = rest or by_id.get(wp_id)
            archived = known.get(wp_id)
            url = rest.url if rest else archived.url if archived else None
            if url is None or not self._first_time(site, url):
                continue
            fetched.add(wp_id)
            yield self._post_request(url, site, rest=rest, known=archived)
        for url in sorted(site.refetch_urls):
            page = post_url_of_comment_page(url)
            if not site.known_url(url) and not site.known_url(page) and self._first_time(site, page):
                yield self._post_request(page, site, rest=None)
        self.logger.info(
            "%s: %d posts to fetch again, %d gone, %d unchanged",
            site.home,
            len(fetched),
            len(site.missing),
            sum(1 for p in known.values() if not p.missing and p.wp_id not in fetched and p.id not in site.missing),
        )
        if site.listing_ok:
            site.proof = "REST totals reached"
            unchanged = {p.id for wp_id, p in known.items() if not p.missing and wp_id not in fetched} - site.missing
            site.seen |= unchanged
            site.confirmed |= unchanged

    def _pages_to_read(self, site: Site, response: Response) -> int:
        """X-WP-TotalPages, up to the listing guard: a listing that claims more pages than that
        (50,000,000, say) is read that far and is not complete."""
        total = self._total_pages(response)
        limit = self.settings.getint("ARCHIVE_MAX_LISTING_PAGES")
        if total > limit:
            self.count("listing_guard_reached")
            site.listing_ok = False
            site.error = site.error or f"a REST listing claims {total} pages, more than ARCHIVE_MAX_LISTING_PAGES"
            return limit
        return total

    @staticmethod
    def _total_pages(response: Response) -> int:
        try:
            return int(response.headers.get(b"X-WP-TotalPages", b"1").decode())
        except ValueError:
            return 1

    @staticmethod
    def _total(response: Response) -> int | None:
        """X-WP-Total, or None when the response does not say (a proxy may strip it)."""
        try:
            return int(response.headers[b"X-WP-Total"].decode())
        except (KeyError, ValueError, TypeError):
            return None

    def _json_list(self, response: Response) -> list[dict] | None:
        if response.status != 200:
            return None
        try:
            data = json.loads(response.body)
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(data, list):
            return None
        site: Site | None = response.request.cb_kwargs.get("site") if response.request else None
        if site is not None and len(data) >= 100 and b"X-WP-TotalPages" not in response.headers:
            # A full page and no paging headers (a proxy stripped them): the listing may go on,
            # so it cannot say what is gone.
            site.listing_ok = False
            site.error = site.error or "REST listing without X-WP-TotalPages: cannot tell it is complete"
        return data
