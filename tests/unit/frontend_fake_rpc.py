"""An in-memory stand-in for the users and blog services, for frontend tests.

It answers the RPC calls the frontend makes with the shapes of docs/rpc.md
and raises the real ``services.errors`` classes, so the HTTP layer can be
tested without RabbitMQ. Set ``down = True`` to make every call fail the way
the real client does when a service is unreachable.
"""
import itertools
import re
from datetime import datetime, timedelta, timezone

from services.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ServiceUnavailable,
    Unauthenticated,
    ValidationError,
)

START = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)


class FakeRpc:
    def __init__(self):
        self.down = False
        self.calls = []
        self.users = _Service(self, FakeUsers(self))
        self.blog = _Service(self, FakeBlog(self))
        self._clock = itertools.count()

    def now(self):
        moment = START + timedelta(minutes=next(self._clock))
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Service:
    """Records each call and fails every one of them while the fake is down."""

    def __init__(self, fake, implementation):
        self._fake = fake
        self._implementation = implementation

    def __getattr__(self, name):
        method = getattr(self._implementation, name)

        def call(**kwargs):
            self._fake.calls.append((name, kwargs))
            if self._fake.down:
                raise ServiceUnavailable("the service did not answer")
            return method(**kwargs)

        return call


class FakeUsers:
    def __init__(self, fake):
        self.fake = fake
        self.records = {}
        self.follows = set()
        self._ids = itertools.count(1)

    def register(self, username, email, password):
        problems = {}
        if not re.fullmatch(r"[A-Za-z0-9_-]{3,20}", username or ""):
            problems["username"] = ["must be 3 to 20 letters, digits, '_' or '-'"]
        if "@" not in (email or ""):
            problems["email"] = ["is not a valid email address"]
        if len(password or "") < 8:
            problems["password"] = ["must be 8 to 128 characters"]
        if problems:
            raise ValidationError(problems)
        self._check_unique(username=username, email=email)
        user_id = next(self._ids)
        now = self.fake.now()
        self.records[user_id] = {
            "id": user_id, "username": username, "email": email, "bio": None, "image": None,
            "password": password, "created_at": now, "updated_at": now,
        }
        return self._with_token(user_id)

    def login(self, email, password):
        for record in self.records.values():
            if record["email"] == email and record["password"] == password:
                return self._with_token(record["id"])
        raise Unauthenticated("email or password is invalid")

    def verify_token(self, token):
        match = re.fullmatch(r"token-(\d+)", token or "")
        if not match or int(match.group(1)) not in self.records:
            raise Unauthenticated("the token is invalid")
        return self._user(int(match.group(1)))

    def update_user(self, user_id, changes):
        self._check_unique(exclude=user_id, **{
            key: changes[key] for key in ("username", "email") if key in changes
        })
        if "image" in changes and changes["image"] and not changes["image"].startswith("http"):
            raise ValidationError.single("image", "must be an http or https URL")
        self.records[user_id].update(changes, updated_at=self.fake.now())
        return self._with_token(user_id)

    def get_profile(self, username, viewer_id=None):
        return self.profile_of(self._by_username(username)["id"], viewer_id)

    def follow_user(self, follower_id, username):
        followed = self._by_username(username)["id"]
        if followed == follower_id:
            raise ValidationError.single("username", "you cannot follow yourself")
        self.follows.add((follower_id, followed))
        return self.profile_of(followed, follower_id)

    def unfollow_user(self, follower_id, username):
        followed = self._by_username(username)["id"]
        self.follows.discard((follower_id, followed))
        return self.profile_of(followed, follower_id)

    def profile_of(self, user_id, viewer_id=None):
        record = self.records[user_id]
        return {
            "id": user_id, "username": record["username"], "bio": record["bio"],
            "image": record["image"], "following": (viewer_id, user_id) in self.follows,
        }

    def _by_username(self, username):
        for record in self.records.values():
            if record["username"] == username:
                return record
        raise NotFound(f"no user named {username}")

    def _check_unique(self, exclude=None, **values):
        taken = {
            field: ["has already been taken"]
            for field, value in values.items()
            for record in self.records.values()
            if record["id"] != exclude and record[field] == value
        }
        if taken:
            raise Conflict(taken)

    def _user(self, user_id):
        record = dict(self.records[user_id])
        del record["password"]
        return record

    def _with_token(self, user_id):
        return {**self._user(user_id), "token": f"token-{user_id}"}


class FakeBlog:
    def __init__(self, fake):
        self.fake = fake
        self.articles = {}
        self.comments = {}
        self.favorites = set()
        self._comment_ids = itertools.count(1)
        self._keys = {}

    @property
    def users(self):
        return self.fake.users._implementation

    def create_article(self, author_id, title, description, body, tag_list=None,
                       idempotency_key=None):
        if idempotency_key in self._keys:
            return self.get_article(self._keys[idempotency_key], author_id)
        problems = {
            field: ["can't be blank"]
            for field, value in (("title", title), ("description", description), ("body", body))
            if not (value or "").strip()
        }
        if problems:
            raise ValidationError(problems)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        if slug in self.articles:
            slug = f"{slug}-{len(self.articles) + 1}"
        now = self.fake.now()
        self.articles[slug] = {
            "slug": slug, "title": title, "description": description, "body": body,
            "tag_list": sorted(set(tag_list or [])), "created_at": now, "updated_at": now,
            "author_id": author_id,
        }
        self.comments[slug] = []
        if idempotency_key:
            self._keys[idempotency_key] = slug
        return self.get_article(slug, author_id)

    def get_article(self, slug, viewer_id=None):
        record = self._record(slug)
        return {
            **{key: value for key, value in record.items() if key != "author_id"},
            "favorited": (viewer_id, slug) in self.favorites,
            "favorites_count": sum(1 for _, favorite in self.favorites if favorite == slug),
            "author": self.users.profile_of(record["author_id"], viewer_id),
        }

    def update_article(self, slug, user_id, changes):
        self._own(slug, user_id)
        if "title" in changes and not changes["title"].strip():
            raise ValidationError.single("title", "can't be blank")
        changes = {**changes, "tag_list": sorted(set(changes.get("tag_list", [])))}
        self.articles[slug].update(changes, updated_at=self.fake.now())
        return self.get_article(slug, user_id)

    def delete_article(self, slug, user_id):
        self._own(slug, user_id)
        del self.articles[slug]

    def list_articles(self, tag=None, author=None, favorited=None, limit=20, offset=0,
                      viewer_id=None):
        def matches(record):
            username = self.users.records[record["author_id"]]["username"]
            favoriters = {
                self.users.records[user]["username"]
                for user, slug in self.favorites if slug == record["slug"]
            }
            return (
                (tag is None or tag in record["tag_list"])
                and (author is None or username == author)
                and (favorited is None or favorited in favoriters)
            )

        return self._page([r for r in self.articles.values() if matches(r)], limit, offset,
                          viewer_id)

    def feed(self, user_id, limit=20, offset=0):
        followed = {followed for follower, followed in self.users.follows if follower == user_id}
        records = [r for r in self.articles.values() if r["author_id"] in followed]
        return self._page(records, limit, offset, user_id)

    def favorite_article(self, slug, user_id):
        self._record(slug)
        self.favorites.add((user_id, slug))
        return self.get_article(slug, user_id)

    def unfavorite_article(self, slug, user_id):
        self._record(slug)
        self.favorites.discard((user_id, slug))
        return self.get_article(slug, user_id)

    def add_comment(self, slug, author_id, body, idempotency_key=None):
        self._record(slug)
        if not (body or "").strip():
            raise ValidationError.single("body", "can't be blank")
        now = self.fake.now()
        comment = {"id": next(self._comment_ids), "body": body, "created_at": now,
                   "updated_at": now, "author_id": author_id}
        self.comments[slug].append(comment)
        return self._comment(comment, author_id)

    def list_comments(self, slug, viewer_id=None):
        self._record(slug)
        return [self._comment(comment, viewer_id) for comment in self.comments[slug]]

    def delete_comment(self, slug, comment_id, user_id):
        self._record(slug)
        for comment in self.comments[slug]:
            if comment["id"] == comment_id:
                if comment["author_id"] != user_id:
                    raise PermissionDenied("only the author can delete this comment")
                self.comments[slug].remove(comment)
                return None
        raise NotFound("no such comment")

    def list_tags(self):
        counts = {}
        for record in self.articles.values():
            for tag in record["tag_list"]:
                counts[tag] = counts.get(tag, 0) + 1
        return sorted(counts, key=lambda tag: (-counts[tag], tag))

    def _page(self, records, limit, offset, viewer_id):
        newest_first = sorted(records, key=lambda r: r["created_at"], reverse=True)
        return {
            "articles": [self.get_article(r["slug"], viewer_id)
                         for r in newest_first[offset:offset + limit]],
            "articles_count": len(records),
        }

    def _comment(self, comment, viewer_id):
        public = {key: value for key, value in comment.items() if key != "author_id"}
        return {**public, "author": self.users.profile_of(comment["author_id"], viewer_id)}

    def _record(self, slug):
        if slug not in self.articles:
            raise NotFound(f"no article {slug}")
        return self.articles[slug]

    def _own(self, slug, user_id):
        if self._record(slug)["author_id"] != user_id:
            raise PermissionDenied("only the author can change this article")


# -- pytest fixtures and helpers shared by tests/unit/test_frontend_*.py --------

import pytest  # noqa: E402

from frontend.app import create_app  # noqa: E402

UNIT_CONFIG = {"SECRET_KEY": "unit-test-secret", "FRONTEND": {"PAGE_SIZE": 3}}
PASSWORD = "password123"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def fake_rpc():
    return FakeRpc()


@pytest.fixture
def app(fake_rpc):
    return create_app(UNIT_CONFIG, rpc=fake_rpc)


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client):
    """The token a real browser would find in any form of the site."""
    return CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)


def submit(client, path, **fields):
    """POST a form the way a browser does, CSRF token included."""
    return client.post(path, data={"csrf_token": csrf_token(client), **fields})


def make_user(fake_rpc, username):
    return fake_rpc.users.register(
        username=username, email=f"{username}@example.com", password=PASSWORD
    )


def sign_in_as(client, fake_rpc, username):
    """Register ``username`` in the fake and sign in through the login form."""
    user = make_user(fake_rpc, username)
    response = submit(client, "/login", email=user["email"], password=PASSWORD)
    assert response.status_code == 302
    return user


def write_article(fake_rpc, author, title, body="Some *text*.", tags=()):
    return fake_rpc.blog.create_article(
        author_id=author["id"], title=title, description=f"About {title}", body=body,
        tag_list=list(tags),
    )


def page_text(response):
    return response.get_data(as_text=True)
