'use strict';
/** Comments on an article (endpoints 14-16). */
const { createRouter } = require('./router');
const { wrapped } = require('../middleware/body');
const { methodNotAllowed } = require('../middleware/errors');
const { articleLoader } = require('../middleware/article');
const { forbidden, notFound } = require('../api-error');
const { FieldErrors, requiredString } = require('../validation');
const serialize = require('../serializers');

const COMMENT_ID = /^[0-9]{1,15}$/; // longer ids cannot exist (and would not be exact numbers)

function commentsRouter({ articles, comments, auth }) {
  const router = createRouter();

  const load = articleLoader(articles);

  router
    .route('/articles/:slug/comments')
    .get(auth.optional, load.existing, (req, res) => {
      res.json(serialize.commentList(comments.list(req.article.id, req.user?.id)));
    })
    .post(auth.required, load.existing, wrapped('comment'), (req, res) => {
      const errors = new FieldErrors();
      const body = requiredString(req.payload, 'body', errors);
      errors.throwIfAny();
      res.status(201).json(serialize.comment(comments.create(req.article.id, req.user.id, body)));
    })
    .all(methodNotAllowed);

  router
    .route('/articles/:slug/comments/:id')
    .delete(auth.required, load.existing, (req, res) => {
      const id = req.params.id;
      const comment = COMMENT_ID.test(id) ? comments.head(Number(id), req.article.id) : undefined;
      if (!comment) throw notFound('comment');
      if (comment.author_id !== req.user.id) throw forbidden('comment');
      comments.remove(comment.id);
      res.status(204).end();
    })
    .all(methodNotAllowed);

  return router;
}

module.exports = { commentsRouter };
