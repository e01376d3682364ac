'use strict';
/** Comments on an article (endpoints 14-16). */
const { createRouter } = require('./router');
const { wrapped } = require('../middleware/body');
const { methodNotAllowed } = require('../middleware/errors');
const { articleLoader } = require('../middleware/article');
const { forbidden, notFound } = require('../api-error');
const { FieldErrors, requiredString } = require('../validation');
const serialize = require('../serializers');

const COMMENT_ID = /^[0-9]{1,15}$/; // longer ids cannot exist (and would not be exact numbers) // parity-ruling: 11

function commentsRouter({ articles, comments, auth }) {
  const router = createRouter();

  const load = articleLoader(articles);

  router
    .route('/articles/:slug/comments')
    .get(auth.optional, load.existing, async (req, res) => {
      res.json(serialize.commentList(await comments.list(req.article.id, req.user?.id)));
    })
    .post(auth.required, load.existing, wrapped('comment'), async (req, res) => {
      const errors = new FieldErrors();
      const body = requiredString(req.payload, 'body', errors);
      errors.throwIfAny();
      const comment = await comments.create(req.article.id, req.user.id, body);
      if (!comment) throw notFound('article'); // deleted since it was loaded
      res.status(201).json(serialize.comment(comment));
    })
    .all(methodNotAllowed);

  router
    .route('/articles/:slug/comments/:id')
    .delete(auth.required, load.existing, async (req, res) => {
      const id = req.params.id;
      // An id that cannot exist is refused here, before it reaches the database as a literal.
      const comment = COMMENT_ID.test(id) ? await comments.head(Number(id), req.article.id) : undefined;
      if (!comment) throw notFound('comment');
      if (comment.author_id !== req.user.id) throw forbidden('comment');
      await comments.remove(comment.id);
      res.status(204).end();
    })
    .all(methodNotAllowed);

  return router;
}

module.exports = { commentsRouter };
