'use strict';
/**
 * Errors of the web pages, answered as HTML pages (views/error.ejs) by the web router's own error
 * handler: PageError (404 unknown article or comment, 403 not the author), csrf-sync's 403, the
 * form parser's 4xx (413 form too large, 415 unsupported charset) and anything unexpected (500).
 * An ApiError (405 from a route's `.all(methodNotAllowed)`) goes on to the app's JSON handler, the
 * same 405 answer as on every other path.
 */
const http = require('node:http');
const { ApiError } = require('../api-error');

class PageError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'PageError';
    this.status = status;
  }
}

const pageNotFound = () => new PageError(404, 'There is no such page.');
const pageForbidden = () => new PageError(403, 'Only its author can do that.');

const CSRF_MESSAGE = 'The form was not sent by this site, or has expired: reload the page and try again.';

// eslint-disable-next-line no-unused-vars -- Express recognises error handlers by their arity
function pageErrors(err, req, res, next) {
  if (err instanceof ApiError || res.headersSent) return next(err);
  let status = 500;
  let message = 'Something went wrong on our side.';
  if (err instanceof PageError) {
    ({ status, message } = err);
  } else if (err.code === 'EBADCSRFTOKEN') {
    status = 403;
    message = CSRF_MESSAGE;
  } else if (Number.isInteger(err.status) && err.status >= 400 && err.status < 500) {
    status = err.status; // the form parser's http-errors: 413 too large, 415 charset, 400
    message = 'The form could not be read.';
  } else {
    console.error(`express: ${req.method} ${req.path}:`, err);
  }
  // An error before the page context was set (an unreadable form): a signed-out layout.
  res.locals.user ??= null;
  res.locals.flashes ??= () => [];
  res.status(status).render('error', { title: http.STATUS_CODES[status], heading: http.STATUS_CODES[status], message });
}

module.exports = { PageError, pageNotFound, pageForbidden, pageErrors };
