'use strict';
/**
 * The comments repository on PostgreSQL: the methods and row shapes of db/sqlite/comments.js.
 * A comment is inserted and read back in one statement (a data-modifying CTE); posting on an
 * article deleted meanwhile is foreign_key_violation, answered as no comment (the route's 404).
 */
const { FOREIGN_KEY_VIOLATION } = require('./sqlstate');

const COMMENT_COLUMNS = `
  c.id, c.body, c.created_at, c.author_id,
  u.username AS author_username, u.bio AS author_bio, u.image AS author_image,
  EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = $1 AND w.followed_id = c.author_id) AS following`;
const LIST = `
  SELECT ${COMMENT_COLUMNS} FROM comments c JOIN users u ON u.id = c.author_id
  WHERE c.article_id = $2 ORDER BY c.id`;
// $1 is the author (and the viewer: the comment as its author sees it).
const CREATE = `
  WITH c AS (
    INSERT INTO comments (article_id, author_id, body, created_at) VALUES ($2, $1, $3, $4)
    RETURNING id, body, created_at, author_id
  )
  SELECT ${COMMENT_COLUMNS} FROM c JOIN users u ON u.id = c.author_id`;

function commentsRepository({ query }) {
  return {
    list: (articleId, viewerId) => query(LIST, [viewerId ?? null, articleId]),
    /** Inserts the comment and returns it as its author sees it (undefined: no such article). */
    async create(articleId, authorId, body) {
      try {
        const [row] = await query(CREATE, [authorId, articleId, body, new Date()]);
        return row;
      } catch (err) {
        if (err.code === FOREIGN_KEY_VIOLATION) return undefined;
        throw err;
      }
    },
    /** {id, author_id} of comment `id` when it belongs to article `articleId`, else undefined. */
    head: async (id, articleId) =>
      (await query('SELECT id, author_id FROM comments WHERE id = $1 AND article_id = $2', [id, articleId]))[0],
    remove: (id) => query('DELETE FROM comments WHERE id = $1', [id]),
  };
}

module.exports = { commentsRepository };
