"""The re-crawl plan (`spiders.recrawl.plan_recrawl`) rule by rule, on plain values."""

from __future__ import annotations

from spiders.items import KnownPost, Post
from spiders.recrawl import Listings, current_comment_ids, plan_recrawl, present_posts, same_instant

SITE = "http://blog.test/"


def known_post(row_id: int, wp_id: int, kind: str = "post", comments=(), missing=False) -> KnownPost:
    return KnownPost(
        id=row_id,
        wp_id=wp_id,
        type=kind,
        url=f"{SITE}?p={wp_id}",
        modified="2013-04-01T10:00:00+00:00",
        missing=missing,
        comment_ids=tuple(sorted(comments)),
        rest_comment_ids=tuple(sorted(comments)),
    )


def rest(wp_id: int, modified: str = "2013-04-01T10:00:00+00:00") -> Post:
    return Post(url=f"{SITE}?p={wp_id}", site_url=SITE, wp_id=wp_id, modified=modified)


# The archive: posts 10 (comments 1, 2) and 11, page 20; post 12 was already found missing before.
KNOWN = {
    10: known_post(1, 10, comments={1, 2}),
    11: known_post(2, 11),
    20: known_post(3, 20, kind="page"),
    12: known_post(4, 12, missing=True),
}
ALL_IDS = {"posts": {10, 11}, "pages": {20}}
COMPLETE = {"posts": True, "pages": True}
COMMENTS = {10: {1, 2}}


def listings(**changes) -> Listings:
    values = {
        "ids": {k: set(v) for k, v in ALL_IDS.items()},
        "ids_complete": dict(COMPLETE),
        "comment_ids": {k: set(v) for k, v in COMMENTS.items()},
        "comment_ids_complete": True,
    }
    values.update(changes)
    return Listings(**values)


def test_nothing_changed_means_nothing_to_fetch_and_nothing_missing() -> None:
    plan = plan_recrawl(KNOWN, listings())
    assert (plan.missing, plan.refetch) == (set(), {})


def test_a_post_gone_from_a_complete_id_listing_is_missing() -> None:
    plan = plan_recrawl(KNOWN, listings(ids={"posts": {10}, "pages": {20}}))
    assert plan.missing == {2}
    assert plan.refetch == {}


def test_nothing_is_missing_without_a_complete_listing() -> None:
    short = {"posts": {10}, "pages": set()}
    assert plan_recrawl(KNOWN, listings(ids=short, ids_complete={"posts": False, "pages": False})).missing == set()
    assert plan_recrawl(KNOWN, listings(ids=short, listing_ok=False)).missing == set()


def test_a_changed_post_is_fetched_with_its_rest_data_and_an_unchanged_one_is_not() -> None:
    edited, same = rest(11, "2013-05-02T09:00:00+00:00"), rest(10, "2013-04-01T12:00:00+02:00")
    plan = plan_recrawl(KNOWN, listings(changed={11: edited, 10: same}))
    assert plan.refetch == {11: edited}  # 10's modified time is the same instant in another offset


def test_a_new_post_listed_by_id_only_is_fetched_and_one_that_came_back_too() -> None:
    plan = plan_recrawl(KNOWN, listings(ids={"posts": {10, 11, 12, 13}, "pages": {20}}))
    assert plan.refetch == {12: None, 13: None}


def test_new_or_vanished_or_late_comments_fetch_their_post_again() -> None:
    assert plan_recrawl(KNOWN, listings(new_comments={11: {5}})).refetch == {11: None}
    # Comment 2 is gone from the complete listing of comment ids.
    assert plan_recrawl(KNOWN, listings(comment_ids={10: {1}})).refetch == {10: None}
    # Comment 3 was approved late: older than `after`, so only the id listing shows it.
    assert plan_recrawl(KNOWN, listings(comment_ids={10: {1, 2, 3}})).refetch == {10: None}
    # Without a complete comment id listing, a difference proves nothing.
    assert plan_recrawl(KNOWN, listings(comment_ids={10: {1}}, comment_ids_complete=False)).refetch == {}


def test_posts_whose_comment_count_agreed_keep_the_archived_comments_and_the_new() -> None:
    counted = {10, 11, 20}
    # Every count agreed: nothing to fetch, though no comment id was listed.
    assert plan_recrawl(KNOWN, listings(comment_ids={}, comments_counted=counted)).refetch == {}
    # Post 11's count agreed with the comment listed since (`after`): its post is fetched for it.
    plan = plan_recrawl(KNOWN, listings(comment_ids={}, comments_counted=counted, new_comments={11: {5}}))
    assert plan.refetch == {11: None}
    assert current_comment_ids(KNOWN[11], 11, listings(comments_counted=counted, new_comments={11: {5}})) == {5}
    # Post 10's count disagreed and its ids were listed: comment 2 is gone.
    plan = plan_recrawl(KNOWN, listings(comment_ids={10: {1}}, comments_counted={11, 20}))
    assert plan.refetch == {10: None}
    # A present post neither counted nor listed has no comments now.
    assert plan_recrawl(KNOWN, listings(comment_ids={}, comments_counted={11, 20})).refetch == {10: None}


def test_present_posts_leave_out_the_gone_and_add_the_listed() -> None:
    assert present_posts(KNOWN, listings()) == {10, 11, 20}
    assert present_posts(KNOWN, listings(ids={"posts": {10, 13}, "pages": {20}})) == {10, 13, 20}
    # Not a complete listing: 11 is still taken as present.
    short = listings(ids={"posts": {10}, "pages": {20}}, ids_complete={"posts": False, "pages": True})
    assert present_posts(KNOWN, short) == {10, 11, 20}


def test_the_comments_feed_can_name_a_post_to_fetch_again() -> None:
    assert plan_recrawl(KNOWN, listings(noticed={20})).refetch == {20: None}


def test_same_instant() -> None:
    assert same_instant("2013-04-01T10:00:00+00:00", "2013-04-01T12:00:00+02:00")
    assert not same_instant("2013-04-01T10:00:00+00:00", "2013-04-01T10:00:01+00:00")
    assert same_instant(None, None) and not same_instant(None, "2013-04-01")


def test_the_site_state_knows_every_present_comment_id_and_no_other() -> None:
    from spiders.items import SiteState

    posts = [known_post(1, 10, comments=(7, 3, 2**40)), known_post(2, 11, comments=(5,)), known_post(3, 12)]
    state = SiteState(1, SITE, "rest", 1, None, posts, {}, {})
    assert [i for i in range(-1, 12) if state.has_comment(i)] == [3, 5, 7]
    assert state.has_comment(2**40) and not state.has_comment(2**40 + 1) and not state.has_comment(2**70)
    assert not SiteState(1, SITE, "rest", 1, None, [], {}, {}).has_comment(3)
