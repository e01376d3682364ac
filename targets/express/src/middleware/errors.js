'use strict';
/**
 * The last handlers of the app: 405 for a known path with another method (mounted on each route
 * with `.all(methodNotAllowed)`), 404 for every unknown path, and the error handler that renders
 * ApiErrors as the contract's JSON. Express's own HTML error pages never reach a client.
 */
const { ApiError, methodNotAllowed: notAllowed, routeNotFound } = require('../api-error');

/** Route handler for the methods a route does not define: 405 with its methods in Allow. */
function methodNotAllowed(req, res, next) {
  const methods = Object.keys(req.route.methods).filter((m) => m !== '_all');
  if (methods.includes('get') && !methods.includes('head')) methods.push('head');
  next(notAllowed(methods.map((m) => m.toUpperCase()).join(', ')));
}

function notFound(req, res, next) {
  next(routeNotFound());
}

// eslint-disable-next-line no-unused-vars -- Express recognises error handlers by their arity
function errorHandler(err, req, res, next) {
  if (res.headersSent) return next(err); // Express closes the connection
  let apiError = err;
  if (!(err instanceof ApiError)) {
    if (err instanceof URIError && err.status === 400) {
      // A path parameter that is not valid percent-encoding ("/api/profiles/%zz") names nothing.
      apiError = routeNotFound();
    } else {
      console.error(`express: ${req.method} ${req.path}:`, err);
      apiError = new ApiError(500, { server: ['internal error'] });
    }
  }
  if (apiError.headers) res.set(apiError.headers);
  res.status(apiError.status).json({ errors: apiError.errors });
}

module.exports = { methodNotAllowed, notFound, errorHandler };
