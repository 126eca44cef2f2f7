"""Article rules: slugs, validation messages, paging and authorship."""

import pytest

from common.errors import PermissionDenied, ValidationError
from services.articles import rules as article_rules


@pytest.mark.parametrize(
    "title, slug",
    [
        ("How to train your dragon", "how-to-train-your-dragon"),
        ("  Héllo, Wörld!!  ", "hello-world"),
        ("C++ & Rust: 2026", "c-rust-2026"),
        ("!!!", "article"),
        ("日本語", "article"),
        ("word " * 40, ("word-" * 16).rstrip("-")),
    ],
)
def test_slugify(title, slug):
    assert article_rules.slugify(title) == slug


def test_slug_is_at_most_80_characters_and_never_ends_with_a_dash():
    slug = article_rules.slugify("a" * 79 + " b")
    assert len(slug) <= 80 and not slug.endswith("-")


def test_new_article_reports_every_missing_field():
    with pytest.raises(ValidationError) as caught:
        article_rules.validate_new_article("", None, "   ", None)
    assert caught.value.errors == {
        "title": ["can't be blank"],
        "description": ["can't be blank"],
        "body": ["can't be blank"],
    }


def test_tags_are_trimmed_and_deduplicated_in_order():
    fields = article_rules.validate_new_article(
        "T", "D", "B", [" rust ", "go", "rust", "", "big  data"]
    )
    assert fields["tag_list"] == ["rust", "go", "big data"]


@pytest.mark.parametrize(
    "tags, message",
    [
        ("rust", "must be a list of strings"),
        ([1, 2], "must be a list of strings"),
        ([f"t{i}" for i in range(11)], "may have at most 10 tags"),
        (["x" * 65], "tags must be at most 64 characters"),
    ],
)
def test_bad_tag_lists(tags, message):
    with pytest.raises(ValidationError) as caught:
        article_rules.validate_new_article("T", "D", "B", tags)
    assert caught.value.errors == {"tag_list": [message]}


def test_changes_reject_unknown_fields_and_blank_values():
    with pytest.raises(ValidationError) as caught:
        article_rules.validate_article_changes({"slug": "mine", "title": " "})
    assert caught.value.errors == {"slug": ["is not a field that can be changed"]}
    with pytest.raises(ValidationError) as caught:
        article_rules.validate_article_changes({"title": " "})
    assert caught.value.errors == {"title": ["can't be blank"]}


def test_comment_body_is_required_and_bounded():
    assert article_rules.validate_comment("  nice  ") == "nice"
    with pytest.raises(ValidationError) as caught:
        article_rules.validate_comment("x" * 10_001)
    assert caught.value.errors == {"body": ["must be at most 10000 characters"]}


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_a_blank_idempotency_key_is_no_key(blank):
    assert article_rules.validate_idempotency_key(blank) is None


def test_an_idempotency_key_is_kept_as_sent_and_bounded():
    assert article_rules.validate_idempotency_key("retry-1") == "retry-1"
    with pytest.raises(ValidationError) as caught:
        article_rules.validate_idempotency_key("k" * 101)
    assert caught.value.errors == {"idempotency_key": ["must be at most 100 characters"]}


@pytest.mark.parametrize(
    "limit, offset, field",
    [
        (0, 0, "limit"),
        (101, 0, "limit"),
        ("5", 0, "limit"),
        (True, 0, "limit"),
        (5, -1, "offset"),
        (5, 2**31, "offset"),
    ],
)
def test_page_bounds(limit, offset, field):
    with pytest.raises(ValidationError) as caught:
        article_rules.validate_page(limit, offset)
    assert list(caught.value.errors) == [field]


def test_only_the_author_may_change():
    article_rules.require_author(True, "article")
    with pytest.raises(PermissionDenied, match="only the author can change this comment"):
        article_rules.require_author(False, "comment")
