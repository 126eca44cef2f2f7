"""The gateway's articles, favorites, comments and tags routes over a fake RPC client."""

import pytest

from tests.support.http_helpers import errors_of, sign_up

SUMMARY_KEYS = {
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
COMMENT_KEYS = {"id", "createdAt", "updatedAt", "body", "author"}


def new_article(title="How to train your dragon", tags=("dragons", "training")):
    return {
        "article": {
            "title": title,
            "description": "Ever wonder how?",
            "body": "You have to believe",
            "tagList": list(tags),
        }
    }


@pytest.fixture
def ann(client):
    return sign_up(client, "ann")


@pytest.fixture
def bob(client):
    return sign_up(client, "bob")


@pytest.fixture
def slug(client, ann):
    return client.post("/api/articles", headers=ann, json=new_article()).get_json()["article"][
        "slug"
    ]


def test_create_article_answers_201_in_camel_case(client, fake_rpc, ann):
    response = client.post("/api/articles", headers=ann, json=new_article())

    assert response.status_code == 201
    article = response.get_json()["article"]
    assert set(article) == SUMMARY_KEYS | {"body"}
    assert article["tagList"] == ["dragons", "training"]
    assert article["createdAt"] == fake_rpc.blog.get_article(slug=article["slug"])["created_at"]
    assert article["favoritesCount"] == 0 and article["favorited"] is False
    assert article["author"] == {"username": "ann", "bio": None, "image": None, "following": False}


@pytest.mark.parametrize("path", ["/api/articles/", "/api/tags/", "/api/user/"])
def test_a_trailing_slash_reaches_the_same_route_without_a_redirect(client, ann, path):
    """The Angular RealWorld client publishes with ``POST /api/articles/``; a redirect
    would drop the body and fail the CORS preflight, so the route itself must match."""
    if path == "/api/articles/":
        response = client.post(path, headers=ann, json=new_article())
        assert response.status_code == 201
        assert client.get("/api/articles/how-to-train-your-dragon/").status_code == 200
    else:
        assert client.get(path, headers=ann).status_code == 200


def test_create_article_passes_the_idempotency_key_and_snake_case_fields(client, fake_rpc, ann):
    client.post("/api/articles", headers={**ann, "Idempotency-Key": "k-1"}, json=new_article())

    _, _, kwargs, _ = fake_rpc.last_call("blog", "create_article")
    assert kwargs["idempotency_key"] == "k-1"
    assert kwargs["tag_list"] == ["dragons", "training"]
    assert kwargs["author_id"] == 1


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"title": "t", "description": "d"}, "body is required"),
        (
            {"title": "t", "description": "d", "body": "b", "tagList": "x"},
            "tagList must be a list of strings",
        ),
        (
            {"title": "t", "description": "d", "body": "b", "tagList": [1]},
            "tagList must be a list of strings",
        ),
        ({"title": ["t"], "description": "d", "body": "b"}, "title must be a string"),
    ],
)
def test_create_article_rejects_bad_fields_with_422(client, ann, fields, message):
    response = client.post("/api/articles", headers=ann, json={"article": fields})

    assert response.status_code == 422
    assert errors_of(response) == [message]


def test_create_article_needs_authentication(client):
    assert client.post("/api/articles", json=new_article()).status_code == 401


def test_article_list_items_have_no_body_and_count_everything(client, fake_rpc, ann, bob):
    for number in range(3):
        client.post("/api/articles", headers=ann, json=new_article(f"Title {number}"))
        client.post(f"/api/articles/title-{number}/favorite", headers=bob)

    response = client.get("/api/articles?limit=2&offset=0&tag=dragons&author=ann&favorited=bob")

    listing = response.get_json()
    assert response.status_code == 200
    assert listing["articlesCount"] == 3
    assert [article["title"] for article in listing["articles"]] == ["Title 2", "Title 1"]
    assert set(listing["articles"][0]) == SUMMARY_KEYS
    _, _, kwargs, _ = fake_rpc.last_call("blog", "list_articles")
    assert kwargs == {
        "tag": "dragons",
        "author": "ann",
        "favorited": "bob",
        "limit": 2,
        "offset": 0,
        "viewer_id": None,
    }


@pytest.mark.parametrize("query", ["limit=ten", "offset=1.5", "limit="])
def test_non_integer_paging_is_422(client, query):
    response = client.get(f"/api/articles?{query}")

    assert response.status_code == 422
    assert errors_of(response)[0].endswith("must be an integer")


def test_service_validation_of_paging_is_422(client):
    response = client.get("/api/articles?limit=0")

    assert response.status_code == 422


def test_feed_needs_authentication_and_lists_followed_authors(client, ann, bob, slug):
    assert client.get("/api/articles/feed").status_code == 401
    client.post("/api/profiles/ann/follow", headers=bob)

    response = client.get("/api/articles/feed?limit=5", headers=bob)

    assert response.status_code == 200
    assert [article["slug"] for article in response.get_json()["articles"]] == [slug]
    assert "body" not in response.get_json()["articles"][0]


def test_get_article_includes_body_and_unknown_slug_is_404(client, slug):
    found = client.get(f"/api/articles/{slug}")
    missing = client.get("/api/articles/no-such-article")

    assert found.status_code == 200
    assert found.get_json()["article"]["body"] == "You have to believe"
    assert missing.status_code == 404
    assert errors_of(missing) == ["article 'no-such-article' not found"]


def test_update_article_by_its_author(client, fake_rpc, ann, slug):
    response = client.put(
        f"/api/articles/{slug}",
        headers=ann,
        json={"article": {"body": "New body", "tagList": ["x"]}},
    )

    assert response.status_code == 200
    assert response.get_json()["article"]["body"] == "New body"
    _, _, kwargs, _ = fake_rpc.last_call("blog", "update_article")
    assert kwargs["changes"] == {"body": "New body", "tag_list": ["x"]}


def test_update_article_by_someone_else_is_403(client, bob, slug):
    response = client.put(f"/api/articles/{slug}", headers=bob, json={"article": {"body": "mine"}})

    assert response.status_code == 403
    assert errors_of(response) == ["only the author can change this article"]


def test_update_article_without_fields_is_422(client, ann, slug):
    response = client.put(f"/api/articles/{slug}", headers=ann, json={"article": {}})

    assert response.status_code == 422


def test_delete_article_is_204_for_the_author_and_403_for_others(client, ann, bob, slug):
    forbidden = client.delete(f"/api/articles/{slug}", headers=bob)
    deleted = client.delete(f"/api/articles/{slug}", headers=ann)

    assert forbidden.status_code == 403
    assert deleted.status_code == 204
    assert deleted.data == b""
    assert client.get(f"/api/articles/{slug}").status_code == 404


def test_favorite_and_unfavorite(client, bob, slug):
    favorited = client.post(f"/api/articles/{slug}/favorite", headers=bob)
    unfavorited = client.delete(f"/api/articles/{slug}/favorite", headers=bob)

    assert favorited.status_code == 200
    assert favorited.get_json()["article"]["favorited"] is True
    assert favorited.get_json()["article"]["favoritesCount"] == 1
    assert unfavorited.get_json()["article"]["favoritesCount"] == 0
    assert client.post(f"/api/articles/{slug}/favorite").status_code == 401
    assert client.post("/api/articles/nope/favorite", headers=bob).status_code == 404


def test_add_and_list_comments(client, fake_rpc, bob, slug):
    added = client.post(
        f"/api/articles/{slug}/comments",
        headers={**bob, "Idempotency-Key": "c1"},
        json={"comment": {"body": "Thank you so much!"}},
    )
    listed = client.get(f"/api/articles/{slug}/comments")

    assert added.status_code == 200
    comment = added.get_json()["comment"]
    assert set(comment) == COMMENT_KEYS
    assert comment["author"]["username"] == "bob"
    assert listed.get_json() == {"comments": [comment]}
    assert fake_rpc.last_call("blog", "add_comment")[2]["idempotency_key"] == "c1"


def test_comment_errors(client, bob, slug):
    assert (
        client.post(f"/api/articles/{slug}/comments", json={"comment": {"body": "x"}}).status_code
        == 401
    )
    missing_body = client.post(f"/api/articles/{slug}/comments", headers=bob, json={"comment": {}})
    assert missing_body.status_code == 422
    assert errors_of(missing_body) == ["body is required"]
    assert client.get("/api/articles/nope/comments").status_code == 404


def test_delete_comment_is_204_for_its_author_and_403_for_others(client, ann, bob, slug):
    comment_id = client.post(
        f"/api/articles/{slug}/comments", headers=bob, json={"comment": {"body": "hi"}}
    ).get_json()["comment"]["id"]

    forbidden = client.delete(f"/api/articles/{slug}/comments/{comment_id}", headers=ann)
    deleted = client.delete(f"/api/articles/{slug}/comments/{comment_id}", headers=bob)
    again = client.delete(f"/api/articles/{slug}/comments/{comment_id}", headers=bob)

    assert forbidden.status_code == 403
    assert deleted.status_code == 204
    assert again.status_code == 404


def test_a_non_numeric_comment_id_is_404(client, bob, slug):
    response = client.delete(f"/api/articles/{slug}/comments/abc", headers=bob)

    assert response.status_code == 404
    assert response.is_json


def test_tags_come_in_the_order_the_service_gives(client, ann):
    client.post("/api/articles", headers=ann, json=new_article("One", ["rare", "common"]))
    client.post("/api/articles", headers=ann, json=new_article("Two", ["common"]))

    response = client.get("/api/tags")

    assert response.status_code == 200
    assert response.get_json() == {"tags": ["common", "rare"]}
