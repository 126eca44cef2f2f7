"""The RealWorld JSON shapes (camelCase) built from the services' snake_case data."""


def present_user(user, token):
    return {
        "email": user["email"],
        "token": token,
        "username": user["username"],
        "bio": user["bio"],
        "image": user["image"],
    }


def present_profile(profile):
    return {
        "username": profile["username"],
        "bio": profile["bio"],
        "image": profile["image"],
        "following": profile["following"],
    }


def present_article(article):
    return {**present_article_summary(article), "body": article["body"]}


def present_article_summary(article):
    """An article as the spec lists it in ``GET /articles`` and the feed: without ``body``."""
    return {
        "slug": article["slug"],
        "title": article["title"],
        "description": article["description"],
        "tagList": article["tag_list"],
        "createdAt": article["created_at"],
        "updatedAt": article["updated_at"],
        "favorited": article["favorited"],
        "favoritesCount": article["favorites_count"],
        "author": present_profile(article["author"]),
    }


def present_article_list(article_list):
    return {
        "articles": [present_article_summary(article) for article in article_list["articles"]],
        "articlesCount": article_list["articles_count"],
    }


def present_comment(comment):
    return {
        "id": comment["id"],
        "createdAt": comment["created_at"],
        "updatedAt": comment["updated_at"],
        "body": comment["body"],
        "author": present_profile(comment["author"]),
    }
