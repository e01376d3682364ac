'use strict';
/**
 * The web app (contract section 7): server-rendered EJS pages with forms, on a router of its own
 * that carries the session, form parsing and page context middleware (web/middleware.js). The
 * app mounts it after /api, and nothing under /api reaches it, so the API never sees a session.
 */
const { createRouter } = require('./router');
const { sessions, forms, pageContext } = require('../web/middleware');
const { pageErrors } = require('../web/errors');
const { accountRoutes } = require('./web-account');
const { articleRoutes } = require('./web-articles');

function webRouter(context) {
  const router = createRouter();
  router.use(sessions(context.sessionStore, context.secretKey));
  router.use(forms());
  router.use(pageContext(context.users));
  accountRoutes(router, context);
  articleRoutes(router, context);
  router.use(pageErrors);
  return router;
}

module.exports = { webRouter };
