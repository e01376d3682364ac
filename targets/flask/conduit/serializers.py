"""Model -> JSON shapes of the contract."""


def timestamp(value):
    """UTC ISO 8601 with milliseconds: 2026-11-23T18:32:05.123Z."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def user_json(user, token):
    return {
        "email": user.email,
        "token": token,
        "username": user.username,
        "bio": user.bio,
        "image": user.image,
    }


def profile_json(user, following):
    return {
        "username": user.username,
        "bio": user.bio,
        "image": user.image,
        "following": bool(following),
    }


def article_json(row, with_body=True):
    """``row`` is (Article, favorites_count, favorited, following), see articles.article_select."""
    article, favorites_count, favorited, following = row
    data = {
        "slug": article.slug,
        "title": article.title,
        "description": article.description,
    }
    if with_body:
        data["body"] = article.body
    data.update(
        tagList=article.tag_list,
        createdAt=timestamp(article.created_at),
        updatedAt=timestamp(article.updated_at),
        favorited=bool(favorited),
        favoritesCount=favorites_count,
        author=profile_json(article.author, following),
    )
    return data


def comment_json(comment, following):
    created = timestamp(comment.created_at)
    return {
        "id": comment.id,
        "createdAt": created,
        "updatedAt": created,
        "body": comment.body,
        "author": profile_json(comment.author, following),
    }
