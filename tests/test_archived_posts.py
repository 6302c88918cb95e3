"""The archived posts of a site held in columns (`spiders.archived`) answer as the dicts of
`KnownPost` they replace: by WordPress id, by id, by URL, in order, with each post's comment ids."""

from __future__ import annotations

from spiders.archived import ArchivedPosts, PostIdsByUrl
from spiders.items import KnownPost, SiteState

SITE = "http://blog.test/"


def known(post_id: int, wp_id: int | None, comments=(), rest=None, **fields) -> KnownPost:
    return KnownPost(
        id=post_id,
        wp_id=wp_id,
        type=fields.get("type", "post"),
        url=fields.get("url", f"{SITE}p{post_id}/"),
        modified=fields.get("modified"),
        missing=fields.get("missing", False),
        comment_ids=tuple(comments),
        rest_comment_ids=tuple(comments if rest is None else rest),
        protected=fields.get("protected", False),
    )


POSTS = [
    known(1, 10, [3, 4, 9], modified="2024-01-01T00:00:00+00:00"),
    known(2, None, [5], url=f"{SITE}found-by-its-page/"),  # no WordPress id: by id and URL only
    known(3, 7, [], type="page", missing=True),
    known(4, 12, [6, 8], rest=[8], protected=True),  # 6 came from the page only
    known(5, 10, [11]),  # a second post with WordPress id 10: the later one is the one looked up
]


def as_tuple(post: KnownPost) -> tuple:
    return (
        post.id,
        post.wp_id,
        post.type,
        post.url,
        post.modified,
        post.missing,
        list(post.comment_ids),
        list(post.rest_comment_ids),
        post.protected,
    )


def test_each_post_comes_back_whole_in_the_order_it_was_added() -> None:
    archived = ArchivedPosts.of(POSTS)
    assert [as_tuple(p) for p in archived] == [as_tuple(p) for p in POSTS]
    assert len(archived) == 5 and archived.present() == 4


def test_the_look_ups_answer_as_dicts_of_the_posts_did() -> None:
    state = SiteState(1, SITE, "rest", 1, None, POSTS, {}, {})
    by_wp_id = {p.wp_id: p for p in POSTS if p.wp_id is not None}
    by_id = {p.id: p for p in POSTS}
    assert sorted(state.by_wp_id) == sorted(by_wp_id) and len(state.by_wp_id) == len(by_wp_id)
    assert {k: as_tuple(v) for k, v in state.by_wp_id.items()} == {k: as_tuple(v) for k, v in by_wp_id.items()}
    assert [as_tuple(v) for v in state.by_wp_id.values()] == [as_tuple(by_wp_id[k]) for k in sorted(by_wp_id)]
    assert {k: as_tuple(state.by_id[k]) for k in state.by_id} == {k: as_tuple(v) for k, v in by_id.items()}
    assert state.by_wp_id.get(10).id == 5 and 10 in state.by_wp_id
    assert state.by_wp_id.get(99) is None and 99 not in state.by_wp_id and None not in state.by_wp_id
    assert state.by_id.get(2).url == f"{SITE}found-by-its-page/" and state.by_id.get(6) is None
    assert [state.has_comment(i) for i in (3, 5, 6, 7, 11)] == [True, True, True, False, True]


def test_urls_give_the_first_post_named_for_each() -> None:
    urls = PostIdsByUrl([(f"{SITE}a/", 1), (f"{SITE}b/", 2), (f"{SITE}a/", 3), (f"{SITE}a/?amp", 4)])
    assert dict(urls.items()) == {f"{SITE}a/": 1, f"{SITE}b/": 2, f"{SITE}a/?amp": 4}
    assert urls.get(f"{SITE}a/") == 1 and urls.get(f"{SITE}c/") is None and f"{SITE}b/" in urls
    assert len(urls) == 3


def test_comment_ids_too_big_for_four_bytes_are_kept_exactly() -> None:
    big = 2**40 + 7
    posts = [known(1, 1, [5, 2**32 - 1]), known(2, 2, [big], rest=[]), known(3, 3, [6])]
    state = SiteState(1, SITE, "rest", 1, None, posts, {}, {})
    assert [list(p.comment_ids) for p in state.posts] == [[5, 2**32 - 1], [big], [6]]
    assert [list(p.rest_comment_ids) for p in state.posts] == [[5, 2**32 - 1], [], [6]]
    assert state.has_comment(big) and state.has_comment(2**32 - 1) and not state.has_comment(big + 1)
