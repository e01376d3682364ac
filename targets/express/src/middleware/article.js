'use strict';
/**
 * Loading the article named by :slug for the routes that act on it. They run after auth, so the
 * order of checks is the contract's: 401, then 404 article, then 403 (author only).
 * `req.article` is {id, author_id, updated_at}.
 */
const { forbidden, notFound } = require('../api-error');

function articleLoader(articles) {
  async function existing(req, res, next) {
    const article = await articles.head(req.params.slug);
    if (!article) throw notFound('article');
    req.article = article;
    next();
  }

  async function ownedByUser(req, res, next) {
    await existing(req, res, () => {});
    if (req.article.author_id !== req.user.id) throw forbidden('article');
    next();
  }

  return { existing, ownedByUser };
}

module.exports = { articleLoader };
