"""The benchmark's baseline (bench/monolith.py) answers what the gateway answers.

The monolith runs in this process on the stack's own databases and secret, so
for data made through the gateway both must return the same JSON: a baseline
that drifted from the gateway's shapes (or stopped accepting its tokens) would
make every ratio of ``make bench`` meaningless.
"""

import uuid

import pytest
import requests

from bench import monolith


@pytest.fixture(scope="module")
def baseline(stack):
    app = monolith.create_app(stack.config)
    yield app.test_client()
    monolith.dispose(app)


@pytest.fixture(scope="module")
def author(stack):
    """A user with two tagged articles and a comment, all made through the gateway."""
    name = f"mono{uuid.uuid4().hex[:8]}"
    user = requests.post(
        stack.gateway_url + "/api/users",
        timeout=30,
        json={
            "user": {"username": name, "email": f"{name}@example.com", "password": "pass-word-1"}
        },
    )
    user.raise_for_status()
    headers = {"Authorization": f"Token {user.json()['user']['token']}"}
    slugs = []
    for number in range(2):
        article = requests.post(
            stack.gateway_url + "/api/articles",
            headers=headers,
            timeout=30,
            json={
                "article": {
                    "title": f"Baseline {name} {number}",
                    "description": "Compared with the monolith",
                    "body": "Some *Markdown*.",
                    "tagList": [f"t{name}", "baseline"],
                }
            },
        )
        article.raise_for_status()
        slugs.append(article.json()["article"]["slug"])
    comment = requests.post(
        f"{stack.gateway_url}/api/articles/{slugs[0]}/comments",
        headers=headers,
        timeout=30,
        json={"comment": {"body": "Agreed."}},
    )
    comment.raise_for_status()
    return {"username": name, "headers": headers, "slugs": slugs}


def both(stack, baseline, path, headers=None):
    """``(gateway JSON, monolith JSON)`` of one GET, after checking both answered 200."""
    gateway = requests.get(stack.gateway_url + path, headers=headers or {}, timeout=30)
    local = baseline.get(path, headers=headers or {})
    assert gateway.status_code == 200, gateway.text
    assert local.status_code == 200, local.get_data(as_text=True)
    return gateway.json(), local.get_json()


@pytest.mark.parametrize("signed_in", [False, True])
def test_list_of_articles_is_the_same(stack, baseline, author, signed_in):
    headers = author["headers"] if signed_in else None
    gateway, local = both(stack, baseline, f"/api/articles?author={author['username']}", headers)

    assert local == gateway
    assert gateway["articlesCount"] == 2
    assert set(gateway["articles"][0]) == {
        "slug",
        "title",
        "description",
        "tagList",
        "createdAt",
        "updatedAt",
        "favorited",
        "favoritesCount",
        "author",
    }


@pytest.mark.parametrize("signed_in", [False, True])
def test_one_article_and_its_comments_are_the_same(stack, baseline, author, signed_in):
    headers = author["headers"] if signed_in else None
    slug = author["slugs"][0]

    gateway, local = both(stack, baseline, f"/api/articles/{slug}", headers)
    assert local == gateway
    assert gateway["article"]["body"] == "Some *Markdown*."

    gateway, local = both(stack, baseline, f"/api/articles/{slug}/comments", headers)
    assert local == gateway
    assert [comment["body"] for comment in gateway["comments"]] == ["Agreed."]


def test_tags_are_the_same(stack, baseline, author):
    gateway, local = both(stack, baseline, "/api/tags")

    assert local == gateway
    assert f"t{author['username']}" in gateway["tags"]


def test_feed_is_the_same(stack, baseline, author):
    name = f"reader{uuid.uuid4().hex[:8]}"
    reader = requests.post(
        stack.gateway_url + "/api/users",
        timeout=30,
        json={
            "user": {"username": name, "email": f"{name}@example.com", "password": "pass-word-1"}
        },
    )
    headers = {"Authorization": f"Token {reader.json()['user']['token']}"}
    requests.post(
        f"{stack.gateway_url}/api/profiles/{author['username']}/follow", headers=headers, timeout=30
    ).raise_for_status()

    gateway, local = both(stack, baseline, "/api/articles/feed", headers)

    assert local == gateway
    assert gateway["articlesCount"] == 2


def test_writes_take_the_gateway_token_and_answer_the_gateway_shapes(stack, baseline, author):
    created = baseline.post(
        "/api/articles",
        headers=author["headers"],
        json={
            "article": {
                "title": f"Written by the monolith {author['username']}",
                "description": "d",
                "body": "b",
                "tagList": ["baseline"],
            }
        },
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    slug = created.get_json()["article"]["slug"]
    gateway = requests.get(
        f"{stack.gateway_url}/api/articles/{slug}", headers=author["headers"], timeout=30
    )
    assert gateway.json() == created.get_json()

    comment = baseline.post(
        f"/api/articles/{slug}/comments",
        headers=author["headers"],
        json={"comment": {"body": "From the monolith."}},
    )
    assert comment.status_code == 200
    listed = requests.get(f"{stack.gateway_url}/api/articles/{slug}/comments", timeout=30)
    assert listed.json()["comments"] == [comment.get_json()["comment"]]


def test_bad_tokens_and_unknown_articles_answer_as_the_gateway(stack, baseline):
    for path, headers in [
        ("/api/articles", {"Authorization": "Token not-a-token"}),
        ("/api/articles/no-such-article-anywhere", {}),
    ]:
        gateway = requests.get(stack.gateway_url + path, headers=headers, timeout=30)
        local = baseline.get(path, headers=headers)
        assert local.status_code == gateway.status_code
        assert local.get_json() == gateway.json()


def test_html_pages_show_the_articles(baseline, author):
    slug = author["slugs"][0]

    home = baseline.get("/")
    page = baseline.get(f"/article/{slug}")

    assert home.status_code == 200 and page.status_code == 200
    assert f"Baseline {author['username']}".encode() in page.data
    assert b"<em>Markdown</em>" in page.data and b"Agreed." in page.data
