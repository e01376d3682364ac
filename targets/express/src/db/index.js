'use strict';
/**
 * The data-access interface the routes use, and the choice of backend: PostgreSQL (node-postgres,
 * db/postgres/) when DATABASE_URL is set, else SQLite (better-sqlite3, db/sqlite/) on
 * DATABASE_PATH.
 *
 * Both backends build the same object:
 *
 *   { users, articles, comments,   the repositories (same methods, same row shapes)
 *     createSessionStore(),        an express-session Store on the same database
 *     close() }                    a promise
 *
 * Every repository method returns its result OR a promise of it, and every caller awaits it. The
 * SQLite repositories stay synchronous (better-sqlite3: the query runs before the call returns,
 * and awaiting a plain value costs one microtask, no promise allocation in the repository), the
 * PostgreSQL ones return node-postgres's promises. The route handlers are async functions;
 * Express 5 sends a rejected promise to the error handler like a thrown error.
 *
 * createSchema runs once, in the cluster primary before the workers are forked (or in the single
 * process), and is idempotent on both backends.
 */

const usesPostgres = (config) => Boolean(config.databaseUrl);

/** Opens the worker's backend; `options.verbose(sql)` sees every statement (SQL_LOG, X-Query-Count). */
function openBackend(config, options = {}) {
  if (usesPostgres(config)) {
    return require('./postgres').openBackend(config.databaseUrl, {
      ...options,
      poolSize: config.databasePoolSize,
      workers: config.workers,
    });
  }
  return require('./sqlite').openBackend(config.databasePath, options);
}

/** Creates the schema if it is not there (a promise). */
async function createSchema(config) {
  if (usesPostgres(config)) return require('./postgres').createSchema(config.databaseUrl);
  return require('./sqlite').createSchema(config.databasePath);
}

/** Where the data lives, for messages (never the URL's password). */
function describe(config) {
  if (!usesPostgres(config)) return `DATABASE_PATH=${config.databasePath}`;
  try {
    const url = new URL(config.databaseUrl);
    return `PostgreSQL database ${url.pathname.slice(1)} (DATABASE_URL)`;
  } catch {
    return 'DATABASE_URL';
  }
}

module.exports = { openBackend, createSchema, describe, usesPostgres };
