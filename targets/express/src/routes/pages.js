'use strict';
/** The server-rendered page (GET /, views/index.ejs) and the overhead endpoints. */
const { createRouter } = require('./router');
const { methodNotAllowed } = require('../middleware/errors');
const { isoDate } = require('../serializers');

const PAGE_ARTICLES = 20;
const HELLO = 'Hello, World!';

function pagesRouter({ articles }) {
  const router = createRouter();

  router
    .route('/')
    .get((req, res) => {
      const rows = articles.recent(PAGE_ARTICLES);
      res.render('index', {
        articles: rows.map((r) => ({ title: r.title, username: r.username, createdAt: isoDate(r.created_at) })),
      });
    })
    .all(methodNotAllowed);

  router
    .route('/plaintext')
    .get((req, res) => {
      res.set('Content-Type', 'text/plain; charset=utf-8').send(HELLO);
    })
    .all(methodNotAllowed);

  router
    .route('/json')
    .get((req, res) => {
      res.json({ message: HELLO });
    })
    .all(methodNotAllowed);

  return router;
}

module.exports = { pagesRouter };
