'use strict';
/**
 * JSON request bodies, the contract's way.
 *
 * express.raw() reads the body of EVERY request, before routing, because a body over 1 MiB must be
 * 413 before anything else (rulings §1): 1048576 bytes pass, one more is 413, whether announced by
 * Content-Length (answered before the body arrives) or reached while reading a chunked body. The
 * bytes are then parsed as UTF-8 JSON whatever the Content-Type says (rulings §2).
 *
 * The one exception: an HTML form (application/x-www-form-urlencoded) posted outside /api is left
 * unread for the web pages' own parser (express.urlencoded in routes/web, with its own limit).
 *
 * Every other failure (invalid UTF-8 or JSON, a byte order mark, U+0000 or a lone surrogate in a
 * string, an unsupported Content-Encoding, ...) is NOT answered here: 404, 405, 401, 404, 403
 * come first, so the failure is remembered on the request and `wrapped(key)`, placed in each route
 * after its auth and existence checks, turns it into 422 {"errors":{"body":["is invalid"]}}.
 */
const { isUtf8 } = require('node:buffer');
const express = require('express');
const { bodyTooLarge, bodyInvalid } = require('../api-error');

const BODY_LIMIT = 1048576; // 1 MiB, the contract's limit (exactly 1 MiB is accepted)

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]); // parity-ruling: 2

/**
 * JSON.parse reviver: a string (or key) that holds U+0000 or a lone UTF-16 surrogate
 * ("\ud800") cannot be stored as text: the whole body is invalid (rulings §2).
 */
// parity-ruling: begin 2 \u0000 and lone surrogates refused
function rejectUnstorable(key, value) {
  if (!key.isWellFormed() || key.includes('\0')) throw new SyntaxError('unstorable key');
  if (typeof value === 'string' && (!value.isWellFormed() || value.includes('\0'))) {
    throw new SyntaxError('unstorable string');
  }
  return value;
}
// parity-ruling: end

/**
 * The body's bytes as JSON, or throws. Bytes are always UTF-8 JSON whatever the Content-Type and
 * its charset say (rulings §2), so the JSON is parsed here rather than by express.json(), which
 * refuses charsets other than UTF-8 and silently drops a byte order mark.
 */
function decodeJson(buf) {
  if (buf.length === 0 || !isUtf8(buf) || buf.subarray(0, 3).equals(UTF8_BOM)) {
    throw new SyntaxError('empty, not UTF-8, or a byte order mark');
  }
  return JSON.parse(buf.toString('utf8'), rejectUnstorable);
}

const isApiPath = (path) => path === '/api' || path.startsWith('/api/');

/** A form posted to a web page: routes/web.js reads it (the API reads every body as JSON). */
const isWebForm = (req) => !isApiPath(req.path) && Boolean(req.is('urlencoded'));

function parseJsonBody() {
  const read = express.raw({ limit: BODY_LIMIT, type: (req) => !isWebForm(req) });

  /** An announced length over the limit is 413 at once: the body is not awaited (rulings §1). */
// parity-ruling: begin 1 an announced body over the limit is 413 before routing
  function announcedTooLarge(req, res, next) {
    if (isWebForm(req)) return next();
    const length = Number(req.headers['content-length']);
    next(length > BODY_LIMIT ? bodyTooLarge() : undefined);
  }
// parity-ruling: end

  function parse(req, res, next) {
    if (!Buffer.isBuffer(req.body)) return next(); // no body (a GET): req.body stays undefined
    try {
      req.body = decodeJson(req.body);
    } catch {
      req.body = undefined;
      req.bodyError = true;
    }
    next();
  }

  function deferReadErrors(err, req, res, next) {
    if (err.type === 'entity.too.large' || err.status === 413) return next(bodyTooLarge());
    // Any other client error of the reader (unsupported Content-Encoding, a corrupt gzip stream,
    // an aborted body...) is an invalid body, judged later.
    if (err.status >= 400 && err.status < 500) {
      req.bodyError = true;
      return next();
    }
    return next(err);
  }

  return [announcedTooLarge, read, parse, deferReadErrors];
}

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Route middleware: the body must be a JSON object whose `key` ("user", "article", "comment") is
 * an object; it becomes `req.payload`. Anything else is 422 body invalid.
 */
function wrapped(key) {
  return function requireWrappedBody(req, res, next) {
    const body = req.body;
    if (req.bodyError || !isObject(body) || !Object.hasOwn(body, key) || !isObject(body[key])) {
      throw bodyInvalid();
    }
    req.payload = body[key];
    next();
  };
}

module.exports = { parseJsonBody, wrapped, BODY_LIMIT };
