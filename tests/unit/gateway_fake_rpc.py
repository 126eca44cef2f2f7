"""An in-memory stand-in for the users and blog services, for the gateway's unit tests.

It answers ``call(service, method, context=..., **kwargs)`` like
``services.rpc_client.RpcClient`` with the shapes of docs/rpc.md, raises the
real ``services.errors`` classes, and records every call with its context.
``fail_next(service, method, error)`` makes one method raise.
"""
import itertools
import re

import pytest

from gateway.app import create_app
from services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationError,
)

TIMESTAMP = "2026-01-02T03:04:05.678Z"


class FakeRpc:
    def __init__(self):
        self.calls = []
        self.failures = {}
        self.users = {}
        self.follows = set()
        self.articles = {}
        self.comments = {}
        self.favorites = set()
        self.ids = itertools.count(1)

    def call(self, service_name, method_name, context=None, **kwargs):
        self.calls.append((service_name, method_name, kwargs, context))
        failure = self.failures.pop((service_name, method_name), None)
        if failure is not None:
            raise failure
        return getattr(self, f"{service_name}_{method_name}")(**kwargs)

    def fail_next(self, service_name, method_name, error):
        self.failures[(service_name, method_name)] = error

    def last_call(self, service_name, method_name):
        return [call for call in self.calls if call[:2] == (service_name, method_name)][-1]

    # users

    def users_register(self, username, email, password):
        blanks = {name: ["can't be blank"] for name, value in
                  (("username", username), ("email", email), ("password", password)) if not value}
        if blanks:
            raise ValidationError(blanks)
        if any(user["username"] == username for user in self.users.values()):
            raise Conflict.single("username", "has already been taken")
        user_id = next(self.ids)
        self.users[user_id] = {
            "id": user_id, "username": username, "email": email, "password": password,
            "bio": None, "image": None, "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
        }
        return self._with_token(user_id)

    def users_login(self, email, password):
        for user in self.users.values():
            if user["email"] == email and user["password"] == password:
                return self._with_token(user["id"])
        raise Unauthenticated("email or password is invalid")

    def users_verify_token(self, token):
        match = re.fullmatch(r"token-(\d+)", token)
        if not match or int(match.group(1)) not in self.users:
            raise Unauthenticated("token is invalid")
        return self._private(int(match.group(1)))

    def users_update_user(self, user_id, changes):
        self.users[user_id].update(changes)
        return self._with_token(user_id)

    def users_get_profile(self, username, viewer_id=None):
        return self._profile(self._user_named(username)["id"], viewer_id)

    def users_get_profiles(self, user_ids, viewer_id=None):
        return [self._profile(user_id, viewer_id) for user_id in user_ids if user_id in self.users]

    def users_follow_user(self, follower_id, username):
        followed = self._user_named(username)["id"]
        if followed == follower_id:
            raise ValidationError.single("username", "cannot follow yourself")
        self.follows.add((follower_id, followed))
        return self._profile(followed, follower_id)

    def users_unfollow_user(self, follower_id, username):
        followed = self._user_named(username)["id"]
        self.follows.discard((follower_id, followed))
        return self._profile(followed, follower_id)

    def _private(self, user_id):
        user = dict(self.users[user_id])
        del user["password"]
        return user

    def _with_token(self, user_id):
        return {**self._private(user_id), "token": f"token-{user_id}"}

    def _user_named(self, username):
        for user in self.users.values():
            if user["username"] == username:
                return user
        raise NotFound(f"no user named {username}")

    def _profile(self, user_id, viewer_id):
        user = self.users[user_id]
        return {
            "id": user_id, "username": user["username"], "bio": user["bio"],
            "image": user["image"], "following": (viewer_id, user_id) in self.follows,
        }

    # blog

    def blog_create_article(self, author_id, title, description, body, tag_list=None,
                            idempotency_key=None):
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        if slug in self.articles:
            slug = f"{slug}-{next(self.ids)}"
        self.articles[slug] = {
            "slug": slug, "title": title, "description": description, "body": body,
            "tag_list": sorted(tag_list or []), "author_id": author_id, "serial": next(self.ids),
        }
        return self._article(slug, author_id)

    def blog_get_article(self, slug, viewer_id=None):
        return self._article(self._own_or_any(slug, None)["slug"], viewer_id)

    def blog_update_article(self, slug, user_id, changes):
        self._own_or_any(slug, user_id).update(changes)
        return self._article(slug, user_id)

    def blog_delete_article(self, slug, user_id):
        self._own_or_any(slug, user_id)
        del self.articles[slug]

    def blog_list_articles(self, tag=None, author=None, favorited=None, limit=20, offset=0,
                           viewer_id=None):
        if limit < 1 or offset < 0:
            raise ValidationError.single("limit", "must be at least 1")
        chosen = [
            slug for slug, article in self.articles.items()
            if (tag is None or tag in article["tag_list"])
            and (author is None or self.users[article["author_id"]]["username"] == author)
        ]
        return self._article_list(chosen, limit, offset, viewer_id)

    def blog_feed(self, user_id, limit=20, offset=0):
        chosen = [slug for slug, article in self.articles.items()
                  if (user_id, article["author_id"]) in self.follows]
        return self._article_list(chosen, limit, offset, user_id)

    def blog_favorite_article(self, slug, user_id):
        self._own_or_any(slug, None)
        self.favorites.add((user_id, slug))
        return self._article(slug, user_id)

    def blog_unfavorite_article(self, slug, user_id):
        self._own_or_any(slug, None)
        self.favorites.discard((user_id, slug))
        return self._article(slug, user_id)

    def blog_add_comment(self, slug, author_id, body, idempotency_key=None):
        self._own_or_any(slug, None)
        comment_id = next(self.ids)
        self.comments[comment_id] = {"id": comment_id, "slug": slug, "body": body,
                                     "author_id": author_id}
        return self._comment(comment_id, author_id)

    def blog_list_comments(self, slug, viewer_id=None):
        self._own_or_any(slug, None)
        return [self._comment(comment_id, viewer_id)
                for comment_id, comment in self.comments.items() if comment["slug"] == slug]

    def blog_delete_comment(self, slug, comment_id, user_id):
        comment = self.comments.get(comment_id)
        if comment is None or comment["slug"] != slug:
            raise NotFound(f"no comment {comment_id} on {slug}")
        if comment["author_id"] != user_id:
            raise PermissionDenied("only its author may delete a comment")
        del self.comments[comment_id]

    def blog_list_tags(self):
        counts = {}
        for article in self.articles.values():
            for tag in article["tag_list"]:
                counts[tag] = counts.get(tag, 0) + 1
        return sorted(counts, key=lambda tag: -counts[tag])

    def storage_health(self):
        return {"users": {"ok": True, "schema_version": "1", "error": None},
                "blog": {"ok": True, "schema_version": "1", "error": None}}

    def _own_or_any(self, slug, user_id):
        """The stored article; with a ``user_id``, only if that user wrote it."""
        article = self.articles.get(slug)
        if article is None:
            raise NotFound(f"no article {slug}")
        if user_id is not None and article["author_id"] != user_id:
            raise PermissionDenied("only its author may change an article")
        return article

    def _article(self, slug, viewer_id):
        article = self.articles[slug]
        return {
            **{key: article[key] for key in ("slug", "title", "description", "body", "tag_list")},
            "created_at": TIMESTAMP, "updated_at": TIMESTAMP,
            "favorited": (viewer_id, slug) in self.favorites,
            "favorites_count": sum(1 for _, favorite in self.favorites if favorite == slug),
            "author": self._profile(article["author_id"], viewer_id),
        }

    def _article_list(self, slugs, limit, offset, viewer_id):
        newest_first = sorted(slugs, key=lambda slug: -self.articles[slug]["serial"])
        return {
            "articles": [self._article(slug, viewer_id)
                         for slug in newest_first[offset:offset + limit]],
            "articles_count": len(slugs),
        }

    def _comment(self, comment_id, viewer_id):
        comment = self.comments[comment_id]
        return {"id": comment_id, "body": comment["body"], "created_at": TIMESTAMP,
                "updated_at": TIMESTAMP, "author": self._profile(comment["author_id"], viewer_id)}


# Fixtures and request helpers shared by the tests/unit/test_gateway_*.py modules,
# which import them (a conftest.py here would be shared with every other unit test).

UNIT_CONFIG = {"AMQP_URI": "memory://", "GATEWAY": {"MAX_BODY_BYTES": 4096, "CORS_ORIGINS": "*"}}


@pytest.fixture
def fake_rpc():
    return FakeRpc()


@pytest.fixture
def app(fake_rpc):
    return create_app(UNIT_CONFIG, rpc=fake_rpc)


@pytest.fixture
def client(app):
    return app.test_client()


def sign_up(client, username):
    """Register ``username`` and return the Authorization header of its token."""
    response = client.post("/api/users", json={"user": {
        "username": username, "email": f"{username}@example.com", "password": "secret-pass"}})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Token {response.get_json()['user']['token']}"}


def errors_of(response):
    return response.get_json()["errors"]["body"]
