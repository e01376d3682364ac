"""JSON representations of articles and comments (from querysets of articles.queries)."""
from accounts.serializers import profile_data
from common.timestamps import iso_ms


def article_data(article, with_body=True):
    data = {
        "slug": article.slug,
        "title": article.title,
        "description": article.description,
    }
    if with_body:
        data["body"] = article.body
    data.update({
        # Prefetched in name order; SQLite's BINARY collation is UTF-8 byte order.
        "tagList": [tag.name for tag in article.tags.all()],
        "createdAt": iso_ms(article.created_at),
        "updatedAt": iso_ms(article.updated_at),
        "favorited": bool(article.favorited),
        "favoritesCount": article.favorites_count,
        "author": profile_data(article.author, bool(article.following)),
    })
    return data


def comment_data(comment, following):
    return {
        "id": comment.pk,
        "createdAt": iso_ms(comment.created_at),
        "updatedAt": iso_ms(comment.updated_at),
        "body": comment.body,
        "author": profile_data(comment.author, following),
    }
