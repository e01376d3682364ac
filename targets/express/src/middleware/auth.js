'use strict';
/**
 * Authentication: `Authorization: Token <jwt>` or `Bearer <jwt>`, JWT HS256 signed with
 * SECRET_KEY, subject = user id as a decimal string, 60-day expiry (jsonwebtoken does the
 * signature, algorithm and expiry checks).
 *
 * A header that is present but malformed, a bad or expired token, or a token whose user no
 * longer exists is 401 "token is invalid" on required AND optional routes; a missing header is
 * 401 "token is missing" on required routes and anonymous on optional ones. On success
 * `req.user` is the user's row and `req.token` the token sent.
 */
const jwt = require('jsonwebtoken');
const { tokenInvalid, tokenMissing } = require('../api-error');

const TOKEN_LIFETIME = '60d';
const SCHEME = /^(?:Token|Bearer) ([^\s]+)$/;
const USER_ID = /^[0-9]{1,15}$/; // decimal, and small enough to be an exact JS number

/**
 * What jsonwebtoken leaves to its caller (the other targets' PyJWT checks these too): `exp` is
 * required (rulings §6); a `crit` header names extensions we do not implement (RFC 7515 4.1.11);
 * an `aud` claim names an audience this server does not identify with (RFC 7519 4.1.3); an `iat`
 * in the future was not issued by this server; `sub` is a user id as a decimal string.
 */
function acceptable(header, claims) {
// parity-ruling: begin 6 crit, aud, non-numeric exp and future iat refused
  if (header.crit !== undefined || claims.aud !== undefined) return false;
  if (typeof claims.exp !== 'number') return false;
  if (claims.iat !== undefined && !(typeof claims.iat === 'number' && claims.iat <= Date.now() / 1000)) return false;
// parity-ruling: end
  return typeof claims.sub === 'string' && USER_ID.test(claims.sub);
}

function authentication(users, secretKey) {
  async function identify(req) {
    const header = req.headers.authorization;
    if (header === undefined) return null;
    const match = SCHEME.exec(header);
    if (!match) throw tokenInvalid();
    let decoded;
    try {
      decoded = jwt.verify(match[1], secretKey, { algorithms: ['HS256'], complete: true });
    } catch {
      throw tokenInvalid();
    }
    const claims = decoded.payload;
    if (!acceptable(decoded.header, claims)) throw tokenInvalid();
    const user = await users.findById(Number(claims.sub));
    if (!user) throw tokenInvalid();
    return { user, token: match[1] };
  }

  return {
    async required(req, res, next) {
      const found = await identify(req);
      if (!found) throw tokenMissing();
      req.user = found.user;
      req.token = found.token;
      next();
    },
    async optional(req, res, next) {
      const found = await identify(req);
      req.user = found ? found.user : null;
      req.token = found ? found.token : null;
      next();
    },
    /** A fresh token for `user`: {sub, iat, exp}. */
    issue: (user) => jwt.sign({}, secretKey, { algorithm: 'HS256', subject: String(user.id), expiresIn: TOKEN_LIFETIME }),
  };
}

module.exports = { authentication };
