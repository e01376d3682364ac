'use strict';
/** The home page, the editor, the article page and its comments. */
const { methodNotAllowed } = require('../middleware/errors');
const { csrfProtection, seeOther, signedIn } = require('../web/middleware');
const { pageNotFound, pageForbidden } = require('../web/errors');
const { articleForm, commentForm, submitted } = require('../web/forms');
const { isoDate } = require('../serializers');

const HOME_ARTICLES = 20;
const COMMENT_ID = /^[0-9]{1,15}$/; // longer ids cannot exist (and would not be exact numbers)
const EDITOR_FIELDS = ['title', 'description', 'body', 'tags'];

function articleRoutes(router, { articles, comments }) {
  /** :slug names an article (req.article: {id, author_id, updated_at}), else the 404 page. */
  async function loadArticle(req, res, next) {
    req.article = await articles.head(req.params.slug);
    if (!req.article) throw pageNotFound();
    next();
  }

  function authorOnly(req, res, next) {
    if (req.article.author_id !== req.user.id) throw pageForbidden();
    next();
  }

  /**
   * The article page (the article and its comments: two statements); `comment` is the comment
   * form's {body, errors} when it failed (422).
   */
  async function renderArticle(req, res, slug, comment = { body: '', errors: [] }, status = 200) {
    const row = await articles.findBySlug(slug, req.user?.id);
    if (!row) throw pageNotFound();
    const article = {
      slug: row.slug,
      title: row.title,
      description: row.description,
      body: row.body,
      tags: JSON.parse(row.tags),
      author: row.author_username,
      authorId: row.author_id,
      createdAt: isoDate(row.created_at),
    };
    const list = (await comments.list(row.id, req.user?.id))
      .reverse() // the repository lists oldest first (the API's order); the page shows newest first
      .map((c) => ({
        id: c.id,
        body: c.body,
        author: c.author_username,
        authorId: c.author_id,
        createdAt: isoDate(c.created_at),
      }));
    res.status(status).render('article', { title: article.title, article, comments: list, comment });
  }

  router
    .route('/')
    .get(async (req, res) => {
      const rows = await articles.recent(HOME_ARTICLES);
      const list = rows.map((r) => ({
        slug: r.slug,
        title: r.title,
        username: r.username,
        createdAt: isoDate(r.created_at),
      }));
      res.render('index', { articles: list });
    })
    .all(methodNotAllowed);

  router
    .route('/editor')
    .get(signedIn, (req, res) => {
      res.render('editor', { action: '/editor', values: {}, errors: [] });
    })
    .post(csrfProtection, signedIn, async (req, res) => {
      const { values, tags, errors } = articleForm(req.form);
      if (errors.length) {
        const again = submitted(req.form, EDITOR_FIELDS);
        return res.status(422).render('editor', { action: '/editor', values: again, errors });
      }
      const { slug } = await articles.findById(await articles.create(req.user.id, values, tags), req.user.id);
      req.flash('Article published.');
      seeOther(res, `/article/${encodeURIComponent(slug)}`);
    })
    .all(methodNotAllowed);

  router
    .route('/editor/:slug')
    .get(signedIn, loadArticle, authorOnly, async (req, res) => {
      const row = await articles.findById(req.article.id, req.user.id);
      if (!row) throw pageNotFound(); // deleted since it was loaded
      const tags = JSON.parse(row.tags).join(' '); // sorted, as stored
      const values = { title: row.title, description: row.description, body: row.body, tags };
      res.render('editor', { action: `/editor/${encodeURIComponent(row.slug)}`, values, errors: [] });
    })
    .post(csrfProtection, signedIn, loadArticle, authorOnly, async (req, res) => {
      const { values, tags, errors } = articleForm(req.form);
      const slug = req.params.slug;
      if (errors.length) {
        const action = `/editor/${encodeURIComponent(slug)}`;
        return res.status(422).render('editor', { action, values: submitted(req.form, EDITOR_FIELDS), errors });
      }
      await articles.update(req.article.id, values, tags); // the slug never changes (§3)
      req.flash('Article updated.');
      seeOther(res, `/article/${encodeURIComponent(slug)}`);
    })
    .all(methodNotAllowed);

  router
    .route('/article/:slug')
    .get((req, res) => renderArticle(req, res, req.params.slug))
    .all(methodNotAllowed);

  router
    .route('/article/:slug/delete')
    .post(csrfProtection, signedIn, loadArticle, authorOnly, async (req, res) => {
      await articles.remove(req.article.id);
      req.flash('Article deleted.');
      seeOther(res, '/');
    })
    .all(methodNotAllowed);

  router
    .route('/article/:slug/comments')
    .post(csrfProtection, signedIn, loadArticle, async (req, res) => {
      const slug = req.params.slug;
      const { values, errors } = commentForm(req.form);
      if (errors.length) {
        return renderArticle(req, res, slug, { body: submitted(req.form, ['body']).body, errors }, 422);
      }
      const comment = await comments.create(req.article.id, req.user.id, values.body);
      if (!comment) throw pageNotFound(); // the article was deleted since it was loaded
      seeOther(res, `/article/${encodeURIComponent(slug)}#comment-${comment.id}`);
    })
    .all(methodNotAllowed);

  router
    .route('/article/:slug/comments/:id/delete')
    .post(csrfProtection, signedIn, loadArticle, async (req, res) => {
      const id = req.params.id;
      const comment = COMMENT_ID.test(id) ? await comments.head(Number(id), req.article.id) : undefined;
      if (!comment) throw pageNotFound();
      if (comment.author_id !== req.user.id) throw pageForbidden();
      await comments.remove(comment.id);
      seeOther(res, `/article/${encodeURIComponent(req.params.slug)}`);
    })
    .all(methodNotAllowed);
}

module.exports = { articleRoutes };
