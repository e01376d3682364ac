'use strict';
/** Profiles and follows (endpoints 5-7). Path segments arrive percent-decoded from Express. */
const { createRouter } = require('./router');
const { methodNotAllowed } = require('../middleware/errors');
const { notFound } = require('../api-error');
const serialize = require('../serializers');

function profilesRouter({ users, auth }) {
  const router = createRouter();

  async function findProfile(req) {
    const profile = await users.profile(req.params.username, req.user?.id);
    if (!profile) throw notFound('profile');
    return profile;
  }

  router
    .route('/profiles/:username')
    .get(auth.optional, async (req, res) => {
      res.json(serialize.profile(await findProfile(req)));
    })
    .all(methodNotAllowed);

  router
    .route('/profiles/:username/follow')
    .post(auth.required, async (req, res) => {
      const profile = await findProfile(req);
      await users.follow(req.user.id, profile.id);
      res.json(serialize.profile({ ...profile, following: true }));
    })
    .delete(auth.required, async (req, res) => {
      const profile = await findProfile(req);
      await users.unfollow(req.user.id, profile.id);
      res.json(serialize.profile({ ...profile, following: false }));
    })
    .all(methodNotAllowed);

  return router;
}

module.exports = { profilesRouter };
