"""The archived posts of one site as a re-crawl sees them, held in columns.

A re-crawl of a blog of 100,000 posts holds what the archive knows of every post for the whole
crawl. As one `KnownPost` object each, in three dicts (by id, by WordPress id, by URL), with
their comment ids as tuples, that took about 2 KB a post; here each column is an array or a list,
looked up by bisection, and a `KnownPost` is made only when one is asked for. Loading the state
of a generated archive of 100,000 posts and 1,000,000 comments keeps 53 MB (219 MB as objects in
dicts, with every URL's validators).
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spiders.items import KnownPost

_NONE = -(2**63)  # a post without a WordPress id (found by its page only)
# Comment ids are kept 4 bytes each while they fit (WordPress's come from 1 up), else 8.
_SMALL = "I"
_MISSING, _PROTECTED, _REST_ALL = 1, 2, 4


class ArchivedPosts:
    """Posts added one at a time (`add`), then `seal`ed; iterating gives each as a `KnownPost`."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.wp_ids = array("q")
        self.types: list[str] = []
        self.urls: list[str] = []
        self.modified: list[str | None] = []
        self.flags = bytearray()
        self.comments = array(_SMALL)  # every post's present comment ids, post after post
        self.comment_starts = array("q", [0])
        self.rest = array(_SMALL)  # the REST ids of the posts where they are not all of the above
        self.rest_starts = array("q", [0])
        # Positions sorted by WordPress id and by id, with the sorted keys beside them.
        self._wp_order = array("q")
        self._wp_keys = array("q")
        self._id_order = array("q")
        self._id_keys = array("q")

    @classmethod
    def of(cls, posts: Iterable[KnownPost]) -> ArchivedPosts:
        archived = cls()
        for post in posts:
            archived.add(post)
        return archived.seal()

    def add(self, post: KnownPost) -> None:
        self.ids.append(post.id)
        self.wp_ids.append(_NONE if post.wp_id is None else post.wp_id)
        self.types.append(sys.intern(post.type))  # 'post' or 'page': one string, not one a post
        self.urls.append(post.url)
        self.modified.append(post.modified)
        rest_all = list(post.rest_comment_ids) == list(post.comment_ids)
        self.flags.append(
            (_MISSING if post.missing else 0) | (_PROTECTED if post.protected else 0) | (_REST_ALL if rest_all else 0)
        )
        self.comments = extend_ids(self.comments, post.comment_ids)
        self.comment_starts.append(len(self.comments))
        if not rest_all:
            self.rest = extend_ids(self.rest, post.rest_comment_ids)
        self.rest_starts.append(len(self.rest))

    def seal(self) -> ArchivedPosts:
        """Sort the look-ups, once every post is added (of two posts with one key, the later)."""
        self._wp_order, self._wp_keys = _lookup(self.wp_ids, (p for p in range(len(self)) if self.wp_ids[p] != _NONE))
        self._id_order, self._id_keys = _lookup(self.ids, range(len(self)))
        return self

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[KnownPost]:
        return (self.post(p) for p in range(len(self.ids)))

    def present(self) -> int:
        """How many of the posts are not marked missing."""
        return sum(1 for flags in self.flags if not flags & _MISSING)

    def post(self, p: int) -> KnownPost:
        """The post at position `p`, as a `KnownPost`."""
        from spiders.items import KnownPost

        flags = self.flags[p]
        ids = self.comments[self.comment_starts[p] : self.comment_starts[p + 1]]
        wp_id = self.wp_ids[p]
        return KnownPost(
            id=self.ids[p],
            wp_id=None if wp_id == _NONE else wp_id,
            type=self.types[p],
            url=self.urls[p],
            modified=self.modified[p],
            missing=bool(flags & _MISSING),
            comment_ids=ids,
            rest_comment_ids=ids if flags & _REST_ALL else self.rest[self.rest_starts[p] : self.rest_starts[p + 1]],
            protected=bool(flags & _PROTECTED),
        )


def extend_ids(column: array, values: Iterable[int]) -> array:
    """`column` with `values` added: the same array, or one of 8-byte ids when they do not fit."""
    try:
        column.extend(array(column.typecode, values))
    except OverflowError:
        column = array("q", column)
        column.extend(values)
    return column


def id_array(values: Iterable[int]) -> array:
    """An array of ids, 4 bytes each while they fit."""
    column = array(_SMALL)
    chunk: list[int] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == 4096:
            column = extend_ids(column, chunk)
            chunk = []
    return extend_ids(column, chunk)


def _lookup(column: array, positions: Iterable[int]) -> tuple[array, array]:
    """The positions sorted by their value in `column`, the last of equal ones only, and the
    sorted values beside them."""
    order, keys = array("q"), array("q")
    for p in sorted(positions, key=lambda p: (column[p], p)):
        if keys and keys[-1] == column[p]:
            order[-1] = p
        else:
            order.append(p)
            keys.append(column[p])
    return order, keys


def _find(keys: Sequence[int], key: object) -> int | None:
    """Where `key` is in the sorted `keys`, or None."""
    if not isinstance(key, int):
        return None
    at = bisect_left(keys, key)
    return at if at < len(keys) and keys[at] == key else None


class PostsBy(Mapping[int, "KnownPost"]):
    """The archived posts by one of their ids: `by_wp_id` (those that have one) or `by_id`."""

    def __init__(self, posts: ArchivedPosts, order: array, keys: array) -> None:
        self.posts = posts
        self.order = order  # positions, sorted by key
        self.keys = keys

    @classmethod
    def wp_id(cls, posts: ArchivedPosts) -> PostsBy:
        return cls(posts, posts._wp_order, posts._wp_keys)

    @classmethod
    def id(cls, posts: ArchivedPosts) -> PostsBy:
        return cls(posts, posts._id_order, posts._id_keys)

    def __getitem__(self, key: int) -> KnownPost:
        at = _find(self.keys, key)
        if at is None:
            raise KeyError(key)
        return self.posts.post(self.order[at])

    def __contains__(self, key: object) -> bool:
        return _find(self.keys, key) is not None

    def __iter__(self) -> Iterator[int]:
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)

    def values(self) -> Iterator[KnownPost]:  # type: ignore[override]
        return (self.posts.post(p) for p in self.order)

    def items(self) -> Iterator[tuple[int, KnownPost]]:  # type: ignore[override]
        return zip(self.keys, self.values(), strict=True)


class PostIdsByUrl(Mapping[str, int]):
    """Post ids by URL (each post's own, and the URLs its page was fetched at), sorted. The pairs
    come in order of precedence: the first pair of a URL gives its post."""

    def __init__(self, pairs: Iterable[tuple[str, int]]) -> None:
        self.urls: list[str] = []
        self.post_ids = array("q")
        for url, post_id in sorted(pairs, key=lambda pair: pair[0]):  # stable: the first stays first
            if not self.urls or self.urls[-1] != url:
                self.urls.append(url)
                self.post_ids.append(post_id)

    def _at(self, url: object) -> int | None:
        if not isinstance(url, str):
            return None
        at = bisect_left(self.urls, url)
        return at if at < len(self.urls) and self.urls[at] == url else None

    def __getitem__(self, url: str) -> int:
        at = self._at(url)
        if at is None:
            raise KeyError(url)
        return self.post_ids[at]

    def __contains__(self, url: object) -> bool:
        return self._at(url) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.urls)

    def __len__(self) -> int:
        return len(self.urls)

    def items(self) -> Iterator[tuple[str, int]]:  # type: ignore[override]
        return zip(self.urls, self.post_ids, strict=True)
