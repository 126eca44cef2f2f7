"""The small pieces that decide what a fault becomes: which database errors are
"unavailable" or "read-only" (503) rather than a 500, the key a write carries
without a client's key, and the user_deleted handler's retry."""

from unittest import mock

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy.exc import OperationalError, ProgrammingError

from common.errors import ServiceUnavailable
from services import blog as blog_module
from services.blog import BlogService
from services.database.access import is_read_only, is_unavailable


def pg8000_error(severity, code, message):
    """What SQLAlchemy wraps around a pg8000 error: the server's fields in ``args[0]``."""
    return ProgrammingError(
        "SELECT 1", {}, Exception({"S": severity, "V": severity, "C": code, "M": message})
    )


@pytest.mark.parametrize(
    "error",
    [
        pg8000_error("FATAL", "55000", 'database "blog" is not currently accepting connections'),
        pg8000_error("FATAL", "57P01", "terminating connection due to administrator command"),
        pg8000_error("FATAL", "53300", "sorry, too many clients already"),
        pg8000_error("ERROR", "53100", "could not extend file: No space left on device"),
        OperationalError("SELECT 1", {}, Exception("database is locked")),
    ],
)
def test_a_database_that_cannot_serve_is_unavailable(error):
    assert is_unavailable(error) and not is_read_only(error)


@pytest.mark.parametrize(
    "error",
    [
        pg8000_error("ERROR", "23505", "duplicate key value violates unique constraint"),
        pg8000_error("ERROR", "42601", "syntax error"),
    ],
)
def test_a_bad_statement_is_not_the_database_s_state(error):
    assert not is_unavailable(error) and not is_read_only(error)


@pytest.mark.parametrize(
    "error",
    [
        pg8000_error("ERROR", "25006", "cannot execute INSERT in a read-only transaction"),
        OperationalError("INSERT", {}, Exception("attempt to write a readonly database")),
    ],
)
def test_a_database_that_takes_no_writes_is_read_only(error):
    assert is_read_only(error)


@pytest.fixture
def service():
    blog = worker_factory(BlogService, request_key="rpc:correlation-1")
    author = {"id": 1, "username": "ann", "bio": None, "image": None, "following": False}
    blog.storage.blog_create_article.return_value = {"slug": "t", "author": author}
    blog.storage.blog_add_comment.return_value = {"id": 1, "author": author}
    return blog


def test_a_write_without_a_client_key_carries_the_request_s_key(service):
    service.create_article(1, "T", "d", "b")
    assert service.storage.blog_create_article.call_args[0][-1] == "rpc:correlation-1"
    service.add_comment("t", 1, "hi", idempotency_key=" ")
    assert service.storage.blog_add_comment.call_args[0][-1] == "rpc:correlation-1"
    service.create_article(1, "T", "d", "b", idempotency_key="client-key")
    assert service.storage.blog_create_article.call_args[0][-1] == "client-key"


def test_a_failed_user_deleted_is_raised_after_a_pause_so_it_is_delivered_again(service):
    service.storage.blog_delete_user_content.side_effect = ServiceUnavailable("down")
    with mock.patch.object(blog_module.eventlet, "sleep") as sleep:
        with pytest.raises(ServiceUnavailable):
            service.handle_user_deleted({"id": 7, "username": "gone"})
    sleep.assert_called_once_with(blog_module.EVENT_RETRY_SECONDS)


@pytest.mark.parametrize("payload", [{}, {"id": "7"}, {"id": True}, None, ["id"]])
def test_a_user_deleted_without_a_user_id_is_dropped(service, payload):
    service.handle_user_deleted(payload)
    service.storage.blog_delete_user_content.assert_not_called()
