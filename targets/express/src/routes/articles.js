'use strict';
/** Articles, the feed, favorites and tags (endpoints 8-13 and 17-19). */
const { createRouter } = require('./router');
const { wrapped } = require('../middleware/body');
const { methodNotAllowed } = require('../middleware/errors');
const { articleLoader } = require('../middleware/article');
const { invalidFields, notFound } = require('../api-error');
const { FieldErrors, requiredString, changedString, tagList } = require('../validation');
const serialize = require('../serializers');

const LIMIT_DEFAULT = 20;
const LIMIT_MAX = 100;
// Digits only, at most 18 of them: every such number fits SQLite's int64 (quill and the other
// reference targets draw the same line; rulings §9 sets no upper bound on offset).
const PARAM = /^[0-9]{1,18}$/; // parity-ruling: 9

/** The first value of a query parameter (repeated parameters: the first one wins), or undefined. */
const first = (v) => (Array.isArray(v) ? v[0] : v); // parity-ruling: 9

/** limit/offset per rulings §9: ^[0-9]+$, limit 1..100, offset >= 0; else 422 "is invalid". */
function pagination(query) {
  const errors = new FieldErrors();
  const limitRaw = first(query.limit);
  const offsetRaw = first(query.offset);
  let limit = LIMIT_DEFAULT;
  let offset = 0;
  if (limitRaw !== undefined) {
    limit = PARAM.test(limitRaw) ? Number(limitRaw) : NaN;
    if (!(limit >= 1 && limit <= LIMIT_MAX)) errors.add('limit', 'is invalid');
  }
  if (offsetRaw !== undefined) {
    if (PARAM.test(offsetRaw)) offset = BigInt(offsetRaw); // exact beyond 2^53
    else errors.add('offset', 'is invalid');
  }
  if (errors.count) throw invalidFields(errors.errors);
  return { limit, offset };
}

function articlesRouter({ articles, auth }) {
  const router = createRouter();

  const load = articleLoader(articles);

  // The article as its reader sees it after a write; gone meanwhile (a concurrent delete): 404.
  async function sendArticle(req, res, status = 200) {
    const row = await articles.findById(req.article.id, req.user.id);
    if (!row) throw notFound('article');
    res.status(status).json(serialize.article(row));
  }

  router
    .route('/articles')
    .get(auth.optional, async (req, res) => {
      const query = req.query;
      const { limit, offset } = pagination(query);
      const filters = { tag: first(query.tag), author: first(query.author), favorited: first(query.favorited) };
      const { rows, count } = await articles.list(filters, req.user?.id, limit, offset);
      res.json(serialize.articleList(rows, count));
    })
    .post(auth.required, wrapped('article'), async (req, res) => {
      const errors = new FieldErrors();
      const fields = {
        title: requiredString(req.payload, 'title', errors),
        description: requiredString(req.payload, 'description', errors),
        body: requiredString(req.payload, 'body', errors),
      };
      const tags = tagList(req.payload, 'tagList', errors);
      errors.throwIfAny();
      req.article = { id: await articles.create(req.user.id, fields, tags ?? []) };
      await sendArticle(req, res, 201);
    })
    .all(methodNotAllowed);

  // Only GET: other methods on /articles/feed fall through to /articles/:slug below.
  router.get('/articles/feed', auth.required, async (req, res) => {
    const { limit, offset } = pagination(req.query);
    const { rows, count } = await articles.list({ feed: true }, req.user.id, limit, offset);
    res.json(serialize.articleList(rows, count));
  });

  router
    .route('/articles/:slug')
    .get(auth.optional, async (req, res) => {
      const row = await articles.findBySlug(req.params.slug, req.user?.id);
      if (!row) throw notFound('article');
      res.json(serialize.article(row));
    })
    .put(auth.required, load.ownedByUser, wrapped('article'), async (req, res) => {
      const errors = new FieldErrors();
      const fields = {
        title: changedString(req.payload, 'title', errors),
        description: changedString(req.payload, 'description', errors),
        body: changedString(req.payload, 'body', errors),
      };
      const tags = tagList(req.payload, 'tagList', errors);
      errors.throwIfAny();
      await articles.update(req.article.id, fields, tags);
      await sendArticle(req, res);
    })
    .delete(auth.required, load.ownedByUser, async (req, res) => {
      await articles.remove(req.article.id);
      res.status(204).end();
    })
    .all(methodNotAllowed);

  router
    .route('/articles/:slug/favorite')
    .post(auth.required, load.existing, async (req, res) => {
      await articles.favorite(req.user.id, req.article.id);
      await sendArticle(req, res);
    })
    .delete(auth.required, load.existing, async (req, res) => {
      await articles.unfavorite(req.user.id, req.article.id);
      await sendArticle(req, res);
    })
    .all(methodNotAllowed);

  router
    .route('/tags')
    .get(async (req, res) => {
      res.json({ tags: await articles.tags() });
    })
    .all(methodNotAllowed);

  return router;
}

module.exports = { articlesRouter };
