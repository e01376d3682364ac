'use strict';
/** Users and authentication: login, registration, the current user (endpoints 1-4). */
const bcrypt = require('bcrypt');
const { createRouter } = require('./router');
const { wrapped } = require('../middleware/body');
const { methodNotAllowed } = require('../middleware/errors');
const { credentialsInvalid, taken } = require('../api-error');
const { FieldErrors, requiredString, changedString, nullableString, newPassword } = require('../validation');
const serialize = require('../serializers');

const BCRYPT_COST = 10;

function usersRouter({ users, auth }) {
  const router = createRouter();

  router
    .route('/users/login')
    .post(wrapped('user'), async (req, res) => {
      const errors = new FieldErrors();
      const email = requiredString(req.payload, 'email', errors);
      const password = requiredString(req.payload, 'password', errors);
      errors.throwIfAny();
      const user = await users.findByEmail(email);
      // bcrypt.compare runs on libuv's thread pool: a login never blocks the event loop.
      if (!user || !(await bcrypt.compare(password, user.password_hash))) throw credentialsInvalid();
      res.json(serialize.user(user, auth.issue(user)));
    })
    .all(methodNotAllowed);

  router
    .route('/users')
    .post(wrapped('user'), async (req, res) => {
      const errors = new FieldErrors();
      const username = requiredString(req.payload, 'username', errors);
      const email = requiredString(req.payload, 'email', errors);
      const password = requiredString(req.payload, 'password', errors);
      errors.throwIfAny();
      const passwordHash = await bcrypt.hash(password, BCRYPT_COST);
      const result = await users.create({ username, email, passwordHash });
      if (result.taken) throw taken(result.taken);
      res.status(201).json(serialize.user(result.user, auth.issue(result.user)));
    })
    .all(methodNotAllowed);

  router
    .route('/user')
    .get(auth.required, (req, res) => {
      res.json(serialize.user(req.user, req.token));
    })
    .put(auth.required, wrapped('user'), async (req, res) => {
      const errors = new FieldErrors();
      const changes = {
        email: changedString(req.payload, 'email', errors),
        username: changedString(req.payload, 'username', errors),
        bio: nullableString(req.payload, 'bio', errors),
        image: nullableString(req.payload, 'image', errors),
      };
      const password = newPassword(req.payload, 'password', errors);
      errors.throwIfAny();
      if (password !== undefined) changes.passwordHash = await bcrypt.hash(password, BCRYPT_COST);
      const result = await users.update(req.user.id, changes);
      if (result.taken) throw taken(result.taken);
      res.json(serialize.user(result.user, auth.issue(result.user)));
    })
    .all(methodNotAllowed);

  return router;
}

module.exports = { usersRouter, BCRYPT_COST };
