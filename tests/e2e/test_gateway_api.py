"""The RealWorld API over HTTP against the real stack (RabbitMQ, storage, users, blog, gateway).

The stack is shared by the whole session, so every test makes its own users
(unique names) and checks only what it made.
"""

import json
import re
import time

import requests

from tests.e2e.api import Api, create_article
from tests.support.http_helpers import errors_of, unique
from tests.support.stack import OPERATOR

ISO_WITH_FRACTION_AND_ZONE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d)$")


# users


def test_register_login_and_current_user(anonymous, stack):
    username = unique("ann")
    email = f"{username}@example.com"

    registered = anonymous.post(
        "/users", {"user": {"username": username, "email": email, "password": "pass-word-1"}}
    )
    logged_in = anonymous.post(
        "/users/login", {"user": {"email": email, "password": "pass-word-1"}}
    )
    token = logged_in.json()["user"]["token"]
    with_token = Api(stack.gateway_url, token).get("/user")
    with_bearer = Api(stack.gateway_url, token, scheme="Bearer").get("/user")

    assert registered.status_code == 201
    assert set(registered.json()["user"]) == {"email", "token", "username", "bio", "image"}
    assert logged_in.status_code == 200
    assert with_token.status_code == 200 and with_bearer.status_code == 200
    assert with_token.json()["user"]["username"] == username
    assert with_token.json()["user"]["email"] == email
    assert with_token.json()["user"]["token"] == token


def test_register_errors(anonymous, sign_up):
    _, taken = sign_up()

    duplicate = anonymous.post(
        "/users",
        {
            "user": {
                "username": taken["username"],
                "email": unique("x") + "@example.com",
                "password": "pw-12345-lantern",
            }
        },
    )
    missing = anonymous.post(
        "/users", {"user": {"username": unique("y"), "password": "pw-12345-lantern"}}
    )
    blank = anonymous.post("/users", {"user": {"username": "", "email": "", "password": ""}})

    assert duplicate.status_code == 422
    assert "username has already been taken" in errors_of(duplicate)
    assert missing.status_code == 422 and errors_of(missing) == ["email is required"]
    assert blank.status_code == 422 and len(errors_of(blank)) >= 1


def test_login_with_a_wrong_password_is_401(anonymous, sign_up):
    _, user = sign_up()

    response = anonymous.post(
        "/users/login", {"user": {"email": user["email"], "password": "nope"}}
    )

    assert response.status_code == 401
    assert errors_of(response)


def test_current_user_needs_valid_credentials(stack, anonymous):
    assert anonymous.get("/user").status_code == 401
    assert Api(stack.gateway_url, "not.a.jwt").get("/user").status_code == 401


def test_update_user_returns_a_fresh_token_and_bio_matches_the_profile(stack, sign_up):
    api, user = sign_up()

    response = api.put(
        "/user", {"user": {"bio": "I like dragons", "image": "https://i.example/a.png"}}
    )
    updated = response.json()["user"]
    profile = Api(stack.gateway_url).get(f"/profiles/{user['username']}").json()["profile"]
    with_new_token = Api(stack.gateway_url, updated["token"]).get("/user")

    assert response.status_code == 200
    assert updated["bio"] == "I like dragons"
    assert (profile["bio"], profile["image"]) == (updated["bio"], updated["image"])
    assert with_new_token.status_code == 200


def test_image_and_bio_are_presented_the_same_in_user_and_profile(stack, sign_up):
    api, user = sign_up()

    current = api.get("/user").json()["user"]
    profile = Api(stack.gateway_url).get(f"/profiles/{user['username']}").json()["profile"]

    assert (current["bio"], current["image"]) == (profile["bio"], profile["image"])


def test_saving_settings_as_a_realworld_client_does_keeps_the_session(stack, sign_up):
    """The Angular RealWorld client sends the current password and blanks for untouched
    fields with every settings save, and keeps using its old token afterwards."""
    api, user = sign_up()

    response = api.put(
        "/user",
        {
            "user": {
                "username": "",
                "email": "",
                "password": "pass-word-1",
                "bio": "Saved twice",
                "image": "",
            }
        },
    )
    again = api.put("/user", {"user": {"password": "pass-word-1", "bio": "Saved twice"}})

    assert response.status_code == 200, response.text
    assert again.status_code == 200, again.text
    current = api.get("/user")
    assert current.status_code == 200
    assert current.json()["user"]["username"] == user["username"]
    assert current.json()["user"]["email"] == user["email"]
    assert current.json()["user"]["bio"] == "Saved twice"


def test_a_new_password_revokes_earlier_tokens_but_not_the_fresh_one(stack, anonymous, sign_up):
    api, user = sign_up()

    response = api.put(
        "/user", {"user": {"password": "a-brand-new-password", "currentPassword": "pass-word-1"}}
    )

    assert response.status_code == 200
    assert errors_of(api.get("/user")) == ["the token has been revoked"]
    assert Api(stack.gateway_url, response.json()["user"]["token"]).get("/user").status_code == 200
    login = anonymous.post(
        "/users/login", {"user": {"email": user["email"], "password": "a-brand-new-password"}}
    )
    assert login.status_code == 200


def test_publishing_with_a_trailing_slash_as_the_angular_client_does(stack, sign_up):
    api, _ = sign_up()
    preflight = requests.options(
        stack.gateway_url + "/api/articles/",
        timeout=10,
        headers={
            "Origin": "http://localhost:4200",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )

    response = api.post(
        "/articles/",
        {"article": {"title": "Slash", "description": "d", "body": "b", "tagList": []}},
    )

    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:4200"
    assert response.status_code == 201, response.text
    assert api.get(f"/articles/{response.json()['article']['slug']}/").status_code == 200


def test_update_user_to_a_taken_email_is_422(sign_up):
    api, _ = sign_up()
    _, other = sign_up()

    response = api.put(
        "/user", {"user": {"email": other["email"], "currentPassword": "pass-word-1"}}
    )

    assert response.status_code == 422
    assert errors_of(response) == ["email has already been taken"]


# profiles


def test_follow_and_unfollow(anonymous, sign_up):
    _, author = sign_up("author")
    reader, _ = sign_up("reader")
    path = f"/profiles/{author['username']}"

    followed = reader.post(path + "/follow")
    seen_by_reader = reader.get(path)
    seen_anonymously = anonymous.get(path)
    unfollowed = reader.delete(path + "/follow")

    assert followed.status_code == 200 and followed.json()["profile"]["following"] is True
    assert seen_by_reader.json()["profile"]["following"] is True
    assert seen_anonymously.json()["profile"] == {
        "username": author["username"],
        "bio": None,
        "image": None,
        "following": False,
    }
    assert unfollowed.json()["profile"]["following"] is False


def test_profile_errors(anonymous, sign_up):
    api, user = sign_up()

    assert anonymous.get(f"/profiles/{unique('ghost')}").status_code == 404
    assert api.post(f"/profiles/{unique('ghost')}/follow").status_code == 404
    assert anonymous.post(f"/profiles/{user['username']}/follow").status_code == 401


# articles


def test_create_and_get_an_article(anonymous, sign_up):
    api, user = sign_up()

    created = create_article(api, "Dragons", tags=["zeta", "alpha"])
    fetched = anonymous.get(f"/articles/{created['slug']}")

    assert fetched.status_code == 200
    article = fetched.json()["article"]
    assert article == created
    assert article["title"] == "Dragons" and article["body"] == "The body"
    assert article["tagList"] == ["alpha", "zeta"]
    assert article["favorited"] is False and article["favoritesCount"] == 0
    assert article["author"]["username"] == user["username"]
    assert ISO_WITH_FRACTION_AND_ZONE.match(article["createdAt"])
    assert ISO_WITH_FRACTION_AND_ZONE.match(article["updatedAt"])


def test_article_errors(anonymous, sign_up):
    api, _ = sign_up()

    unauthenticated = anonymous.post(
        "/articles", {"article": {"title": "t", "description": "d", "body": "b"}}
    )
    missing_title = api.post("/articles", {"article": {"description": "d", "body": "b"}})
    blank_title = api.post("/articles", {"article": {"title": "", "description": "d", "body": "b"}})
    unknown = anonymous.get(f"/articles/{unique('no-such-')}")

    assert unauthenticated.status_code == 401
    assert missing_title.status_code == 422 and errors_of(missing_title) == ["title is required"]
    assert blank_title.status_code == 422
    assert unknown.status_code == 404


def test_two_articles_with_the_same_title_get_distinct_slugs(sign_up):
    api, _ = sign_up()

    first = create_article(api, "Same title")
    second = create_article(api, "Same title")

    assert first["slug"] != second["slug"]


def test_a_repeated_idempotency_key_creates_the_article_once(anonymous, sign_up):
    api, user = sign_up()
    key = unique("key-")

    first = create_article(api, "Once", **{"Idempotency-Key": key})
    second = api.post(
        "/articles",
        {"article": {"title": "Once", "description": "About it", "body": "The body"}},
        headers={"Idempotency-Key": key},
    )
    listing = anonymous.get("/articles", params={"author": user["username"]}).json()

    assert second.json()["article"]["slug"] == first["slug"]
    assert listing["articlesCount"] == 1


def test_only_the_author_may_update_or_delete_an_article(anonymous, sign_up):
    author, _ = sign_up("author")
    intruder, _ = sign_up("intruder")
    slug = create_article(author, "Mine")["slug"]

    foreign_update = intruder.put(f"/articles/{slug}", {"article": {"body": "hacked"}})
    foreign_delete = intruder.delete(f"/articles/{slug}")
    update = author.put(f"/articles/{slug}", {"article": {"body": "Better body"}})
    delete = author.delete(f"/articles/{slug}")

    assert foreign_update.status_code == 403 and errors_of(foreign_update)
    assert foreign_delete.status_code == 403
    assert update.status_code == 200 and update.json()["article"]["body"] == "Better body"
    assert delete.status_code == 204 and delete.content == b""
    assert anonymous.get(f"/articles/{slug}").status_code == 404
    assert author.delete(f"/articles/{slug}").status_code == 404


def test_list_articles_counts_all_before_limit_and_offset(anonymous, sign_up):
    api, user = sign_up()
    titles = [f"Article {number}" for number in range(5)]
    for title in titles:
        create_article(api, title)

    page = anonymous.get("/articles", params={"author": user["username"], "limit": 2, "offset": 1})

    listing = page.json()
    assert page.status_code == 200
    assert listing["articlesCount"] == 5
    assert [article["title"] for article in listing["articles"]] == ["Article 3", "Article 2"]
    assert all("body" not in article for article in listing["articles"])


def test_list_articles_by_tag_and_by_favorited(anonymous, sign_up):
    api, _ = sign_up()
    fan, fan_user = sign_up("fan")
    tag = unique("tag")
    tagged = create_article(api, "Tagged", tags=[tag])
    create_article(api, "Untagged")
    fan.post(f"/articles/{tagged['slug']}/favorite")

    by_tag = anonymous.get("/articles", params={"tag": tag}).json()
    by_favorite = anonymous.get("/articles", params={"favorited": fan_user["username"]}).json()

    assert [article["slug"] for article in by_tag["articles"]] == [tagged["slug"]]
    assert by_tag["articlesCount"] == 1
    assert [article["slug"] for article in by_favorite["articles"]] == [tagged["slug"]]


def test_paging_parameters_are_checked(anonymous):
    assert anonymous.get("/articles", params={"limit": "ten"}).status_code == 422
    assert anonymous.get("/articles", params={"offset": "-1"}).status_code == 422
    assert anonymous.get("/articles", params={"limit": "0"}).status_code == 422


def test_feed_lists_followed_authors_newest_first(anonymous, sign_up):
    author, author_user = sign_up("author")
    reader, _ = sign_up("reader")
    older = create_article(author, "Older")
    newer = create_article(author, "Newer")
    reader.post(f"/profiles/{author_user['username']}/follow")

    feed = reader.get("/articles/feed", params={"limit": 10})

    assert feed.status_code == 200
    assert [article["slug"] for article in feed.json()["articles"]] == [
        newer["slug"],
        older["slug"],
    ]
    assert feed.json()["articlesCount"] == 2
    assert feed.json()["articles"][0]["author"]["following"] is True
    assert anonymous.get("/articles/feed").status_code == 401


def test_favorite_and_unfavorite(anonymous, sign_up):
    author, _ = sign_up("author")
    fan, _ = sign_up("fan")
    slug = create_article(author, "Loved")["slug"]

    favorited = fan.post(f"/articles/{slug}/favorite")
    seen_anonymously = anonymous.get(f"/articles/{slug}").json()["article"]
    unfavorited = fan.delete(f"/articles/{slug}/favorite")

    assert favorited.status_code == 200
    assert favorited.json()["article"]["favorited"] is True
    assert favorited.json()["article"]["favoritesCount"] == 1
    assert seen_anonymously["favorited"] is False and seen_anonymously["favoritesCount"] == 1
    assert unfavorited.json()["article"]["favoritesCount"] == 0
    assert anonymous.post(f"/articles/{slug}/favorite").status_code == 401
    assert fan.post(f"/articles/{unique('none-')}/favorite").status_code == 404


# comments


def test_comments_add_list_and_delete_with_authorization(anonymous, sign_up):
    author, _ = sign_up("author")
    commenter, commenter_user = sign_up("commenter")
    slug = create_article(author, "Discussed")["slug"]

    added = commenter.post(f"/articles/{slug}/comments", {"comment": {"body": "First!"}})
    comment = added.json()["comment"]
    listed = anonymous.get(f"/articles/{slug}/comments")
    foreign_delete = author.delete(f"/articles/{slug}/comments/{comment['id']}")
    delete = commenter.delete(f"/articles/{slug}/comments/{comment['id']}")

    assert added.status_code == 200
    assert set(comment) == {"id", "createdAt", "updatedAt", "body", "author"}
    assert comment["author"]["username"] == commenter_user["username"]
    assert ISO_WITH_FRACTION_AND_ZONE.match(comment["createdAt"])
    assert listed.json() == {"comments": [comment]}
    assert foreign_delete.status_code == 403
    assert delete.status_code == 204
    assert anonymous.get(f"/articles/{slug}/comments").json() == {"comments": []}


def test_comment_errors(anonymous, sign_up):
    api, _ = sign_up()
    slug = create_article(api, "Quiet")["slug"]

    assert (
        anonymous.post(f"/articles/{slug}/comments", {"comment": {"body": "x"}}).status_code == 401
    )
    assert api.post(f"/articles/{slug}/comments", {"comment": {}}).status_code == 422
    assert api.post(f"/articles/{slug}/comments", {"comment": {"body": ""}}).status_code == 422
    assert anonymous.get(f"/articles/{unique('none-')}/comments").status_code == 404
    assert api.delete(f"/articles/{slug}/comments/999999999").status_code == 404


def test_comments_are_listed_oldest_first(anonymous, sign_up):
    api, _ = sign_up()
    slug = create_article(api, "Thread")["slug"]
    for body in ("one", "two", "three"):
        api.post(f"/articles/{slug}/comments", {"comment": {"body": body}})

    comments = anonymous.get(f"/articles/{slug}/comments").json()["comments"]

    assert [comment["body"] for comment in comments] == ["one", "two", "three"]


# tags


def test_tags_are_ordered_by_use(anonymous, sign_up):
    api, _ = sign_up()
    rare, common, most = unique("rare"), unique("common"), unique("most")
    create_article(api, "One", tags=[most, common, rare])
    create_article(api, "Two", tags=[most, common])
    create_article(api, "Three", tags=[most])

    tags = anonymous.get("/tags").json()["tags"]

    ours = [tag for tag in tags if tag in (rare, common, most)]
    assert ours == [most, common, rare]


# HTTP plumbing


def test_malformed_oversize_unknown_and_wrong_method_requests(stack, anonymous):
    too_big = stack.config["GATEWAY"]["MAX_BODY_BYTES"] + 1

    malformed = anonymous.post(
        "/users/login", data="{not json", headers={"Content-Type": "application/json"}
    )
    oversize = anonymous.post(
        "/users",
        data=json.dumps({"user": {"bio": "x" * too_big}}),
        headers={"Content-Type": "application/json"},
    )
    unknown = anonymous.get("/no/such/thing")
    wrong_method = anonymous.delete("/tags")

    assert malformed.status_code == 400 and errors_of(malformed)
    assert oversize.status_code == 413 and errors_of(oversize)
    assert unknown.status_code == 404 and errors_of(unknown)
    assert wrong_method.status_code == 405 and errors_of(wrong_method)


def test_request_id_is_echoed_and_cors_is_answered(anonymous):
    response = anonymous.get(
        "/tags", headers={"X-Request-Id": "e2e-trace-1", "Origin": "http://localhost:4100"}
    )

    assert response.headers["X-Request-Id"] == "e2e-trace-1"
    assert response.headers["Access-Control-Allow-Origin"] in ("*", "http://localhost:4100")


def log_lines_with(stack, process_name, text, seconds=5):
    """The lines of a process's log that contain ``text``, waiting for them to be written.

    A service logs its RPC after sending the reply, so the line may lag the HTTP answer.
    """
    deadline = time.monotonic() + seconds
    while True:
        lines = [
            line for line in stack.log_tail(process_name, lines=500).splitlines() if text in line
        ]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def test_the_request_id_reaches_the_access_log_and_the_service_log(stack, anonymous):
    request_id = unique("trace-")

    # A read no one made before, so the gateway's read cache cannot answer it.
    anonymous.get(f"/articles?tag={request_id}", headers={"X-Request-Id": request_id})

    access_lines = [json.loads(line) for line in log_lines_with(stack, "gateway", request_id)]
    assert [(line["path"], line["status"]) for line in access_lines] == [("/api/articles", 200)]
    assert len(log_lines_with(stack, "blog", request_id)) == 1


def test_healthz_and_openapi(stack, anonymous):
    health = requests.get(stack.gateway_url + "/healthz", timeout=30)
    details = requests.get(stack.gateway_url + "/healthz", headers=OPERATOR, timeout=30)
    document = anonymous.get("/openapi.json")

    assert health.status_code == 200, health.text
    assert health.json() == {"status": "ok"}
    assert details.json()["checks"]["storage"]["databases"]["blog"]["ok"] is True
    assert document.status_code == 200 and "/api/articles" in document.json()["paths"]


# a service going away (kept last: it restarts blog)


def test_a_stopped_blog_service_gives_503_within_the_timeout_then_recovers(stack, anonymous):
    timeout = float(stack.config["RPC_TIMEOUT"])
    stack.stop("blog")
    try:
        started = time.monotonic()
        # A read the gateway's read cache cannot answer (nobody made it before).
        unavailable = anonymous.get(f"/articles?tag={unique('outage')}")
        elapsed = time.monotonic() - started
        health = requests.get(stack.gateway_url + "/healthz", headers=OPERATOR, timeout=30)
    finally:
        stack.start("blog")
    recovered = anonymous.get("/tags")

    assert unavailable.status_code == 503
    assert errors_of(unavailable)
    assert elapsed <= timeout + 2
    assert health.status_code == 503 and health.json()["checks"]["blog"]["ok"] is False
    assert health.json()["checks"]["users"]["ok"] is True
    assert recovered.status_code == 200


def test_an_article_refused_with_503_is_not_published_when_blog_returns(anonymous, sign_up, stack):
    api, user = sign_up("patient")
    stack.stop("blog")
    try:
        refused = api.post(
            "/articles",
            {"article": {"title": "Written while blog was down", "description": "D", "body": "B"}},
        )
    finally:
        stack.start("blog")
    time.sleep(1)  # time enough for blog to run a request left in its queue
    listed = anonymous.get(f"/articles?author={user['username']}")

    assert refused.status_code == 503
    assert listed.json()["articlesCount"] == 0
