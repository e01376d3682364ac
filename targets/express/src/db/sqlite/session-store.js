'use strict';
/**
 * An express-session Store on the target's own SQLite database (the `sessions` table of
 * db/sqlite/index.js), so that every cluster worker sees every session and a logout deletes the row:
 * the cookie held before it then names nothing (express-session starts a new, signed-out session).
 *
 * Why a small subclass rather than a package: express-session's MemoryStore is per process (a
 * worker would not know a session another worker created) and leaks; the one better-sqlite3 store
 * on npm (better-sqlite3-session-store 0.1.0) is GPL-3.0-only, unreleased since 2020, prepares
 * every statement on every call, creates its table from each worker and cannot turn its timer off;
 * connect-sqlite3 needs the other driver (node-sqlite3) and a second connection per worker.
 * express-session documents the Store interface for exactly this case; get/set/destroy are three
 * prepared statements on the worker's one connection.
 *
 * No `touch`: express-session would call it on every request of a signed-in session, a write per
 * page view. A session therefore lives until its cookie's expiry (SESSION_MAX_AGE_MS after it was
 * created or last changed), and that expiry is stored with the row, so the row and the cookie
 * expire together. Expired rows are never read (get checks the time) and are pruned every
 * PRUNE_INTERVAL_MS.
 */
const { Store } = require('express-session');

const PRUNE_INTERVAL_MS = 15 * 60 * 1000;
const DEFAULT_LIFETIME_MS = 24 * 60 * 60 * 1000; // a session whose cookie has no expiry (none here)

/** When the row of session `sess` expires: with its cookie (milliseconds since the epoch). */
const expiresAt = (sess) =>
  sess.cookie?.expires ? new Date(sess.cookie.expires).getTime() : Date.now() + DEFAULT_LIFETIME_MS;

class SqliteSessionStore extends Store {
  constructor(db) {
    super();
    this.statements = {
      get: db.prepare('SELECT sess FROM sessions WHERE sid = ? AND expires > ?').pluck(),
      set: db.prepare('INSERT OR REPLACE INTO sessions (sid, sess, expires) VALUES (?, ?, ?)'),
      destroy: db.prepare('DELETE FROM sessions WHERE sid = ?'),
      prune: db.prepare('DELETE FROM sessions WHERE expires <= ?'),
    };
    // unref: the timer never keeps a stopping worker alive.
    setInterval(() => this.prune(), PRUNE_INTERVAL_MS).unref();
  }

  get(sid, callback) {
    let sess;
    try {
      const json = this.statements.get.get(sid, Date.now());
      sess = json === undefined ? null : JSON.parse(json);
    } catch (err) {
      return callback(err);
    }
    callback(null, sess);
  }

  set(sid, sess, callback) {
    try {
      this.statements.set.run(sid, JSON.stringify(sess), expiresAt(sess));
    } catch (err) {
      return callback?.(err);
    }
    callback?.(null);
  }

  destroy(sid, callback) {
    try {
      this.statements.destroy.run(sid);
    } catch (err) {
      return callback?.(err);
    }
    callback?.(null);
  }

  prune() {
    try {
      this.statements.prune.run(Date.now());
    } catch (err) {
      console.error('express: pruning expired sessions:', err.message);
    }
  }
}

module.exports = { SqliteSessionStore, PRUNE_INTERVAL_MS, expiresAt };
