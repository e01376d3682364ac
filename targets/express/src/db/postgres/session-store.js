'use strict';
/**
 * The express-session Store on PostgreSQL: db/sqlite/session-store.js's table shape and rules
 * (see there: why a subclass of our own, no `touch`, expiry stored with the row, pruning), with
 * INSERT ... ON CONFLICT for the upsert. connect-pg-simple would do, but it brings its own table
 * shape and timer and a second pool per worker; this one shares the worker's pool.
 */
const { Store } = require('express-session');
const { PRUNE_INTERVAL_MS, expiresAt } = require('../sqlite/session-store');

const GET = 'SELECT sess FROM sessions WHERE sid = $1 AND expires > $2';
const SET = `
  INSERT INTO sessions (sid, sess, expires) VALUES ($1, $2, $3)
  ON CONFLICT (sid) DO UPDATE SET sess = excluded.sess, expires = excluded.expires`;

class PgSessionStore extends Store {
  constructor({ query }) {
    super();
    this.query = query;
    setInterval(() => this.prune(), PRUNE_INTERVAL_MS).unref(); // never keeps a worker alive
  }

  get(sid, callback) {
    this.query(GET, [sid, Date.now()]).then(
      (rows) => {
        let sess = null;
        try {
          if (rows.length) sess = JSON.parse(rows[0].sess);
        } catch (err) {
          return callback(err);
        }
        callback(null, sess);
      },
      (err) => callback(err),
    );
  }

  set(sid, sess, callback) {
    this.query(SET, [sid, JSON.stringify(sess), expiresAt(sess)]).then(
      () => callback?.(null),
      (err) => callback?.(err),
    );
  }

  destroy(sid, callback) {
    this.query('DELETE FROM sessions WHERE sid = $1', [sid]).then(
      () => callback?.(null),
      (err) => callback?.(err),
    );
  }

  prune() {
    this.query('DELETE FROM sessions WHERE expires <= $1', [Date.now()]).catch((err) =>
      console.error('express: pruning expired sessions:', err.message),
    );
  }
}

module.exports = { PgSessionStore };
