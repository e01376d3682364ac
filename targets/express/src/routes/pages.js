'use strict';
/** The overhead endpoints (GET / is the web app's home page: routes/web-articles.js). */
const { createRouter } = require('./router');
const { methodNotAllowed } = require('../middleware/errors');

const HELLO = 'Hello, World!';

function pagesRouter() {
  const router = createRouter();

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
