'use strict';
/** Profiles and follows (endpoints 5-7). Path segments arrive percent-decoded from Express. */
const { createRouter } = require('./router');
const { methodNotAllowed } = require('../middleware/errors');
const { notFound } = require('../api-error');
const serialize = require('../serializers');

function profilesRouter({ users, auth }) {
  const router = createRouter();

  function findProfile(req) {
    const profile = users.profile(req.params.username, req.user?.id);
    if (!profile) throw notFound('profile');
    return profile;
  }

  router
    .route('/profiles/:username')
    .get(auth.optional, (req, res) => {
      res.json(serialize.profile(findProfile(req)));
    })
    .all(methodNotAllowed);

  router
    .route('/profiles/:username/follow')
    .post(auth.required, (req, res) => {
      const profile = findProfile(req);
      users.follow(req.user.id, profile.id);
      res.json(serialize.profile({ ...profile, following: true }));
    })
    .delete(auth.required, (req, res) => {
      const profile = findProfile(req);
      users.unfollow(req.user.id, profile.id);
      res.json(serialize.profile({ ...profile, following: false }));
    })
    .all(methodNotAllowed);

  return router;
}

module.exports = { profilesRouter };
