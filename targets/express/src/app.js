'use strict';
/**
 * The Express application (one per cluster worker): settings, middleware in the contract's order
 * of precedence, and one router per area.
 *
 *   Server header -> Host rules (RFC 9112 3.2: 400) -> CORS (OPTIONS: 204 on every path) -> JSON body (413 here, other parse errors
 *   deferred) -> routers (404 route / 405 method, then each route's auth, loading, body checks)
 *   -> 404 for unknown paths -> error handler (every error is the contract's JSON)
 *
 * The web pages (routes/web.js: session, forms, CSRF, HTML error pages) come after /api, which
 * answers 404 itself for its unknown paths, so no API request ever reaches the session middleware.
 */
const path = require('node:path');
const cors = require('cors');
const express = require('express');
const { parseJsonBody } = require('./middleware/body');
const { repairPercentEncoding } = require('./middleware/path');
const { hostHeader } = require('./middleware/host');
const { authentication } = require('./middleware/auth');
const { notFound, errorHandler } = require('./middleware/errors');
const { createRouter } = require('./routes/router');
const { usersRouter } = require('./routes/users');
const { profilesRouter } = require('./routes/profiles');
const { articlesRouter } = require('./routes/articles');
const { commentsRouter } = require('./routes/comments');
const { pagesRouter } = require('./routes/pages');
const { webRouter } = require('./routes/web');

const SERVER_NAME = 'Express';

const CORS_OPTIONS = {
  origin: '*',
  methods: 'GET, POST, PUT, DELETE, OPTIONS', // strings are sent verbatim (the contract's spacing)
  allowedHeaders: 'Content-Type, Authorization',
  // OPTIONS is answered after the body is read (below): an oversized body is 413 first (rulings §1).
  preflightContinue: true,
};

/**
 * Builds the app on the worker's open backend (db/index.js: the repositories and the session
 * store, SQLite or PostgreSQL). `queryCounter` (optional, see middleware/query-count.js) adds
 * X-Query-Count to every response.
 */
function createApp({ database, secretKey, queryCounter }) {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('strict routing', true); // parity-ruling: 12
  app.set('case sensitive routing', true);
  app.set('views', path.join(__dirname, '..', 'views'));
  app.set('view engine', 'ejs');

  const { users, articles, comments } = database;
  const context = {
    sessionStore: database.createSessionStore(),
    secretKey,
    users,
    articles,
    comments,
    auth: authentication(users, secretKey),
  };

  app.use((req, res, next) => {
    res.setHeader('Server', SERVER_NAME); // Node sends none; the contract requires one
    next();
  });
  app.use(hostHeader); // parity-ruling: 12
  if (queryCounter) app.use(queryCounter.middleware);
  app.use(cors(CORS_OPTIONS)); // first, so that every answer (413 included) carries the CORS headers
  app.use(parseJsonBody());
  app.use((req, res, next) => (req.method === 'OPTIONS' ? res.status(204).end() : next())); // any path
  app.use(repairPercentEncoding); // parity-ruling: 10

  app.use(pagesRouter(context));
  const api = createRouter();
  api.use(usersRouter(context));
  api.use(profilesRouter(context));
  api.use(articlesRouter(context));
  api.use(commentsRouter(context));
  app.use('/api', api, notFound);
  app.use(webRouter(context));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}

module.exports = { createApp, SERVER_NAME };
