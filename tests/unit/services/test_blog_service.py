"""The blog service's entrypoints with mocked storage and dispatcher."""

import pytest
from nameko.testing.services import worker_factory

from common.errors import PermissionDenied, ValidationError
from services.blog import BlogService

ALICE = {"id": 1, "username": "alice", "bio": None, "image": None, "following": False}


def article(**overrides):
    base = {
        "slug": "hello",
        "title": "Hello",
        "description": "d",
        "body": "b",
        "tag_list": [],
        "created_at": "2026-11-23T10:00:00.000Z",
        "updated_at": "2026-11-23T10:00:00.000Z",
        "favorited": False,
        "favorites_count": 0,
        "author": ALICE,
    }
    return {**base, **overrides}


@pytest.fixture
def service():
    return worker_factory(BlogService)


def test_create_article_slugs_the_title_and_announces_it(service):
    service.storage.blog_create_article.return_value = article(slug="hello-world")
    created = service.create_article(1, " Hello World ", "d", "b", ["x"], idempotency_key="k1")
    service.storage.blog_create_article.assert_called_once_with(
        1, "hello-world", "Hello World", "d", "b", ["x"], "k1"
    )
    assert created["author"] == ALICE
    service.dispatch.assert_called_once_with(
        "article_published", {"slug": "hello-world", "author_id": 1}
    )


def test_only_the_author_gets_an_article_for_editing(service):
    service.storage.blog_get_article.return_value = article(author_id=1)
    assert service.get_article_for_editing("hello", 1)["author"] == ALICE
    service.storage.blog_get_article.assert_called_once_with("hello", 1)
    with pytest.raises(PermissionDenied):
        service.get_article_for_editing("hello", 2)


def test_create_article_validates_first(service):
    with pytest.raises(ValidationError):
        service.create_article(1, "", "d", "b")
    service.storage.blog_create_article.assert_not_called()


def test_only_the_author_may_update(service):
    service.storage.blog_update_article.return_value = {"changed": False, "article": article()}
    with pytest.raises(PermissionDenied):
        service.update_article("hello", 2, {"body": "mine now"})
    service.storage.blog_update_article.assert_called_once_with("hello", {"body": "mine now"}, 2)
    service.dispatch.assert_not_called()


def test_only_the_author_may_delete_articles_and_comments(service):
    service.storage.blog_delete_article.return_value = {"deleted": False, "author_id": 1}
    with pytest.raises(PermissionDenied):
        service.delete_article("hello", 2)
    service.storage.blog_delete_comment.return_value = {"deleted": False}
    with pytest.raises(PermissionDenied):
        service.delete_comment("hello", 5, 2)
    service.dispatch.assert_not_called()


def test_a_list_is_one_storage_call_with_the_filters_as_given(service):
    service.storage.blog_list_articles.return_value = {
        "articles": [article(slug="a"), article(slug="b")],
        "articles_count": 7,
    }
    page = service.list_articles(favorited="alice", limit=2, offset=4, viewer_id=9)
    service.storage.blog_list_articles.assert_called_once_with(None, None, "alice", 2, 4, 9, False)
    assert page["articles_count"] == 7 and [a["slug"] for a in page["articles"]] == ["a", "b"]


def test_paging_is_checked_before_storage(service):
    with pytest.raises(ValidationError):
        service.list_articles(limit=0)
    with pytest.raises(ValidationError):
        service.feed(3, offset=-1)
    service.storage.blog_list_articles.assert_not_called()
    service.storage.blog_feed.assert_not_called()


def test_feed_is_one_storage_call(service):
    service.storage.blog_feed.return_value = {"articles": [article()], "articles_count": 1}
    assert service.feed(3, limit=5)["articles_count"] == 1
    service.storage.blog_feed.assert_called_once_with(3, 5, 0)


def test_user_deleted_event_removes_their_content(service):
    service.handle_user_deleted({"id": 4, "username": "gone"})
    service.storage.blog_delete_user_content.assert_called_once_with(4)
