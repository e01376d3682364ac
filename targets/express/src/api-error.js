'use strict';
/**
 * ApiError: an error that is also the contract's answer, `{"errors": {key: [message, ...]}}` with
 * its status (and extra headers, e.g. Allow). Handlers throw these (Express 5 forwards rejected
 * promises and synchronous throws to the error handler), and middleware/errors.js renders them.
 * The helpers below name every answer of the contract so that no message is spelled twice.
 */
class ApiError extends Error {
  constructor(status, errors, headers = undefined) {
    super(`${status} ${JSON.stringify(errors)}`);
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors;
    this.headers = headers;
  }
}

const one = (status, key, message) => new ApiError(status, { [key]: [message] });

module.exports = {
  ApiError,
  routeNotFound: () => one(404, 'route', 'not found'),
  methodNotAllowed: (allow) => new ApiError(405, { method: ['not allowed'] }, { Allow: allow }),
  bodyTooLarge: () => one(413, 'body', 'is too large'),
  bodyInvalid: () => one(422, 'body', 'is invalid'),
  tokenMissing: () => one(401, 'token', 'is missing'),
  tokenInvalid: () => one(401, 'token', 'is invalid'),
  credentialsInvalid: () => one(401, 'credentials', 'invalid'),
  notFound: (what) => one(404, what, 'not found'), // what: article, comment, profile
  forbidden: (what) => one(403, what, 'forbidden'), // what: article, comment
  taken: (fields) => new ApiError(409, Object.fromEntries(fields.map((f) => [f, ['has already been taken']]))),
  invalidFields: (errors) => new ApiError(422, errors),
};
