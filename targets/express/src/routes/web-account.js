'use strict';
/** Registration, sign-in and sign-out pages. */
const bcrypt = require('bcrypt');
const { methodNotAllowed } = require('../middleware/errors');
const { csrfProtection, seeOther, signedIn, safeNext, signIn, signOut } = require('../web/middleware');
const { registerForm, loginForm, submitted, takenLines } = require('../web/forms');
const { BCRYPT_COST } = require('./users');

const CREDENTIALS_INVALID = 'email or password is invalid';

function accountRoutes(router, { users }) {
  router
    .route('/register')
    .get((req, res) => {
      res.render('register', { values: {}, errors: [] });
    })
    .post(csrfProtection, async (req, res) => {
      const { values, errors } = registerForm(req.form);
      const again = (lines) =>
        res.status(422).render('register', { values: submitted(req.form, ['username', 'email']), errors: lines });
      if (errors.length) return again(errors);
      const passwordHash = await bcrypt.hash(values.password, BCRYPT_COST);
      const result = await users.create({ username: values.username, email: values.email, passwordHash });
      if (result.taken) return again(takenLines(result.taken));
      await signIn(req, result.user);
      seeOther(res, '/');
    })
    .all(methodNotAllowed);

  router
    .route('/login')
    .get((req, res) => {
      const next = safeNext(req.query.next);
      res.render('login', { values: {}, errors: [], next: next === '/' ? null : next });
    })
    .post(csrfProtection, async (req, res) => {
      // `next` travels in a hidden field of the form (GET /login?next= put it there).
      const next = safeNext(typeof req.form.next === 'string' ? req.form.next : req.query.next);
      const { values, errors } = loginForm(req.form);
      const again = (lines) =>
        res
          .status(422)
          .render('login', { values: submitted(req.form, ['email']), errors: lines, next: next === '/' ? null : next });
      if (errors.length) return again(errors);
      const user = await users.findByEmail(values.email);
      // bcrypt.compare runs on libuv's thread pool: a login never blocks the event loop.
      if (!user || !(await bcrypt.compare(values.password, user.password_hash))) return again([CREDENTIALS_INVALID]);
      await signIn(req, user);
      seeOther(res, next);
    })
    .all(methodNotAllowed);

  router
    .route('/logout')
    .post(csrfProtection, signedIn, async (req, res) => {
      await signOut(req);
      seeOther(res, '/');
    })
    .all(methodNotAllowed);
}

module.exports = { accountRoutes };
