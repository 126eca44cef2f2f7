"""An in-memory stand-in for the users, blog and storage services, for the unit tests of
the gateway and the frontend.

``FakeRpc`` is called like ``services.rpc.client.RpcClient``: ``rpc.users.login(...)``
(the frontend) or ``rpc.call("users", "login", context=..., ...)`` (the gateway). It
answers with the shapes of docs/rpc.md and raises the real ``services.errors`` classes
for the same causes as the services: input is checked with the services' own rules
(``services.accounts.rules``, ``services.articles.rules``) and answers are built with their
schemas. What the storage service decides (not found, taken, following yourself) is
said in the storage service's words (``services.database.users_data``,
``services.database.blog_data``) and checked in the same order as the real services: input
first, then existence, then ownership or uniqueness.

Every call is recorded in ``calls``. ``down = True`` makes every call fail the way the
real client does when a service is not running; ``fail_next(service, method, error)``
makes one call raise ``error``.
"""
import copy
import itertools
import re
from collections import namedtuple

from services.accounts import rules as account_rules
from services.accounts import schemas as account_schemas
from services.articles import rules as article_rules
from services.articles import schemas as article_schemas
from services.errors import (
    Conflict,
    NotFound,
    ServiceUnavailable,
    Unauthenticated,
    ValidationError,
)

TIMESTAMP = "2026-01-02T03:04:05.678Z"
"""Every record's ``created_at`` and ``updated_at``; lists are ordered by creation."""

Call = namedtuple("Call", "service method kwargs context")


class FakeRpc:
    def __init__(self):
        self.down = False
        self.calls = []
        self.failures = {}
        self.users = _Service(self, "users", FakeUsers())
        self.blog = _Service(self, "blog", FakeBlog(self.users._implementation))
        self.storage = _Service(self, "storage", FakeStorage())

    def call(self, service_name, method_name, context=None, **kwargs):
        self.calls.append(Call(service_name, method_name, kwargs, context))
        if self.down:
            raise ServiceUnavailable(f"the {service_name} service is not running")
        failure = self.failures.pop((service_name, method_name), None)
        if failure is not None:
            raise failure
        implementation = getattr(self, service_name)._implementation
        answer = getattr(implementation, method_name)(**kwargs)
        return copy.deepcopy(answer)  # a copy, as if it came over the wire

    def fail_next(self, service_name, method_name, error):
        self.failures[(service_name, method_name)] = error

    def last_call(self, service_name, method_name):
        return [call for call in self.calls if call[:2] == (service_name, method_name)][-1]


class _Service:
    """``rpc.<service>.<method>(**kwargs)``, recorded like ``rpc.call``; the fake service
    itself is ``_implementation`` (tests may replace its methods or clear its data)."""

    def __init__(self, fake, name, implementation):
        self._fake = fake
        self._name = name
        self._implementation = implementation

    def __getattr__(self, method_name):
        if method_name.startswith("_"):
            raise AttributeError(method_name)

        def call(**kwargs):
            return self._fake.call(self._name, method_name, **kwargs)

        return call


class FakeUsers:
    def __init__(self):
        self.records = {}
        self.follows = set()
        self._ids = itertools.count(1)
        self.sessions = {}  # session token -> user id
        self._session_ids = itertools.count(1)

    def register(self, username, email, password, client_address=None):
        fields = account_rules.validate_registration(username, email, password)
        self._check_unique(fields)
        user_id = next(self._ids)
        self.records[user_id] = {
            "id": user_id, "bio": None, "image": None, "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP, **fields,
        }
        return self._with_token(user_id)

    def login(self, email, password, client_address=None):
        if isinstance(email, str):
            for record in self.records.values():
                if record["email"] == email.strip().lower() and record["password"] == password:
                    return self._with_token(record["id"])
        raise Unauthenticated("email or password is invalid")

    def verify_token(self, token):
        if not isinstance(token, str) or not token:
            raise Unauthenticated("a token is required")
        if token.startswith("sess."):
            if token not in self.sessions or self.sessions[token] not in self.records:
                raise Unauthenticated("the session has ended")
            return account_schemas.private_user(self.records[self.sessions[token]])
        match = re.fullmatch(r"token-(\d+)", token)
        if not match:
            raise Unauthenticated("the token is invalid")
        if int(match.group(1)) not in self.records:
            raise Unauthenticated("the account no longer exists")
        return account_schemas.private_user(self.records[int(match.group(1))])

    def start_session(self, token):
        user = self.verify_token(token)
        session_token = f"sess.{next(self._session_ids)}"
        self.sessions[session_token] = user["id"]
        return {"token": session_token, "expires_in": 3600}

    def end_session(self, token):
        self.sessions.pop(token, None)

    def end_all_sessions(self, token):
        user_id = self.verify_token(token)["id"]
        for session_token, owner in list(self.sessions.items()):
            if owner == user_id:
                del self.sessions[session_token]
        return {"id": user_id}

    def update_user(self, user_id, changes, current_password=None):
        """As the real service: invalid fields first (a ``ValidationError`` that never
        mentions a taken name), then the user, then a ``Conflict`` for taken values."""
        fields = account_rules.validate_changes(changes)
        if current_password is not None and current_password != self.with_id(user_id)["password"]:
            raise ValidationError.single("current_password", "is wrong")
        record = self.with_id(user_id)
        self._check_unique(fields, exclude=user_id)
        record.update(fields)
        return self._with_token(user_id)

    def get_profile(self, username, viewer_id=None):
        return self.profile_of(self.named(username)["id"], viewer_id)

    def get_profiles(self, user_ids, viewer_id=None):
        return [self.profile_of(user_id, viewer_id)
                for user_id in dict.fromkeys(user_ids) if user_id in self.records]

    def follow_user(self, follower_id, username):
        followed = self.named(username)["id"]
        self.with_id(follower_id)
        if followed == follower_id:
            raise ValidationError.single("username", "is your own: you cannot follow yourself")
        self.follows.add((follower_id, followed))
        return self.profile_of(followed, follower_id)

    def unfollow_user(self, follower_id, username):
        followed = self.named(username)["id"]
        self.follows.discard((follower_id, followed))
        return self.profile_of(followed, follower_id)

    def following_ids(self, user_id):
        return [followed for follower, followed in self.follows if follower == user_id]

    def profile_of(self, user_id, viewer_id=None):
        record = self.records[user_id]
        return {
            "id": user_id, "username": record["username"], "bio": record["bio"],
            "image": record["image"], "following": (viewer_id, user_id) in self.follows,
        }

    def named(self, username):
        for record in self.records.values():
            if record["username"] == username:
                return record
        raise NotFound(f"user '{username}' not found")

    def with_id(self, user_id):
        if user_id not in self.records:
            raise NotFound(f"user {user_id} not found")
        return self.records[user_id]

    def _check_unique(self, values, exclude=None):
        taken = {
            field: ["has already been taken"]
            for field in ("username", "email") if field in values
            for record in self.records.values()
            if record["id"] != exclude and record[field] == values[field]
        }
        if taken:
            raise Conflict(taken)

    def _with_token(self, user_id):
        return account_schemas.private_user(self.records[user_id], f"token-{user_id}")


class FakeBlog:
    def __init__(self, users):
        self.users = users
        self.articles = {}
        self.comments = {}
        self.favorites = set()
        self._comment_ids = itertools.count(1)
        self._article_keys = {}
        self._comment_keys = {}

    def create_article(self, author_id, title, description, body, tag_list=None,
                       idempotency_key=None):
        fields = article_rules.validate_new_article(title, description, body, tag_list)
        key = article_rules.validate_idempotency_key(idempotency_key)
        if (author_id, key) in self._article_keys:
            return self.get_article(self._article_keys[(author_id, key)], author_id)
        slug = self._free_slug(article_rules.slugify(fields["title"]))
        self.articles[slug] = {
            **fields, "slug": slug, "tag_list": sorted(set(fields["tag_list"])),
            "created_at": TIMESTAMP, "updated_at": TIMESTAMP, "author_id": author_id,
        }
        self.comments[slug] = []
        if key:
            self._article_keys[(author_id, key)] = slug
        return self.get_article(slug, author_id)

    def get_article(self, slug, viewer_id=None):
        return self._with_authors([self._article(self._record(slug), viewer_id)], viewer_id)[0]

    def update_article(self, slug, user_id, changes):
        fields = article_rules.validate_article_changes(changes)
        self._own(slug, user_id).update(fields, updated_at=TIMESTAMP)
        if "tag_list" in fields:
            self.articles[slug]["tag_list"] = sorted(set(fields["tag_list"]))
        return self.get_article(slug, user_id)

    def delete_article(self, slug, user_id):
        self._own(slug, user_id)
        del self.articles[slug]
        for comment in self.comments.pop(slug):
            self._forget_key_of(comment)
        self._article_keys = {key: kept for key, kept in self._article_keys.items()
                              if kept != slug}
        self.favorites = {(user, favorite) for user, favorite in self.favorites
                          if favorite != slug}

    def list_articles(self, tag=None, author=None, favorited=None, limit=20, offset=0,
                      viewer_id=None):
        limit, offset = article_rules.validate_page(limit, offset)
        try:
            author_id = self.users.named(author)["id"] if author else None
            favoriter_id = self.users.named(favorited)["id"] if favorited else None
        except NotFound:
            return {"articles": [], "articles_count": 0}
        records = [
            record for record in self.articles.values()
            if (not tag or tag in record["tag_list"])
            and (author_id is None or record["author_id"] == author_id)
            and (favoriter_id is None or (favoriter_id, record["slug"]) in self.favorites)
        ]
        return self._page(records, limit, offset, viewer_id)

    def feed(self, user_id, limit=20, offset=0):
        limit, offset = article_rules.validate_page(limit, offset)
        followed = self.users.following_ids(user_id)
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
        body = article_rules.validate_comment(body)
        key = article_rules.validate_idempotency_key(idempotency_key)
        self._record(slug)
        comment = self._comment_keys.get((author_id, key))
        if comment is None:
            comment = {"id": next(self._comment_ids), "body": body, "created_at": TIMESTAMP,
                       "updated_at": TIMESTAMP, "author_id": author_id}
            self.comments[slug].append(comment)
            if key:
                self._comment_keys[(author_id, key)] = comment
        return self._with_authors([comment], author_id)[0]

    def list_comments(self, slug, viewer_id=None):
        self._record(slug)
        return self._with_authors(self.comments[slug], viewer_id)

    def delete_comment(self, slug, comment_id, user_id):
        self._record(slug)
        for comment in self.comments[slug]:
            if comment["id"] == comment_id:
                article_rules.require_author(comment["author_id"] == user_id, "comment")
                self.comments[slug].remove(comment)
                self._forget_key_of(comment)
                return None
        raise NotFound(f"comment {comment_id} not found")

    def list_tags(self):
        counts = {}
        for record in self.articles.values():
            for tag in record["tag_list"]:
                counts[tag] = counts.get(tag, 0) + 1
        return sorted(counts, key=lambda tag: (-counts[tag], tag))

    def _article(self, record, viewer_id):
        slug = record["slug"]
        return {
            **record,
            "favorited": (viewer_id, slug) in self.favorites,
            "favorites_count": sum(1 for _, favorite in self.favorites if favorite == slug),
        }

    def _page(self, records, limit, offset, viewer_id):
        newest_first = records[::-1]
        articles = [self._article(r, viewer_id) for r in newest_first[offset:offset + limit]]
        return {"articles": self._with_authors(articles, viewer_id),
                "articles_count": len(records)}

    def _with_authors(self, records, viewer_id):
        """As the real service: an author missing from users shows as ``[deleted]``."""
        author_ids = [record["author_id"] for record in records]
        by_id = {profile["id"]: profile
                 for profile in self.users.get_profiles(author_ids, viewer_id)}
        return [article_schemas.with_author(record, by_id) for record in records]

    def _record(self, slug):
        if slug not in self.articles:
            raise NotFound(f"article '{slug}' not found")
        return self.articles[slug]

    def _own(self, slug, user_id):
        record = self._record(slug)
        article_rules.require_author(record["author_id"] == user_id, "article")
        return record

    def _forget_key_of(self, comment):
        self._comment_keys = {key: kept for key, kept in self._comment_keys.items()
                              if kept is not comment}

    def _free_slug(self, base):
        """``base``, else ``base-2``, ``base-3``... as the storage service."""
        candidates = itertools.chain([base], (f"{base}-{n}" for n in itertools.count(2)))
        return next(slug for slug in candidates if slug not in self.articles)


class FakeStorage:
    def health(self):
        database = {"ok": True, "schema_version": "1", "schema_head": "1", "error": None}
        return {"users": dict(database), "blog": dict(database)}
