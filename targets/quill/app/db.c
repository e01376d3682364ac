/* db: see db.h. The schema and the query plans are explained in README.md ("Database" covers
 * PostgreSQL: what differs and why). */
#include "db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Longest generated list statement text. */
#define DB_SQL_MAX 2048

static const char *schema_sql =
    "CREATE TABLE IF NOT EXISTS users ("
    "  id INTEGER PRIMARY KEY,"
    "  username TEXT NOT NULL UNIQUE,"
    "  email TEXT NOT NULL UNIQUE,"
    "  password_hash TEXT NOT NULL,"
    "  bio TEXT,"
    "  image TEXT);"
    "CREATE TABLE IF NOT EXISTS follows ("
    "  follower_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  followee_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (follower_id, followee_id)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS articles ("
    "  id INTEGER PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  author_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS articles_created ON articles (created_at);"
    "CREATE INDEX IF NOT EXISTS articles_author ON articles (author_id, created_at);"
    "CREATE TABLE IF NOT EXISTS article_tags ("
    "  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
    "  tag TEXT NOT NULL,"
    "  PRIMARY KEY (article_id, tag)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS article_tags_tag ON article_tags (tag, article_id);"
    "CREATE TABLE IF NOT EXISTS favorites ("
    "  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (article_id, user_id)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS favorites_user ON favorites (user_id, article_id);"
    "CREATE TABLE IF NOT EXISTS comments ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
    "  author_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  body TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS comments_article ON comments (article_id, id);"
    /* The web app's live sign-ins: a signed cookie cannot be revoked by itself, so the session
     * names one of these rows, checked on every page and deleted at logout (bp_web_auth.c). */
    "CREATE TABLE IF NOT EXISTS web_sessions ("
    "  id TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at INTEGER NOT NULL) WITHOUT ROWID;";

/* The same schema for PostgreSQL: BIGSERIAL ids (a sequence: never reused, even after the newest
 * row is deleted), BIGINT milliseconds for the timestamps exactly as SQLite stores them (so the API
 * shows exactly three digits on both), plain tables (WITHOUT ROWID is SQLite's). Created once by
 * db_init in the main thread, before any worker thread connects. */
static const char *pg_schema_sql =
    "CREATE TABLE IF NOT EXISTS users ("
    "  id BIGSERIAL PRIMARY KEY,"
    "  username TEXT NOT NULL UNIQUE,"
    "  email TEXT NOT NULL UNIQUE,"
    "  password_hash TEXT NOT NULL,"
    "  bio TEXT,"
    "  image TEXT);"
    "CREATE TABLE IF NOT EXISTS follows ("
    "  follower_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  followee_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (follower_id, followee_id));"
    "CREATE TABLE IF NOT EXISTS articles ("
    "  id BIGSERIAL PRIMARY KEY,"
    "  slug TEXT NOT NULL UNIQUE,"
    "  title TEXT NOT NULL,"
    "  description TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  author_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at BIGINT NOT NULL,"
    "  updated_at BIGINT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS articles_created ON articles (created_at);"
    "CREATE INDEX IF NOT EXISTS articles_author ON articles (author_id, created_at);"
    "CREATE TABLE IF NOT EXISTS article_tags ("
    "  article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
    "  tag TEXT NOT NULL,"
    "  PRIMARY KEY (article_id, tag));"
    "CREATE INDEX IF NOT EXISTS article_tags_tag ON article_tags (tag, article_id);"
    "CREATE TABLE IF NOT EXISTS favorites ("
    "  article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
    "  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (article_id, user_id));"
    "CREATE INDEX IF NOT EXISTS favorites_user ON favorites (user_id, article_id);"
    "CREATE TABLE IF NOT EXISTS comments ("
    "  id BIGSERIAL PRIMARY KEY,"
    "  article_id BIGINT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,"
    "  author_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  body TEXT NOT NULL,"
    "  created_at BIGINT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS comments_article ON comments (article_id, id);"
    "CREATE TABLE IF NOT EXISTS web_sessions ("
    "  id TEXT PRIMARY KEY,"
    "  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_at BIGINT NOT NULL);";

/* One article (enum article_col); ?1 is the viewer's id (NULL: anonymous). The counts and flags
 * are subqueries on covering primary keys: for one row, one probe each. Lists do not use this
 * shape (see PAGE_SELECT). */
#define ARTICLE_COLS                                                                               \
    "SELECT a.id, a.slug, a.title, a.description, a.body, a.created_at, a.updated_at,"             \
    " u.username, u.bio, u.image,"                                                                 \
    " (SELECT count(*) FROM favorites f WHERE f.article_id = a.id),"                               \
    " EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = ?1),"            \
    " EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = ?1 AND w.followee_id = a.author_id),"  \
    " (SELECT json_group_array(t.tag) FROM"                                                        \
    "   (SELECT tag FROM article_tags WHERE article_id = a.id ORDER BY tag) t)"                    \
    " FROM articles a JOIN users u ON u.id = a.author_id "

#define COMMENT_COLS                                                                               \
    "SELECT c.id, c.created_at, c.body, u.username, u.bio, u.image,"                               \
    " EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = ?1 AND w.followee_id = c.author_id)"   \
    " FROM comments c JOIN users u ON u.id = c.author_id "

/* The page layout (enum page_col): the rows of a list, without any per-row subquery. Filters
 * are joins (not `IN (SELECT ...)`, which SQLite answers with a temporary b-tree whose fresh pages
 * it zeroes: 8% of a feed's instructions, measured). */
#define PAGE_SELECT                                                                                \
    "SELECT a.id, a.slug, a.title, a.description, a.created_at, a.updated_at, a.author_id,"        \
    " u.username, u.bio, u.image"
#define PAGE_AUTHOR " JOIN users u ON u.id = a.author_id"
#define FEED_FROM   " FROM follows w JOIN articles a ON a.author_id = w.followee_id"
#define FEED_WHERE  " WHERE w.follower_id = ?1"

#define LIST_ORDER " ORDER BY a.created_at DESC, a.id DESC LIMIT ?5 OFFSET ?6"

static const char *fixed_sql[ST_LIST] = {
    [ST_USER_BY_ID] = "SELECT id, username, email, bio, image FROM users WHERE id = ?1",
    [ST_USER_BY_EMAIL] =
        "SELECT id, username, email, bio, image, password_hash FROM users WHERE email = ?1",
    [ST_USER_TAKEN] = "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1 AND id <> ?3),"
                      " EXISTS (SELECT 1 FROM users WHERE email = ?2 AND id <> ?3)",
    [ST_USER_INSERT] =
        "INSERT INTO users (username, email, password_hash) VALUES (?1, ?2, ?3) RETURNING id",
    [ST_USER_UPDATE] =
        "UPDATE users SET email = iif(?2, ?3, email), username = iif(?4, ?5, username),"
        " password_hash = iif(?6, ?7, password_hash), bio = iif(?8, ?9, bio),"
        " image = iif(?10, ?11, image) WHERE id = ?1",
    [ST_PROFILE] =
        "SELECT u.id, u.username, u.bio, u.image,"
        " EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = ?2 AND w.followee_id = u.id)"
        " FROM users u WHERE u.username = ?1",
    [ST_FOLLOW] = "INSERT OR IGNORE INTO follows (follower_id, followee_id) VALUES (?1, ?2)",
    [ST_UNFOLLOW] = "DELETE FROM follows WHERE follower_id = ?1 AND followee_id = ?2",
    [ST_ARTICLE_BY_SLUG] = ARTICLE_COLS "WHERE a.slug = ?2",
    [ST_ARTICLE_BY_ID] = ARTICLE_COLS "WHERE a.id = ?2",
    [ST_ARTICLE_META] = "SELECT id, author_id FROM articles WHERE slug = ?1",
    [ST_ARTICLE_INSERT] = "INSERT INTO articles (slug, title, description, body, author_id,"
                          " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
                          " RETURNING id",
    /* max(): updatedAt moves forward even within one millisecond (ruling 7). */
    [ST_ARTICLE_UPDATE] = "UPDATE articles SET title = iif(?3, ?4, title),"
                          " description = iif(?5, ?6, description), body = iif(?7, ?8, body),"
                          // parity-ruling: 7 updatedAt strictly later within one millisecond
                          " updated_at = max(?2, updated_at + 1) WHERE id = ?1",
    [ST_ARTICLE_DELETE] = "DELETE FROM articles WHERE id = ?1",
    [ST_TAG_INSERT] = "INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?1, ?2)",
    [ST_TAGS_CLEAR] = "DELETE FROM article_tags WHERE article_id = ?1",
    [ST_TAGS_ALL] = "SELECT json_group_array(tag) FROM"
                    " (SELECT DISTINCT tag FROM article_tags ORDER BY tag)",
    [ST_FAVORITE] = "INSERT OR IGNORE INTO favorites (user_id, article_id) VALUES (?1, ?2)",
    [ST_UNFAVORITE] = "DELETE FROM favorites WHERE user_id = ?1 AND article_id = ?2",
    [ST_COMMENT_INSERT] = "INSERT INTO comments (article_id, author_id, body, created_at)"
                          " VALUES (?1, ?2, ?3, ?4) RETURNING id",
    [ST_COMMENT_BY_ID] = COMMENT_COLS "WHERE c.id = ?2",
    [ST_COMMENTS_OF] = COMMENT_COLS "WHERE c.article_id = ?2 ORDER BY c.id",
    [ST_COMMENT_META] = "SELECT article_id, author_id FROM comments WHERE id = ?1",
    [ST_COMMENT_DELETE] = "DELETE FROM comments WHERE id = ?1",
    [ST_COMMENTS_OF_DESC] = COMMENT_COLS "WHERE c.article_id = ?2 ORDER BY c.id DESC",
    [ST_WEB_SESSION_INSERT] =
        "INSERT INTO web_sessions (id, user_id, created_at) VALUES (?1, ?2, ?3)",
    [ST_WEB_SESSION_USER] = "SELECT u.id, u.username FROM web_sessions s"
                            " JOIN users u ON u.id = s.user_id WHERE s.id = ?1",
    [ST_WEB_SESSION_DELETE] = "DELETE FROM web_sessions WHERE id = ?1",
    [ST_PAGE_ARTICLES] = "SELECT a.title, u.username, a.created_at, a.slug FROM articles a"
                         " JOIN users u ON u.id = a.author_id"
                         " ORDER BY a.created_at DESC, a.id DESC LIMIT 20",
    [ST_FEED_LIST] = PAGE_SELECT FEED_FROM PAGE_AUTHOR FEED_WHERE LIST_ORDER,
    [ST_FEED_COUNT] = "SELECT count(*)" FEED_FROM FEED_WHERE,
    /* json_each(?1) drives each statement (CROSS JOIN: SQLite keeps the left table outside), so
     * rows come page row by page row; within one, article_tags' primary key (article_id, tag)
     * yields the tags sorted. No ORDER BY: its sorter doubled the statement's VM steps
     * (553 -> 310 measured). favoritesCount and favorited are two primary-key probes per page row
     * (692 VM steps for 20 rows, against 951 for the GROUP BY form and its sorter). */
    [ST_PAGE_TAGS] = "SELECT j.key, t.tag FROM json_each(?1) j CROSS JOIN article_tags t"
                     " ON t.article_id = j.value",
    [ST_PAGE_FAVORITES] =
        "SELECT j.key, (SELECT count(*) FROM favorites f WHERE f.article_id = j.value),"
        " EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = j.value AND f.user_id = ?2)"
        " FROM json_each(?1) j",
    /* CROSS JOIN keeps json_each outside (one primary-key probe per row of the page); left to
     * itself the planner scanned json_each once per followed user. */
    [ST_PAGE_FOLLOWING] = "SELECT j.key FROM json_each(?1) j CROSS JOIN follows w"
                          " ON w.follower_id = ?2 AND w.followee_id = j.value",
};

/* PostgreSQL's texts where SQLite's dialect is not portable (NULL: the same text as above):
 * CASE for iif, GREATEST for the two-argument max, ON CONFLICT DO NOTHING for INSERT OR IGNORE,
 * a string_agg of to_json for json_group_array (the same compact JSON text), and
 * jsonb_array_elements_text WITH ORDINALITY for json_each (ord - 1 is json_each's key; its rows
 * come in no guaranteed order without the ORDER BY). */
#define PG_TAGS_OF(id)                                                                             \
    "(SELECT coalesce('[' || string_agg(to_json(t.tag)::text, ',' ORDER BY t.tag) || ']', '[]')"   \
    " FROM article_tags t WHERE t.article_id = " id ")"
#define PG_EACH(p) " jsonb_array_elements_text(" p "::jsonb) WITH ORDINALITY j(value, ord)"
#define PG_ARTICLE_COLS                                                                            \
    "SELECT a.id, a.slug, a.title, a.description, a.body, a.created_at, a.updated_at,"             \
    " u.username, u.bio, u.image,"                                                                 \
    " (SELECT count(*) FROM favorites f WHERE f.article_id = a.id),"                               \
    " EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = ?1),"            \
    " EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = ?1 AND w.followee_id = a.author_id),"  \
    " " PG_TAGS_OF("a.id") " FROM articles a JOIN users u ON u.id = a.author_id "

static const char *pg_sql[ST_LIST] = {
    [ST_USER_UPDATE] = "UPDATE users SET email = CASE WHEN ?2 <> 0 THEN ?3 ELSE email END,"
                       " username = CASE WHEN ?4 <> 0 THEN ?5 ELSE username END,"
                       " password_hash = CASE WHEN ?6 <> 0 THEN ?7 ELSE password_hash END,"
                       " bio = CASE WHEN ?8 <> 0 THEN ?9 ELSE bio END,"
                       " image = CASE WHEN ?10 <> 0 THEN ?11 ELSE image END WHERE id = ?1",
    [ST_FOLLOW] = "INSERT INTO follows (follower_id, followee_id) VALUES (?1, ?2)"
                  " ON CONFLICT DO NOTHING",
    [ST_ARTICLE_BY_SLUG] = PG_ARTICLE_COLS "WHERE a.slug = ?2",
    [ST_ARTICLE_BY_ID] = PG_ARTICLE_COLS "WHERE a.id = ?2",
    /* ON CONFLICT (slug): a taken slug gives no row instead of an error that would abort the
     * transaction; db_insert reports it as QUILL_DB_UNIQUE and the caller tries another suffix. */
    [ST_ARTICLE_INSERT] = "INSERT INTO articles (slug, title, description, body, author_id,"
                          " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
                          " ON CONFLICT (slug) DO NOTHING RETURNING id",
    [ST_ARTICLE_UPDATE] = "UPDATE articles SET title = CASE WHEN ?3 <> 0 THEN ?4 ELSE title END,"
                          " description = CASE WHEN ?5 <> 0 THEN ?6 ELSE description END,"
                          " body = CASE WHEN ?7 <> 0 THEN ?8 ELSE body END,"
                          // parity-ruling: 7 updatedAt strictly later within one millisecond
                          " updated_at = GREATEST(?2, updated_at + 1) WHERE id = ?1",
    [ST_TAG_INSERT] = "INSERT INTO article_tags (article_id, tag) VALUES (?1, ?2)"
                      " ON CONFLICT DO NOTHING",
    [ST_TAGS_ALL] = "SELECT coalesce('[' || string_agg(to_json(tag)::text, ',' ORDER BY tag)"
                    " || ']', '[]') FROM (SELECT DISTINCT tag FROM article_tags) t",
    [ST_FAVORITE] = "INSERT INTO favorites (user_id, article_id) VALUES (?1, ?2)"
                    " ON CONFLICT DO NOTHING",
    [ST_PAGE_TAGS] = "SELECT j.ord - 1, t.tag FROM" PG_EACH(
        "?1") " JOIN article_tags t ON t.article_id = j.value::bigint ORDER BY j.ord, t.tag",
    [ST_PAGE_FAVORITES] =
        "SELECT j.ord - 1,"
        " (SELECT count(*) FROM favorites f WHERE f.article_id = j.value::bigint),"
        " EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = j.value::bigint"
        " AND f.user_id = ?2) FROM" PG_EACH("?1") " ORDER BY j.ord",
    [ST_PAGE_FOLLOWING] = "SELECT j.ord - 1 FROM" PG_EACH(
        "?1") " JOIN follows w"
              " ON w.follower_id = ?2 AND w.followee_id = j.value::bigint",
};

/* The filters of the list statements, by bit: joins for tag and favorited, a condition for the
 * author. Fixed text: which ones a statement holds depends only on which query parameters are
 * present, never on their values. */
static const char *filter_join[3] = {
    " JOIN article_tags t ON t.article_id = a.id AND t.tag = ?2",
    NULL,
    " JOIN favorites f ON f.article_id = a.id AND f.user_id ="
    " (SELECT id FROM users WHERE username = ?4)",
};
#define AUTHOR_WHERE " WHERE a.author_id = (SELECT id FROM users WHERE username = ?3)"

static char list_sql[16][DB_SQL_MAX]; /* [mask] lists, [8 + mask] counts; built by db_init */

struct conn {
    quill_db *db;
    quill_stmt *st[ST_MAX];
    struct conn *next;
};

static _Thread_local struct conn *tl_conn;
static _Thread_local unsigned tl_queries; /* statements handed out since the last reset */
static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn *conns; /* every open connection, closed by db_shutdown() */
static char db_path[4096]; /* an SQLite path or a PostgreSQL URL */
static bool db_pg;

bool db_is_postgres(void) {
    return db_pg;
}

static const char *stmt_sql(enum stmt_id id) {
    if (id < ST_LIST) return db_pg && pg_sql[id] ? pg_sql[id] : fixed_sql[id];
    return list_sql[id - ST_LIST];
}

static int build_list_sql(void) {
    for (int kind = 0; kind < 2; kind++) {
        for (int mask = 0; mask < 8; mask++) {
            char *out = list_sql[kind * 8 + mask];
            int n = snprintf(out, DB_SQL_MAX, "%s FROM articles a",
                             kind == 0 ? PAGE_SELECT : "SELECT count(*)");
            for (int bit = 0; bit < 3 && n < DB_SQL_MAX; bit++)
                if ((mask & (1 << bit)) && filter_join[bit])
                    n += snprintf(out + n, DB_SQL_MAX - (size_t)n, "%s", filter_join[bit]);
            if (kind == 0 && n < DB_SQL_MAX)
                n += snprintf(out + n, DB_SQL_MAX - (size_t)n, "%s", PAGE_AUTHOR);
            if ((mask & LIST_AUTHOR) && n < DB_SQL_MAX)
                n += snprintf(out + n, DB_SQL_MAX - (size_t)n, "%s", AUTHOR_WHERE);
            if (kind == 0 && n < DB_SQL_MAX)
                n += snprintf(out + n, DB_SQL_MAX - (size_t)n, "%s", LIST_ORDER);
            if (n >= DB_SQL_MAX) return -1;
        }
    }
    return 0;
}

/* Opens a connection with the settings every worker uses (quill_db_open sets SQLite's pragmas:
 * WAL, synchronous=NORMAL, foreign_keys for the ON DELETE CASCADE of article deletes). */
static quill_db *open_conn(void) {
    quill_db *db = quill_db_open(db_path, DB_BUSY_TIMEOUT_MS);
    if (db == NULL)
        fprintf(stderr, "quill-blog: cannot open the %s database\n",
                db_pg ? "PostgreSQL" : "SQLite");
    return db;
}

int db_init(const char *target) {
    db_pg = quill_db_is_postgres(target);
    /* No initial bulk allocation per page cache (SQLite's default is 20 pages, ~86 KiB, for every
     * cache, including the temporary b-trees of ORDER BY and IN (SELECT ...)). Freed at the top
     * of a worker thread's malloc heap, that block made glibc give the pages back (madvise) and
     * fault them in again on the next request: one madvise per request, 60% of the CPU on the
     * list endpoints, and a fast or slow run depending on where the heap's top happened to be
     * (README.md, "Where the time went"). Must precede sqlite3_initialize(). */
    if (!db_pg && sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0) != SQLITE_OK)
        fprintf(stderr, "quill-blog: SQLite already initialised: page cache bulk unchanged\n");
    if (snprintf(db_path, sizeof db_path, "%s", target) >= (int)sizeof db_path) {
        fprintf(stderr, "quill-blog: DATABASE_PATH / DATABASE_URL is too long\n");
        return -1;
    }
    if (build_list_sql() != 0) {
        fprintf(stderr, "quill-blog: internal error: list statement too long\n");
        return -1;
    }
    quill_db *db = open_conn();
    if (db == NULL) return -1;
    /* The schema, once, here in the main thread before any worker connects: no two connections
     * ever race on CREATE TABLE IF NOT EXISTS (which PostgreSQL does not make safe). */
    int rc = quill_db_exec(db, db_pg ? pg_schema_sql : schema_sql) == QUILL_DB_DONE ? 0 : -1;
    /* Prepare every statement once here so that a typo fails the start, not a request. */
    for (int id = 0; rc == 0 && id < ST_MAX; id++) {
        if (quill_db_prepare_new(db, stmt_sql((enum stmt_id)id)) == NULL) {
            fprintf(stderr, "quill-blog: statement %d does not compile\n", id);
            rc = -1;
        }
    }
    quill_db_close(db);
    return rc;
}

/* WAL checkpoints, off the event loops. SQLite's automatic checkpoint runs in the committing
 * thread (a worker's loop) and fsyncs the WAL and the database there. Here the WAL hook of every
 * worker connection replaces it: it asks the checkpoint thread, which has its own connection, once
 * the WAL holds DB_CHECKPOINT_PAGES and again after every further DB_CHECKPOINT_PAGES of growth.
 *
 * Two traps, both met under sustained writes (comment-create at ~8k commits/s):
 * - A PASSIVE checkpoint never blocks a writer, so while the workers keep committing it never
 *   copies the last frames before the next commit, and SQLite rewinds the WAL only after a
 *   checkpoint that copied everything: the WAL is never reset and grows without bound (100 MB in
 *   15 s of comment-create). Past DB_WAL_RESTART_PAGES the thread runs a RESTART checkpoint, which
 *   holds the writers back (their busy handler waits, about a millisecond) while it copies the
 *   frames since the last one, so that the next commit starts the WAL over. A thread that gets no
 *   CPU (it shares the workers' saturated core) does not run it in time: past DB_WAL_LIMIT_PAGES
 *   the committing worker runs it itself, once per 64 MiB of a starved checkpointer, on its loop.
 * - Asking after every commit past the mark (as SQLite's own trigger does: it expects the
 *   checkpoint to reset the WAL at once) made the thread checkpoint, with two fsyncs, after every
 *   commit once the WAL could no longer be reset: 18 of 43 system calls of a comment-create, on
 *   the workers' core. The mark moves with each request instead (asked_at). */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool running, wanted, stopping;
    int asked_at;            /* WAL pages at the last request; a smaller size means a new WAL */
    int wanted_pages;        /* WAL pages at the pending request */
    unsigned done, restarts; /* checkpoints run by the thread; RESTARTs by it or a committer */
    quill_db *conn;          /* the checkpointer's own connection; db is its sqlite3 handle */
    sqlite3 *db;
} ckpt = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *checkpointer_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&ckpt.mu);
    for (;;) {
        while (!ckpt.wanted && !ckpt.stopping) pthread_cond_wait(&ckpt.cv, &ckpt.mu);
        if (ckpt.stopping) break;
        ckpt.wanted = false;
        bool restart = ckpt.wanted_pages >= DB_WAL_RESTART_PAGES;
        pthread_mutex_unlock(&ckpt.mu);
        int log = 0, copied = 0;
        int rc = sqlite3_wal_checkpoint_v2(
            ckpt.db, NULL, restart ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE, &log,
            &copied);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            fprintf(stderr, "quill-blog: checkpoint: %s\n", sqlite3_errmsg(ckpt.db));
        pthread_mutex_lock(&ckpt.mu);
        ckpt.done++;
        if (restart && rc == SQLITE_OK) ckpt.restarts++;
    }
    pthread_mutex_unlock(&ckpt.mu);
    return NULL;
}

/* The committer's own RESTART past DB_WAL_LIMIT_PAGES. A checkpoint the thread is running holds
 * SQLite's checkpoint lock, which makes this one fail at once with SQLITE_BUSY (the busy handler
 * covers the writer and readers, not that lock): retried every millisecond, which gives the
 * thread the core to finish, for at most DB_WAL_LIMIT_WAIT_MS. */
static int wal_restart_here(sqlite3 *db, const char *name) {
    struct timespec ms = {0, 1000000}, t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
        clock_gettime(CLOCK_MONOTONIC, &t);
        long waited = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (rc != SQLITE_BUSY || waited >= DB_WAL_LIMIT_WAIT_MS) return rc;
        nanosleep(&ms, NULL);
    }
}

/* After every commit of a worker connection (pages: the WAL's size now). */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages) {
    (void)arg;
    if (pages < DB_CHECKPOINT_PAGES) return SQLITE_OK;
    pthread_mutex_lock(&ckpt.mu);
    bool running = ckpt.running;
    if (running && (pages < ckpt.asked_at || pages - ckpt.asked_at >= DB_CHECKPOINT_PAGES)) {
        ckpt.asked_at = ckpt.wanted_pages = pages;
        ckpt.wanted = true;
        pthread_cond_signal(&ckpt.cv);
    }
    pthread_mutex_unlock(&ckpt.mu);
    /* Without the thread, SQLite's own behaviour: the committer checkpoints (and, being the
     * writer, copies everything, so the next commit resets the WAL). */
    if (!running)
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    else if (pages >= DB_WAL_LIMIT_PAGES && wal_restart_here(db, name) == SQLITE_OK) {
        pthread_mutex_lock(&ckpt.mu);
        ckpt.restarts++;
        pthread_mutex_unlock(&ckpt.mu);
    }
    return SQLITE_OK;
}

int db_checkpointer_start(void) {
    pthread_mutex_lock(&ckpt.mu);
    bool running = ckpt.running;
    pthread_mutex_unlock(&ckpt.mu);
    if (running || db_pg) return 0;
    ckpt.conn = open_conn();
    if (ckpt.conn == NULL) return -1;
    ckpt.db = quill_db_handle(ckpt.conn);
    ckpt.stopping = ckpt.wanted = false;
    ckpt.asked_at = ckpt.wanted_pages = 0;
    int rc = pthread_create(&ckpt.thread, NULL, checkpointer_main, NULL);
    if (rc != 0) {
        fprintf(stderr, "quill-blog: cannot start the checkpoint thread: %s\n", strerror(rc));
        quill_db_close(ckpt.conn);
        ckpt.conn = NULL;
        ckpt.db = NULL;
        return -1;
    }
    pthread_mutex_lock(&ckpt.mu);
    ckpt.running = true;
    pthread_mutex_unlock(&ckpt.mu);
    return 0;
}

static void checkpointer_stop(void) {
    pthread_mutex_lock(&ckpt.mu);
    bool running = ckpt.running;
    ckpt.stopping = true;
    ckpt.running = false;
    pthread_cond_signal(&ckpt.cv);
    pthread_mutex_unlock(&ckpt.mu);
    if (!running) return;
    pthread_join(ckpt.thread, NULL);
    quill_db_close(ckpt.conn);
    ckpt.conn = NULL;
    ckpt.db = NULL;
}

unsigned db_checkpoints(unsigned *restarts) {
    pthread_mutex_lock(&ckpt.mu);
    unsigned n = ckpt.done;
    if (restarts) *restarts = ckpt.restarts;
    pthread_mutex_unlock(&ckpt.mu);
    return n;
}

static struct conn *thread_conn(void) {
    if (tl_conn) return tl_conn;
    struct conn *c = calloc(1, sizeof *c);
    if (c == NULL) return NULL;
    c->db = open_conn();
    if (c->db == NULL) {
        free(c);
        return NULL;
    }
    if (!db_pg) /* replaces the automatic checkpoint */
        sqlite3_wal_hook(quill_db_handle(c->db), wal_hook, NULL);
    pthread_mutex_lock(&conns_lock);
    c->next = conns;
    conns = c;
    pthread_mutex_unlock(&conns_lock);
    tl_conn = c;
    return c;
}

int db_thread_open(void) {
    return thread_conn() ? 0 : -1;
}

void db_thread_close(void) {
    struct conn *c = tl_conn;
    if (c == NULL) return;
    pthread_mutex_lock(&conns_lock);
    for (struct conn **p = &conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&conns_lock);
    quill_db_close(c->db); /* and every statement prepared on it */
    free(c);
    tl_conn = NULL;
}

quill_db *db_conn(void) {
    struct conn *c = thread_conn();
    return c ? c->db : NULL;
}

quill_stmt *db_stmt(enum stmt_id id) {
    struct conn *c = thread_conn();
    if (c == NULL) return NULL;
    tl_queries++;
    quill_stmt *st = c->st[id];
    if (st == NULL) {
        st = quill_db_prepare_new(c->db, stmt_sql(id));
        if (st == NULL) {
            fprintf(stderr, "quill-blog: prepare %d failed\n", (int)id);
            return NULL;
        }
        c->st[id] = st;
    } else {
        quill_stmt_reset(st);
    }
    return st;
}

int db_exec(quill_stmt *st) {
    int rc = quill_stmt_step(st);
    quill_stmt_reset(st);
    return rc == QUILL_DB_ROW ? QUILL_DB_DONE : rc;
}

int64_t db_insert(quill_stmt *st) {
    int rc = quill_stmt_step(st);
    /* DONE without a row: an ON CONFLICT DO NOTHING skipped the insert. */
    int64_t id = rc == QUILL_DB_ROW ? quill_stmt_int64(st, 0) : (rc < 0 ? rc : QUILL_DB_UNIQUE);
    /* Step on to DONE: SQLite calls the WAL hook (our checkpoint trigger) only from a step that
     * returns DONE in autocommit mode, never from the reset that commits a RETURNING statement
     * left at its row. */
    if (rc == QUILL_DB_ROW && quill_stmt_step(st) < 0) id = QUILL_DB_ERROR;
    quill_stmt_reset(st);
    return id;
}

void db_bind_int(quill_stmt *st, int idx, int64_t v) {
    quill_stmt_bind_int64(st, idx, v);
}

void db_bind_text(quill_stmt *st, int idx, const char *s) {
    if (s == NULL)
        quill_stmt_bind_null(st, idx);
    else
        quill_stmt_bind_text(st, idx, s, strlen(s)); /* the request outlives the step */
}

int db_begin(void) {
    quill_db *db = db_conn();
    return db && quill_db_begin(db, true) == QUILL_DB_DONE ? 0 : -1;
}

int db_begin_read(void) {
    quill_db *db = db_conn();
    return db && quill_db_begin(db, false) == QUILL_DB_DONE ? 0 : -1;
}

int db_commit(void) {
    quill_db *db = db_conn();
    return db && quill_db_commit(db) == QUILL_DB_DONE ? 0 : -1; /* rolled back on failure */
}

void db_rollback(void) {
    quill_db *db = db_conn();
    if (db) quill_db_rollback(db);
}

int db_group_begin(void) {
    return db_pg ? 0 : db_begin();
}

int db_group_end(bool commit) {
    if (db_pg) return 0;
    if (commit) return db_commit();
    db_rollback();
    return 0;
}

unsigned db_query_count(bool reset) {
    unsigned n = tl_queries;
    if (reset) tl_queries = 0;
    return n;
}

void db_release(void) {
    struct conn *c = tl_conn;
    if (c == NULL) return;
    for (int i = 0; i < ST_MAX; i++)
        if (c->st[i] && quill_stmt_busy(c->st[i])) quill_stmt_reset(c->st[i]);
    if (quill_db_in_transaction(c->db)) quill_db_rollback(c->db);
}

void db_shutdown(void) {
    checkpointer_stop();
    pthread_mutex_lock(&conns_lock);
    struct conn *c = conns;
    conns = NULL;
    pthread_mutex_unlock(&conns_lock);
    while (c) {
        struct conn *next = c->next;
        quill_db_close(c->db);
        free(c);
        c = next;
    }
}

int db_delete_by_id(enum stmt_id op, int64_t id) {
    quill_stmt *st = db_stmt(op);
    if (st == NULL) return -1;
    db_bind_int(st, 1, id);
    return db_exec(st) == QUILL_DB_DONE ? 0 : -1;
}
