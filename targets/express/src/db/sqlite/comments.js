'use strict';
/**
 * The comments repository. Listing is one statement (author profile by join, `following` by a
 * correlated subquery), oldest first.
 */

const COMMENT_COLUMNS = `
  c.id, c.body, c.created_at, c.author_id,
  u.username AS author_username, u.bio AS author_bio, u.image AS author_image,
  EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = @viewer AND w.followed_id = c.author_id) AS following`;
const COMMENT_FROM = 'FROM comments c JOIN users u ON u.id = c.author_id';

function commentsRepository(db) {
  const list = db.prepare(`SELECT ${COMMENT_COLUMNS} ${COMMENT_FROM} WHERE c.article_id = @articleId ORDER BY c.id`);
  const byId = db.prepare(`SELECT ${COMMENT_COLUMNS} ${COMMENT_FROM} WHERE c.id = @id`);
  const head = db.prepare('SELECT id, author_id FROM comments WHERE id = ? AND article_id = ?');
  const insert = db.prepare(`
    INSERT INTO comments (article_id, author_id, body, created_at) VALUES (@articleId, @authorId, @body, @now)`);
  const remove = db.prepare('DELETE FROM comments WHERE id = ?');

  return {
    list: (articleId, viewerId) => list.all({ articleId, viewer: viewerId ?? null }),
    /** Inserts the comment and returns it as its author sees it (undefined: no such article). */
    create(articleId, authorId, body) {
      let id;
      try {
        ({ lastInsertRowid: id } = insert.run({ articleId, authorId, body, now: Date.now() }));
      } catch (err) {
        // Another worker deleted the article since the caller loaded it.
        if (err.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return undefined;
        throw err;
      }
      return byId.get({ id, viewer: authorId });
    },
    /** {id, author_id} of comment `id` when it belongs to article `articleId`, else undefined. */
    head: (id, articleId) => head.get(id, articleId),
    remove: (id) => remove.run(id),
  };
}

module.exports = { commentsRepository };
