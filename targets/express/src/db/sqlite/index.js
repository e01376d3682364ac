'use strict';
/**
 * SQLite access: opening a connection with the right pragmas, and creating the schema.
 *
 * better-sqlite3 is synchronous, which suits SQLite: a query on a local file is faster than the
 * promise round-trip an async driver would add, and each cluster worker owns one connection, so
 * there is no pool. Concurrency between workers is SQLite's: WAL mode (readers never block the
 * writer), a 5 s busy timeout, and short write transactions (BEGIN IMMEDIATE where a read decides
 * the write, see the repositories).
 */
const Database = require('better-sqlite3');
const { usersRepository } = require('./users');
const { articlesRepository } = require('./articles');
const { commentsRepository } = require('./comments');
const { SqliteSessionStore } = require('./session-store');

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  email         TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  bio           TEXT,
  image         TEXT
);
CREATE TABLE IF NOT EXISTS follows (
  follower_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  followed_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (follower_id, followed_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_follows_followed ON follows(followed_id);

CREATE TABLE IF NOT EXISTS articles (
  id          INTEGER PRIMARY KEY,
  slug        TEXT NOT NULL UNIQUE,
  title       TEXT NOT NULL,
  description TEXT NOT NULL,
  body        TEXT NOT NULL,
  author_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL, -- milliseconds since the epoch, UTC
  updated_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_articles_created ON articles(created_at, id);
CREATE INDEX IF NOT EXISTS ix_articles_author ON articles(author_id);

CREATE TABLE IF NOT EXISTS article_tags (
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  tag        TEXT NOT NULL,
  PRIMARY KEY (article_id, tag)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_article_tags_tag ON article_tags(tag);

CREATE TABLE IF NOT EXISTS favorites (
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, article_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_favorites_article ON favorites(article_id);

CREATE TABLE IF NOT EXISTS comments (
  id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a deleted comment's id stays gone
  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
  author_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  body       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_comments_article ON comments(article_id, id);

-- express-session's store for the web pages (src/web/session-store.js): one row per session,
-- shared by every cluster worker, deleted at logout.
CREATE TABLE IF NOT EXISTS sessions (
  sid     TEXT PRIMARY KEY,
  sess    TEXT NOT NULL,    -- the session as JSON
  expires INTEGER NOT NULL  -- milliseconds since the epoch, UTC
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_sessions_expires ON sessions(expires);
`;

/**
 * Opens the database with the per-connection pragmas. `options.verbose` (a function) receives
 * every SQL statement executed: SQL_LOG=1 turns it on to show the queries per request.
 */
function openDatabase(path, options = {}) {
  const db = new Database(path, { timeout: 5000, verbose: options.verbose });
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL'); // safe with WAL: a crash can lose the last commit, never corrupt
  return db;
}

/**
 * Creates the schema. Called once, in the cluster primary before any worker is forked, so
 * workers never race to create tables; IF NOT EXISTS makes a restart on an old file a no-op.
 * journal_mode=WAL is persistent in the file, so setting it here covers every later connection.
 */
function createSchema(path) {
  const db = openDatabase(path);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA);
  } finally {
    db.close();
  }
}

/** The data-access interface of db/index.js on the worker's one connection. */
function openBackend(path, options = {}) {
  const db = openDatabase(path, options);
  return {
    users: usersRepository(db),
    articles: articlesRepository(db),
    comments: commentsRepository(db),
    createSessionStore: () => new SqliteSessionStore(db),
    close: async () => db.close(),
  };
}

module.exports = { openDatabase, createSchema, openBackend };
