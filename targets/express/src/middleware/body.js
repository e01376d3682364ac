'use strict';
/**
 * JSON request bodies, the contract's way.
 *
 * express.json() runs for EVERY request, before routing, because a body over 1 MiB must be 413
 * before anything else (rulings §1). It parses whatever the Content-Type says (rulings §2: the
 * `type` option accepts all), rejects invalid UTF-8 through `verify` (body-parser would otherwise
 * decode it to U+FFFD), and caps the body at exactly 1 MiB: 1048576 bytes pass, one more is 413,
 * whether announced by Content-Length or reached while reading a chunked body.
 *
 * Every other body-parser failure (entity.parse.failed, entity.verify.failed,
 * charset.unsupported, encoding.unsupported, ...) is NOT answered here: 404, 405, 401, 404, 403
 * come first, so the failure is remembered on the request and `wrapped(key)`, placed in each route
 * after its auth and existence checks, turns it into 422 {"errors":{"body":["is invalid"]}}.
 */
const { isUtf8 } = require('node:buffer');
const express = require('express');
const { bodyTooLarge, bodyInvalid } = require('../api-error');

const BODY_LIMIT = 1048576; // 1 MiB, the contract's limit (exactly 1 MiB is accepted)

const INVALID_UTF8 = 'body is not valid UTF-8';

function parseJsonBody() {
  const parse = express.json({
    limit: BODY_LIMIT,
    type: () => true,
    strict: true, // only objects and arrays; the wrapper check below wants an object anyway
    verify(req, res, buf) {
      if (!isUtf8(buf)) throw new Error(INVALID_UTF8);
    },
  });

  function deferParseErrors(err, req, res, next) {
    if (err.type === 'entity.too.large') return next(bodyTooLarge());
    // Any other client error of the parser (4xx: bad JSON, bad UTF-8, unsupported charset or
    // Content-Encoding, a corrupt gzip stream, ...) is an invalid body, judged later.
    if (err.status >= 400 && err.status < 500) {
      req.bodyError = err;
      return next();
    }
    return next(err);
  }

  return [parse, deferParseErrors];
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
