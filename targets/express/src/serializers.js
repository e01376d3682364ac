'use strict';
/**
 * Shapes database rows into the contract's JSON objects. Timestamps are stored as milliseconds
 * since the epoch and shown as ISO 8601 UTC with milliseconds (Date#toISOString).
 */

const isoDate = (ms) => new Date(ms).toISOString();

function user(row, token) {
  return { user: { email: row.email, token, username: row.username, bio: row.bio, image: row.image } };
}

function profileOf(username, bio, image, following) {
  return { username, bio, image, following: Boolean(following) };
}

function profile(row) {
  return { profile: profileOf(row.username, row.bio, row.image, row.following) };
}

/** An article row from the articles repository; list items omit `body` (absent, not null). */
function articleOf(row, withBody) {
  const article = {
    slug: row.slug,
    title: row.title,
    description: row.description,
  };
  if (withBody) article.body = row.body;
  article.tagList = JSON.parse(row.tags);
  article.createdAt = isoDate(row.created_at);
  article.updatedAt = isoDate(row.updated_at);
  article.favorited = Boolean(row.favorited);
  article.favoritesCount = row.favorites_count;
  article.author = profileOf(row.author_username, row.author_bio, row.author_image, row.following);
  return article;
}

const article = (row) => ({ article: articleOf(row, true) });

const articleList = (rows, count) => ({ articles: rows.map((r) => articleOf(r, false)), articlesCount: count });

function commentOf(row) {
  const at = isoDate(row.created_at);
  return {
    id: row.id,
    createdAt: at,
    updatedAt: at,
    body: row.body,
    author: profileOf(row.author_username, row.author_bio, row.author_image, row.following),
  };
}

const comment = (row) => ({ comment: commentOf(row) });
const commentList = (rows) => ({ comments: rows.map(commentOf) });

module.exports = { isoDate, user, profile, article, articleList, comment, commentList };
