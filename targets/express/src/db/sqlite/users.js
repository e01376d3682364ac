'use strict';
/**
 * The users repository: accounts, profiles and follows, as prepared statements on one connection.
 * Rows come back as plain objects with the database's column names; serializers.js shapes them.
 */

function usersRepository(db) {
  const byId = db.prepare('SELECT * FROM users WHERE id = ?');
  const byEmail = db.prepare('SELECT * FROM users WHERE email = ?');
  const usernameTaken = db.prepare('SELECT 1 FROM users WHERE username = @username AND id IS NOT @id');
  const emailTaken = db.prepare('SELECT 1 FROM users WHERE email = @email AND id IS NOT @id');
  const insert = db.prepare(
    'INSERT INTO users (username, email, password_hash) VALUES (@username, @email, @passwordHash)',
  );
  const update = db.prepare(`
    UPDATE users SET
      username      = CASE WHEN @setUsername THEN @username ELSE username END,
      email         = CASE WHEN @setEmail THEN @email ELSE email END,
      password_hash = CASE WHEN @setPassword THEN @passwordHash ELSE password_hash END,
      bio           = CASE WHEN @setBio THEN @bio ELSE bio END,
      image         = CASE WHEN @setImage THEN @image ELSE image END
    WHERE id = @id`);
  const profile = db.prepare(`
    SELECT u.id, u.username, u.bio, u.image,
           EXISTS (SELECT 1 FROM follows WHERE follower_id = @viewer AND followed_id = u.id) AS following
    FROM users u WHERE u.username = @username`);
  const follow = db.prepare('INSERT OR IGNORE INTO follows (follower_id, followed_id) VALUES (?, ?)');
  const unfollow = db.prepare('DELETE FROM follows WHERE follower_id = ? AND followed_id = ?');

  /** The fields of `fields` ({username?, email?}) that belong to a user other than `id`. */
  function takenFields(fields, id) {
    const taken = [];
    if (fields.username !== undefined && usernameTaken.get({ username: fields.username, id })) taken.push('username');
    if (fields.email !== undefined && emailTaken.get({ email: fields.email, id })) taken.push('email');
    return taken;
  }

  // BEGIN IMMEDIATE: the uniqueness check and the write must see the same database, or two
  // workers registering the same name at once would turn the loser's 409 into a constraint error.
  const createTx = db.transaction((fields) => {
    const taken = takenFields(fields, null);
    if (taken.length) return { taken };
    const { lastInsertRowid } = insert.run(fields);
    return { user: byId.get(lastInsertRowid) };
  });

  const updateTx = db.transaction((id, changes) => {
    const taken = takenFields(changes, id);
    if (taken.length) return { taken };
    update.run({
      id,
      setUsername: +(changes.username !== undefined),
      username: changes.username ?? null,
      setEmail: +(changes.email !== undefined),
      email: changes.email ?? null,
      setPassword: +(changes.passwordHash !== undefined),
      passwordHash: changes.passwordHash ?? null,
      setBio: +(changes.bio !== undefined),
      bio: changes.bio ?? null,
      setImage: +(changes.image !== undefined),
      image: changes.image ?? null,
    });
    return { user: byId.get(id) };
  });

  return {
    findById: (id) => byId.get(id),
    findByEmail: (email) => byEmail.get(email),
    /** {user} or {taken: ['username', 'email']}. */
    create: (fields) => createTx.immediate(fields),
    /** Changes only the keys present in `changes`; {user} or {taken: [...]}. */
    update: (id, changes) => updateTx.immediate(id, changes),
    /** {id, username, bio, image, following} as seen by `viewerId` (null: anonymous), or undefined. */
    profile: (username, viewerId) => profile.get({ username, viewer: viewerId ?? null }),
    follow: (followerId, followedId) => follow.run(followerId, followedId),
    unfollow: (followerId, followedId) => unfollow.run(followerId, followedId),
  };
}

module.exports = { usersRepository };
