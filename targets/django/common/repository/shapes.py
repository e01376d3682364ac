"""The contract's JSON shapes, as plain dicts, built by both data layers."""


def profile_view(username, bio, image, following):
    return {"username": username, "bio": bio, "image": image, "following": bool(following)}


def article_view(slug, title, description, body, tag_list, created_at, updated_at, favorited,
                 favorites_count, author):
    """An article; ``body`` None leaves the key out (lists)."""
    data = {"slug": slug, "title": title, "description": description}
    if body is not None:
        data["body"] = body
    data.update({
        "tagList": tag_list,
        "createdAt": created_at,
        "updatedAt": updated_at,
        "favorited": favorited,
        "favoritesCount": favorites_count,
        "author": author,
    })
    return data


def comment_view(comment_id, created_at, updated_at, body, author):
    return {"id": comment_id, "createdAt": created_at, "updatedAt": updated_at, "body": body,
            "author": author}
