'use strict';
/**
 * The users repository on PostgreSQL: the methods and row shapes of db/sqlite/users.js.
 *
 * Uniqueness: the check ("is this username or email someone else's?") gives the 409 its fields;
 * two requests racing for the same name both pass it, and the loser's INSERT or UPDATE then fails
 * with unique_violation, after which the check runs again and now sees the winner's row. So the
 * loser gets the same 409 as a late-comer, and no transaction has to hold a lock across the check.
 */
const { UNIQUE_VIOLATION } = require('./sqlstate');

const TAKEN = `
  SELECT EXISTS (SELECT 1 FROM users WHERE username = $1 AND id IS DISTINCT FROM $3) AS username,
         EXISTS (SELECT 1 FROM users WHERE email = $2 AND id IS DISTINCT FROM $3) AS email`;
const INSERT = 'INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3) RETURNING *';
const UPDATE = `
  UPDATE users SET
    username      = CASE WHEN $2::boolean THEN $3 ELSE username END,
    email         = CASE WHEN $4::boolean THEN $5 ELSE email END,
    password_hash = CASE WHEN $6::boolean THEN $7 ELSE password_hash END,
    bio           = CASE WHEN $8::boolean THEN $9 ELSE bio END,
    image         = CASE WHEN $10::boolean THEN $11 ELSE image END
  WHERE id = $1
  RETURNING *`;
const PROFILE = `
  SELECT u.id, u.username, u.bio, u.image,
         EXISTS (SELECT 1 FROM follows WHERE follower_id = $2 AND followed_id = u.id) AS following
  FROM users u WHERE u.username = $1`;

function usersRepository({ query }) {
  /** The fields of `fields` ({username?, email?}) that belong to a user other than `id`. */
  async function takenFields(fields, id) {
    const [row] = await query(TAKEN, [fields.username ?? null, fields.email ?? null, id]);
    return ['username', 'email'].filter((f) => fields[f] !== undefined && row[f]);
  }

  /** Runs `write` (a promise of rows) unless a field is taken: {user} or {taken}. */
  async function uniqueWrite(fields, id, write) {
    let taken = await takenFields(fields, id);
    if (taken.length) return { taken };
    try {
      const [user] = await write();
      return { user };
    } catch (err) {
      if (err.code !== UNIQUE_VIOLATION) throw err;
      taken = await takenFields(fields, id); // the racing winner's row is committed now
      if (!taken.length) throw err;
      return { taken };
    }
  }

  const first = async (rows) => (await rows)[0];

  return {
    findById: (id) => first(query('SELECT * FROM users WHERE id = $1', [id])),
    findByEmail: (email) => first(query('SELECT * FROM users WHERE email = $1', [email])),
    /** {user} or {taken: ['username', 'email']}. */
    create: (fields) =>
      uniqueWrite(fields, null, () => query(INSERT, [fields.username, fields.email, fields.passwordHash])),
    /** Changes only the keys present in `changes`; {user} or {taken: [...]}. */
    update: (id, changes) =>
      uniqueWrite(changes, id, () =>
        query(UPDATE, [
          id,
          changes.username !== undefined,
          changes.username ?? null,
          changes.email !== undefined,
          changes.email ?? null,
          changes.passwordHash !== undefined,
          changes.passwordHash ?? null,
          changes.bio !== undefined,
          changes.bio ?? null,
          changes.image !== undefined,
          changes.image ?? null,
        ]),
      ),
    /** {id, username, bio, image, following} as seen by `viewerId` (null: anonymous), or undefined. */
    profile: (username, viewerId) => first(query(PROFILE, [username, viewerId ?? null])),
    follow: (followerId, followedId) =>
      query('INSERT INTO follows (follower_id, followed_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
        followerId,
        followedId,
      ]),
    unfollow: (followerId, followedId) =>
      query('DELETE FROM follows WHERE follower_id = $1 AND followed_id = $2', [followerId, followedId]),
  };
}

module.exports = { usersRepository };
