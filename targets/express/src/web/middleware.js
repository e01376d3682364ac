'use strict';
/**
 * The web pages' middleware, mounted on the web router only (routes/web.js), never on /api:
 *
 *   session (express-session, rows in the database) -> form bodies (express.urlencoded) -> the signed-in
 *   user and the template locals (user, csrfToken(), flashes()) -> each route: csrf (POST) ->
 *   signedIn -> loading and ownership -> validation
 *
 * so an API response never carries a session cookie, and the pages never read Authorization.
 */
const crypto = require('node:crypto');
const express = require('express');
const session = require('express-session');
const { csrfSync } = require('csrf-sync');
const { BODY_LIMIT } = require('../middleware/body');

const SESSION_COOKIE = 'connect.sid'; // express-session's default name (target.json vars)
const SESSION_MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000; // two weeks, Django's default
const CSRF_FIELD = '_csrf'; // the hidden input of every form (csurf's name, which Express users know)
const CSRF_TOKEN_BYTES = 32;

/**
 * The cookie's signing key, derived from SECRET_KEY (the same in every worker, so any worker
 * accepts any worker's cookie) rather than SECRET_KEY itself, which also signs the API's JWTs.
 */
const sessionSecret = (secretKey) => crypto.createHmac('sha256', secretKey).update('express-session').digest('hex');

/** express-session on `store` (the backend's Store: db/sqlite or db/postgres session-store.js). */
function sessions(store, secretKey) {
  return session({
    name: SESSION_COOKIE,
    secret: sessionSecret(secretKey),
    store,
    resave: false, // the store has no touch: an unchanged session is never written back
    // A visitor's session is stored (and the cookie set) only once something is put in it: the
    // CSRF token of the login or register form, the user, a flash message. GET / for a visitor
    // without a cookie costs no session write.
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', path: '/', secure: false, maxAge: SESSION_MAX_AGE_MS },
  });
}

/**
 * The synchronizer token pattern (csrf-sync): one token per session, stored in the session, sent
 * back in the `_csrf` field of every form. A missing token, a wrong one or another session's is
 * csrf-sync's 403 error (code EBADCSRFTOKEN), which web/errors.js renders as the Forbidden page.
 */
const csrf = csrfSync({
  getTokenFromRequest: (req) => req.form?.[CSRF_FIELD],
  size: CSRF_TOKEN_BYTES,
});

/**
 * Form bodies: express.urlencoded (querystring, no nested objects) up to the API's body limit.
 * `req.form` is the posted form, or an empty one for any other Content-Type (a JSON body is the
 * API's business, and is never taken for a form).
 */
function forms() {
  return [
    express.urlencoded({ extended: false, limit: BODY_LIMIT }),
    (req, res, next) => {
      req.form = req.is('urlencoded') && req.body ? req.body : Object.create(null);
      next();
    },
  ];
}

/**
 * Flash messages (connect-flash's idea in a few lines; connect-flash itself is unmaintained):
 * `req.flash(text)` keeps a message in the session; the next page rendered shows it and drops it.
 */
function takeFlashes(req) {
  const messages = req.session.flash;
  if (!messages) return [];
  delete req.session.flash;
  return messages;
}

/**
 * The signed-in user (req.user, from the session's userId) and what every template's layout
 * needs: `user`, `csrfToken()` (created in the session on first use: a page without a form
 * creates no session) and `flashes()`.
 */
function pageContext(users) {
  return async (req, res, next) => {
    const id = req.session.userId;
    req.user = (id !== undefined && (await users.findById(id))) || null;
    req.flash = (text) => (req.session.flash ??= []).push(text);
    res.locals.user = req.user;
    res.locals.csrfField = CSRF_FIELD;
    res.locals.csrfToken = () => csrf.generateToken(req);
    res.locals.flashes = () => takeFlashes(req);
    next();
  };
}

/**
 * 303 See Other to `url`, with a small HTML body (views/redirect.ejs, no layout: it must not take
 * the flash messages meant for the next page). Every answer of the pages is text/html, but
 * res.redirect negotiates its body on Accept and picks text/plain for a client that sends no
 * Accept header, or one that takes any type.
 */
function seeOther(res, url) {
  res.status(303).location(url).render('redirect', { url });
}

/**
 * Signed-in routes: a signed-out GET goes to the login page with `next` (the page asked for), a
 * signed-out POST (its CSRF token already checked) to the login page without it.
 */
function signedIn(req, res, next) {
  if (req.user) return next();
  const reading = req.method === 'GET' || req.method === 'HEAD';
  seeOther(res, reading ? `/login?next=${encodeURIComponent(req.originalUrl)}` : '/login');
}

// One "/" then anything but "/" or "\" (a second one makes "//host" or "/\host", which browsers
// take for another host), and no control character or space (browsers drop a tab or newline,
// turning "/\t/host" into "//host"). A scheme ("https:") cannot come first after a leading "/".
const LOCAL_PATH = /^\/(?![/\\])[^\\\x00-\x20\x7f]*$/;

/** `next` when it is a local path of this site, else "/" (no open redirect). */
const safeNext = (next) => (typeof next === 'string' && LOCAL_PATH.test(next) ? next : '/');

/**
 * Signs `user` in: a new session id (express-session's regenerate: the visitor's old session row
 * is destroyed, so a fixed or stolen pre-login cookie is worth nothing, and the CSRF token is new).
 */
async function signIn(req, user) {
  await new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
  req.session.userId = user.id;
  req.flash('Signed in.');
}

/**
 * Signs out: regenerate destroys the session's row in the store (req.session.destroy) and starts
 * an empty one for the "Signed out." message. The cookie held before is now worth nothing.
 */
async function signOut(req) {
  await new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
  req.flash('Signed out.');
}

module.exports = {
  SESSION_COOKIE,
  sessions,
  csrfProtection: csrf.csrfSynchronisedProtection,
  forms,
  pageContext,
  signedIn,
  seeOther,
  safeNext,
  signIn,
  signOut,
};
