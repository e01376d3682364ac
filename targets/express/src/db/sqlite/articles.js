'use strict';
/**
 * The articles repository: articles, their tags and favorites.
 *
 * Every read of articles is ONE statement whatever the number of rows: the author's profile comes
 * from a join, tagList, favoritesCount, favorited and following from correlated subqueries that
 * SQLite evaluates inside the same statement. A list request therefore runs exactly two queries
 * (the count and the page), never one per article. Run with SQL_LOG=1 to see them.
 */
const { slugify } = require('../slug');

// The select list every article read shares; @viewer is the reader's user id or NULL.
const ARTICLE_COLUMNS = `
  a.id, a.slug, a.title, a.description, a.created_at, a.updated_at, a.author_id,
  u.username AS author_username, u.bio AS author_bio, u.image AS author_image,
  (SELECT json_group_array(t.tag ORDER BY t.tag) FROM article_tags t WHERE t.article_id = a.id) AS tags,
  (SELECT count(*) FROM favorites f WHERE f.article_id = a.id) AS favorites_count,
  EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = @viewer) AS favorited,
  EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = @viewer AND w.followed_id = a.author_id) AS following`;
const ARTICLE_FROM = 'FROM articles a JOIN users u ON u.id = a.author_id';
const NEWEST_FIRST = 'ORDER BY a.created_at DESC, a.id DESC';

// List filters, each a condition on `a` with its own named parameter. Present filters are ANDed.
const FILTERS = {
  tag: 'a.id IN (SELECT article_id FROM article_tags WHERE tag = @tag)',
  author: 'a.author_id = (SELECT id FROM users WHERE username = @author)',
  favorited: `a.id IN (SELECT f.article_id FROM favorites f JOIN users fu ON fu.id = f.user_id
                       WHERE fu.username = @favorited)`,
  feed: 'a.author_id IN (SELECT followed_id FROM follows WHERE follower_id = @viewer)',
};

function articlesRepository(db) {
  const bySlug = db.prepare(`SELECT ${ARTICLE_COLUMNS}, a.body ${ARTICLE_FROM} WHERE a.slug = @slug`);
  const byId = db.prepare(`SELECT ${ARTICLE_COLUMNS}, a.body ${ARTICLE_FROM} WHERE a.id = @id`);
  const head = db.prepare('SELECT id, author_id, updated_at FROM articles WHERE slug = ?');
  const slugExists = db.prepare('SELECT 1 FROM articles WHERE slug = ?');
  const insert = db.prepare(`
    INSERT INTO articles (slug, title, description, body, author_id, created_at, updated_at)
    VALUES (@slug, @title, @description, @body, @authorId, @now, @now)`);
  const update = db.prepare(`
    UPDATE articles SET
      title       = coalesce(@title, title),
      description = coalesce(@description, description),
      body        = coalesce(@body, body),
      updated_at  = @updatedAt
    WHERE id = @id`);
  const updatedAt = db.prepare('SELECT updated_at FROM articles WHERE id = ?').pluck();
  const insertTag = db.prepare('INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?, ?)');
  const clearTags = db.prepare('DELETE FROM article_tags WHERE article_id = ?');
  const remove = db.prepare('DELETE FROM articles WHERE id = ?'); // cascades to tags, favorites, comments
  const favorite = db.prepare('INSERT OR IGNORE INTO favorites (user_id, article_id) VALUES (?, ?)');
  const unfavorite = db.prepare('DELETE FROM favorites WHERE user_id = ? AND article_id = ?');
  const allTags = db.prepare('SELECT DISTINCT tag FROM article_tags ORDER BY tag').pluck();
  const recent = db.prepare(`
    SELECT a.slug, a.title, u.username, a.created_at ${ARTICLE_FROM} ${NEWEST_FIRST} LIMIT @limit`);

  // One (count, page) statement pair per combination of filters, prepared on first use.
  const listStatements = new Map();
  function listStatementsFor(names) {
    const key = names.join(',');
    let pair = listStatements.get(key);
    if (!pair) {
      const where = names.length ? `WHERE ${names.map((n) => FILTERS[n]).join(' AND ')}` : '';
      pair = {
        count: db.prepare(`SELECT count(*) ${ARTICLE_FROM} ${where}`).pluck(),
        page: db.prepare(`SELECT ${ARTICLE_COLUMNS} ${ARTICLE_FROM} ${where} ${NEWEST_FIRST}
                          LIMIT @limit OFFSET @offset`),
      };
      listStatements.set(key, pair);
    }
    return pair;
  }

  const createTx = db.transaction((authorId, fields, tagList) => {
    let slug = slugify(fields.title);
    // 2^32 suffixes per title: a collision is rare, but it must still never become a 500.
    while (slugExists.get(slug)) slug = slugify(fields.title);
    const { lastInsertRowid: id } = insert.run({ ...fields, slug, authorId, now: Date.now() });
    for (const tag of tagList) insertTag.run(id, tag);
    return id;
  });

  const updateTx = db.transaction((id, fields, tagList) => {
    const previous = updatedAt.get(id);
    if (previous === undefined) return; // deleted since the caller loaded it: the caller's 404
    // updatedAt must move forward even when the clock has not (rulings: strictly later).
    const updated = Math.max(Date.now(), previous + 1); // parity-ruling: 7
    update.run({
      id,
      title: fields.title ?? null,
      description: fields.description ?? null,
      body: fields.body ?? null,
      updatedAt: updated,
    });
    if (tagList !== undefined) {
      clearTags.run(id);
      for (const tag of tagList) insertTag.run(id, tag);
    }
  });

  return {
    /**
     * {rows, count}: `filters` holds any of tag, author, favorited (strings) and feed (true);
     * `viewerId` is the reader (null: anonymous). Rows carry no body.
     */
    list(filters, viewerId, limit, offset) {
      const names = Object.keys(FILTERS).filter((n) => filters[n] !== undefined);
      const params = { viewer: viewerId ?? null };
      for (const n of names) if (n !== 'feed') params[n] = filters[n];
      const { count, page } = listStatementsFor(names);
      return {
        count: count.get(params),
        rows: page.all({ ...params, limit, offset }),
      };
    },
    /** The full article row as seen by `viewerId`, or undefined. */
    findBySlug: (slug, viewerId) => bySlug.get({ slug, viewer: viewerId ?? null }),
    findById: (id, viewerId) => byId.get({ id, viewer: viewerId ?? null }),
    /** {id, author_id, updated_at} for existence and ownership checks, or undefined. */
    head: (slug) => head.get(slug),
    /** Inserts the article and its tags; returns the new id. */
    create: (authorId, fields, tagList) => createTx.immediate(authorId, fields, tagList),
    /** Changes the fields given (undefined keeps), replaces tags unless tagList is undefined. */
    update: (id, fields, tagList) => updateTx.immediate(id, fields, tagList),
    remove: (id) => remove.run(id),
    favorite: (userId, articleId) => favorite.run(userId, articleId),
    unfavorite: (userId, articleId) => unfavorite.run(userId, articleId),
    tags: () => allTags.all(),
    /** {slug, title, username, created_at} of the `limit` newest articles, for the home page. */
    recent: (limit) => recent.all({ limit }),
  };
}

module.exports = { articlesRepository };
