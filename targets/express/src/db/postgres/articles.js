'use strict';
/**
 * The articles repository on PostgreSQL: the methods and row shapes of db/sqlite/articles.js, and
 * the same statements per request (a list is a count and a page, whatever the page size), with
 * `$n` parameters ($1 is always the viewer) and PostgreSQL's spellings: json_agg for the tag
 * list (as JSON text, like SQLite's json_group_array), count(*)::int, ON CONFLICT DO NOTHING.
 *
 * Writes of several statements (an article and its tags) run in one transaction on a client
 * checked out of the pool. Updates take the article's row lock with their UPDATE, so two editors
 * of one article queue up there; updated_at moves at least 1 ms forward in SQL, the same rule
 * as SQLite's (the API's updatedAt is strictly later than the previous one).
 */
const { slugify } = require('../slug');
const { FOREIGN_KEY_VIOLATION } = require('./sqlstate');

const ARTICLE_COLUMNS = `
  a.id, a.slug, a.title, a.description, a.created_at, a.updated_at, a.author_id,
  u.username AS author_username, u.bio AS author_bio, u.image AS author_image,
  coalesce((SELECT json_agg(t.tag ORDER BY t.tag) FROM article_tags t WHERE t.article_id = a.id)::text, '[]')
    AS tags,
  (SELECT count(*)::int FROM favorites f WHERE f.article_id = a.id) AS favorites_count,
  EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = $1) AS favorited,
  EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = $1 AND w.followed_id = a.author_id) AS following`;
const ARTICLE_FROM = 'FROM articles a JOIN users u ON u.id = a.author_id';
const NEWEST_FIRST = 'ORDER BY a.created_at DESC, a.id DESC';

// List filters, each a condition on `a` with one parameter ($N is replaced by its number).
const FILTERS = {
  tag: 'a.id IN (SELECT article_id FROM article_tags WHERE tag = $N)',
  author: 'a.author_id = (SELECT id FROM users WHERE username = $N)',
  favorited: `a.id IN (SELECT f.article_id FROM favorites f JOIN users fu ON fu.id = f.user_id
                       WHERE fu.username = $N)`,
  feed: 'a.author_id IN (SELECT followed_id FROM follows WHERE follower_id = $1)',
};

const BY_SLUG = `SELECT ${ARTICLE_COLUMNS}, a.body ${ARTICLE_FROM} WHERE a.slug = $2`;
const BY_ID = `SELECT ${ARTICLE_COLUMNS}, a.body ${ARTICLE_FROM} WHERE a.id = $2`;
const INSERT = `
  INSERT INTO articles (slug, title, description, body, author_id, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $6)
  ON CONFLICT (slug) DO NOTHING
  RETURNING id`;
const UPDATE = `
  UPDATE articles SET
    title       = coalesce($2, title),
    description = coalesce($3, description),
    body        = coalesce($4, body),
    updated_at  = greatest($5::timestamptz, updated_at + interval '1 millisecond')
  WHERE id = $1
  RETURNING id`;
const INSERT_TAGS = `
  INSERT INTO article_tags (article_id, tag) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`;
const RECENT = `SELECT a.slug, a.title, u.username, a.created_at ${ARTICLE_FROM} ${NEWEST_FIRST} LIMIT $1`;

/**
 * The statement pair for a set of filters. The page's $1 is the viewer and its filters follow; the
 * count names the viewer only for the feed (PostgreSQL refuses a parameter a statement does not
 * use), so its filters start at $1 otherwise. `withViewer` tells list() which parameters to send.
 */
function listStatements(names) {
  const withViewer = names.includes('feed');
  const where = (first) => {
    let n = first - 1;
    const conditions = names.map((name) => FILTERS[name].replace('$N', () => `$${++n}`));
    return { n, sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '' };
  };
  const counted = where(withViewer ? 2 : 1);
  const paged = where(2);
  return {
    withViewer,
    count: `SELECT count(*)::int AS count ${ARTICLE_FROM} ${counted.sql}`,
    page: `SELECT ${ARTICLE_COLUMNS} ${ARTICLE_FROM} ${paged.sql} ${NEWEST_FIRST}
           LIMIT $${paged.n + 1} OFFSET $${paged.n + 2}`,
  };
}

/** A row (or undefined) from a promise of rows. */
const first = async (rows) => (await rows)[0];

function articlesRepository({ query, transaction }) {
  const statements = new Map(); // the SQL texts per combination of filters, built on first use
  function statementsFor(names) {
    const key = names.join(',');
    let pair = statements.get(key);
    if (!pair) statements.set(key, (pair = listStatements(names)));
    return pair;
  }

  return {
    /** {rows, count}: as in db/sqlite/articles.js. */
    async list(filters, viewerId, limit, offset) {
      const names = Object.keys(FILTERS).filter((n) => filters[n] !== undefined);
      const values = names.filter((n) => n !== 'feed').map((n) => filters[n]);
      const { withViewer, count, page } = statementsFor(names);
      const viewer = viewerId ?? null;
      const [counted, rows] = await Promise.all([
        query(count, withViewer ? [viewer, ...values] : values),
        query(page, [viewer, ...values, limit, String(offset)]),
      ]);
      return { count: counted[0].count, rows };
    },
    findBySlug: (slug, viewerId) => first(query(BY_SLUG, [viewerId ?? null, slug])),
    findById: (id, viewerId) => first(query(BY_ID, [viewerId ?? null, id])),
    /** {id, author_id, updated_at} for existence and ownership checks, or undefined. */
    head: (slug) => first(query('SELECT id, author_id, updated_at FROM articles WHERE slug = $1', [slug])),
    /** Inserts the article and its tags (one transaction); returns the new id. */
    create: (authorId, fields, tagList) =>
      transaction(async (q) => {
        const now = new Date();
        let rows;
        // 2^32 suffixes per title: a collision is rare, but it must still never become a 500.
        do {
          const slug = slugify(fields.title);
          rows = await q(INSERT, [slug, fields.title, fields.description, fields.body, authorId, now]);
        } while (!rows.length);
        const { id } = rows[0];
        if (tagList.length) await q(INSERT_TAGS, [id, tagList]);
        return id;
      }),
    /**
     * Changes the fields given (undefined keeps), replaces tags unless tagList is undefined. An
     * article deleted since the caller loaded it updates nothing (the caller then finds no
     * article: 404); once the UPDATE has its row lock, a concurrent delete waits for the COMMIT.
     */
    update: (id, fields, tagList) =>
      transaction(async (q) => {
        const params = [id, fields.title ?? null, fields.description ?? null, fields.body ?? null, new Date()];
        if (!(await q(UPDATE, params)).length) return;
        if (tagList !== undefined) {
          await q('DELETE FROM article_tags WHERE article_id = $1', [id]);
          if (tagList.length) await q(INSERT_TAGS, [id, tagList]);
        }
      }),
    remove: (id) => query('DELETE FROM articles WHERE id = $1', [id]), // cascades
    /** Favorites; an article deleted meanwhile is no error (the caller then finds no article). */
    favorite: (userId, articleId) =>
      query('INSERT INTO favorites (user_id, article_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        userId,
        articleId,
      ]).catch((err) => {
        if (err.code !== FOREIGN_KEY_VIOLATION) throw err;
      }),
    unfavorite: (userId, articleId) =>
      query('DELETE FROM favorites WHERE user_id = $1 AND article_id = $2', [userId, articleId]),
    tags: async () => (await query('SELECT DISTINCT tag FROM article_tags ORDER BY tag')).map((r) => r.tag),
    /** {slug, title, username, created_at} of the `limit` newest articles, for the home page. */
    recent: (limit) => query(RECENT, [limit]),
  };
}

module.exports = { articlesRepository };
