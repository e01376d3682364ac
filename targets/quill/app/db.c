/* db: see db.h. The schema and the query plans are explained in README.md. */
#include "db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    [ST_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_BEGIN_READ] = "BEGIN",
    [ST_USER_BY_ID] = "SELECT id, username, email, bio, image FROM users WHERE id = ?1",
    [ST_USER_BY_EMAIL] =
        "SELECT id, username, email, bio, image, password_hash FROM users WHERE email = ?1",
    [ST_USER_TAKEN] = "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1 AND id <> ?3),"
                      " EXISTS (SELECT 1 FROM users WHERE email = ?2 AND id <> ?3)",
    [ST_USER_INSERT] = "INSERT INTO users (username, email, password_hash) VALUES (?1, ?2, ?3)",
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
                          " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    /* max(): updatedAt moves forward even within one millisecond (ruling 7). */
    [ST_ARTICLE_UPDATE] = "UPDATE articles SET title = iif(?3, ?4, title),"
                          " description = iif(?5, ?6, description), body = iif(?7, ?8, body),"
                          " updated_at = max(?2, updated_at + 1) WHERE id = ?1",
    [ST_ARTICLE_DELETE] = "DELETE FROM articles WHERE id = ?1",
    [ST_TAG_INSERT] = "INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?1, ?2)",
    [ST_TAGS_CLEAR] = "DELETE FROM article_tags WHERE article_id = ?1",
    [ST_TAGS_ALL] = "SELECT json_group_array(tag) FROM"
                    " (SELECT DISTINCT tag FROM article_tags ORDER BY tag)",
    [ST_FAVORITE] = "INSERT OR IGNORE INTO favorites (user_id, article_id) VALUES (?1, ?2)",
    [ST_UNFAVORITE] = "DELETE FROM favorites WHERE user_id = ?1 AND article_id = ?2",
    [ST_COMMENT_INSERT] = "INSERT INTO comments (article_id, author_id, body, created_at)"
                          " VALUES (?1, ?2, ?3, ?4)",
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
    sqlite3 *db;
    sqlite3_stmt *st[ST_MAX];
    struct conn *next;
};

static _Thread_local struct conn *tl_conn;
static _Thread_local unsigned tl_queries; /* statements handed out since the last reset */
static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn *conns; /* every open connection, closed by db_shutdown() */
static char db_path[4096];

static const char *stmt_sql(enum stmt_id id) {
    if (id < ST_LIST) return fixed_sql[id];
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

static int exec_script(sqlite3 *db, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "quill-blog: database %s: %s\n", db_path, err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

/* Opens a connection with the per-connection settings every worker uses. */
static sqlite3 *open_conn(void) {
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(db_path, &db, flags, NULL) != SQLITE_OK) {
        fprintf(stderr, "quill-blog: cannot open database %s: %s\n", db_path,
                db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
    /* synchronous=NORMAL is durable against crashes of the app in WAL mode; only a power loss
     * can lose the last commits. foreign_keys drives the ON DELETE CASCADE of article deletes. */
    if (exec_script(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;") != 0) {
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

int db_init(const char *path) {
    /* No initial bulk allocation per page cache (SQLite's default is 20 pages, ~86 KiB, for every
     * cache, including the temporary b-trees of ORDER BY and IN (SELECT ...)). Freed at the top
     * of a worker thread's malloc heap, that block made glibc give the pages back (madvise) and
     * fault them in again on the next request: one madvise per request, 60% of the CPU on the
     * list endpoints, and a fast or slow run depending on where the heap's top happened to be
     * (README.md, "Where the time went"). Must precede sqlite3_initialize(). */
    if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0) != SQLITE_OK)
        fprintf(stderr, "quill-blog: SQLite already initialised: page cache bulk unchanged\n");
    if (snprintf(db_path, sizeof db_path, "%s", path) >= (int)sizeof db_path) {
        fprintf(stderr, "quill-blog: DATABASE_PATH is too long\n");
        return -1;
    }
    if (build_list_sql() != 0) {
        fprintf(stderr, "quill-blog: internal error: list statement too long\n");
        return -1;
    }
    sqlite3 *db = open_conn();
    if (db == NULL) return -1;
    int rc = exec_script(db, "PRAGMA journal_mode = WAL;");
    if (rc == 0) rc = exec_script(db, schema_sql);
    /* Prepare every statement once here so that a typo fails the start, not a request. */
    for (int id = 0; rc == 0 && id < ST_MAX; id++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, stmt_sql((enum stmt_id)id), -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "quill-blog: statement %d: %s\n", id, sqlite3_errmsg(db));
            rc = -1;
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return rc;
}

/* ---- WAL checkpoints, off the event loops ----
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses 1000 WAL pages, on whatever
 * thread committed: a worker's event loop, which then copies pages back and fsyncs the database
 * while every other connection of that worker waits (comment-create used only 3.95 of 5 CPU
 * seconds of its core). Instead each worker connection reports the WAL size after its commits
 * (sqlite3_wal_hook, which also turns the automatic checkpoint off) and a thread of its own, with
 * its own connection, runs a PASSIVE checkpoint (it never blocks readers or the writer). */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool running, wanted, stopping;
    unsigned done; /* checkpoints run, for the tests */
    sqlite3 *db;
} ckpt = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *checkpointer_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&ckpt.mu);
    for (;;) {
        while (!ckpt.wanted && !ckpt.stopping) pthread_cond_wait(&ckpt.cv, &ckpt.mu);
        if (ckpt.stopping) break;
        ckpt.wanted = false;
        pthread_mutex_unlock(&ckpt.mu);
        int log = 0, copied = 0;
        int rc = sqlite3_wal_checkpoint_v2(ckpt.db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            fprintf(stderr, "quill-blog: checkpoint: %s\n", sqlite3_errmsg(ckpt.db));
        pthread_mutex_lock(&ckpt.mu);
        ckpt.done++;
    }
    pthread_mutex_unlock(&ckpt.mu);
    return NULL;
}

/* After every commit of a worker connection: ask for a checkpoint past DB_CHECKPOINT_PAGES. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages) {
    (void)arg;
    if (pages < DB_CHECKPOINT_PAGES) return SQLITE_OK;
    pthread_mutex_lock(&ckpt.mu);
    bool running = ckpt.running;
    if (running) {
        ckpt.wanted = true;
        pthread_cond_signal(&ckpt.cv);
    }
    pthread_mutex_unlock(&ckpt.mu);
    if (!running) sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

int db_checkpointer_start(void) {
    pthread_mutex_lock(&ckpt.mu);
    bool running = ckpt.running;
    pthread_mutex_unlock(&ckpt.mu);
    if (running) return 0;
    ckpt.db = open_conn();
    if (ckpt.db == NULL) return -1;
    ckpt.stopping = ckpt.wanted = false;
    int rc = pthread_create(&ckpt.thread, NULL, checkpointer_main, NULL);
    if (rc != 0) {
        fprintf(stderr, "quill-blog: cannot start the checkpoint thread: %s\n", strerror(rc));
        sqlite3_close(ckpt.db);
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
    sqlite3_close(ckpt.db);
    ckpt.db = NULL;
}

unsigned db_checkpoints(void) {
    pthread_mutex_lock(&ckpt.mu);
    unsigned n = ckpt.done;
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
    sqlite3_wal_hook(c->db, wal_hook, NULL); /* replaces the automatic checkpoint */
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
    for (int i = 0; i < ST_MAX; i++) sqlite3_finalize(c->st[i]);
    sqlite3_close(c->db);
    free(c);
    tl_conn = NULL;
}

sqlite3 *db_conn(void) {
    struct conn *c = thread_conn();
    return c ? c->db : NULL;
}

sqlite3_stmt *db_stmt(enum stmt_id id) {
    struct conn *c = thread_conn();
    if (c == NULL) return NULL;
    if (id >= ST_USER_BY_ID) tl_queries++;
    sqlite3_stmt *st = c->st[id];
    if (st == NULL) {
        if (sqlite3_prepare_v3(c->db, stmt_sql(id), -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
            SQLITE_OK) {
            fprintf(stderr, "quill-blog: prepare %d: %s\n", (int)id, sqlite3_errmsg(c->db));
            return NULL;
        }
        c->st[id] = st;
    } else {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    return st;
}

int db_exec(sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW && rc != SQLITE_CONSTRAINT)
        fprintf(stderr, "quill-blog: %s\n", sqlite3_errmsg(sqlite3_db_handle(st)));
    sqlite3_reset(st);
    return rc;
}

void db_bind_int(sqlite3_stmt *st, int idx, int64_t v) {
    sqlite3_bind_int64(st, idx, v);
}

void db_bind_text(sqlite3_stmt *st, int idx, const char *s) {
    if (s == NULL)
        sqlite3_bind_null(st, idx);
    else
        sqlite3_bind_text(st, idx, s, -1, SQLITE_STATIC); /* the request outlives the step */
}

int db_begin(void) {
    sqlite3_stmt *st = db_stmt(ST_BEGIN_IMMEDIATE);
    return st && db_exec(st) == SQLITE_DONE ? 0 : -1;
}

int db_begin_read(void) {
    sqlite3_stmt *st = db_stmt(ST_BEGIN_READ);
    return st && db_exec(st) == SQLITE_DONE ? 0 : -1;
}

int db_commit(void) {
    sqlite3_stmt *st = db_stmt(ST_COMMIT);
    if (st && db_exec(st) == SQLITE_DONE) return 0;
    db_rollback();
    return -1;
}

void db_rollback(void) {
    sqlite3 *db = db_conn();
    if (db == NULL || sqlite3_get_autocommit(db)) return; /* nothing open */
    sqlite3_stmt *st = db_stmt(ST_ROLLBACK);
    if (st) db_exec(st);
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
        if (c->st[i] && sqlite3_stmt_busy(c->st[i])) sqlite3_reset(c->st[i]);
    if (!sqlite3_get_autocommit(c->db)) db_rollback();
}

void db_shutdown(void) {
    checkpointer_stop();
    pthread_mutex_lock(&conns_lock);
    struct conn *c = conns;
    conns = NULL;
    pthread_mutex_unlock(&conns_lock);
    while (c) {
        struct conn *next = c->next;
        for (int i = 0; i < ST_MAX; i++) sqlite3_finalize(c->st[i]);
        sqlite3_close(c->db);
        free(c);
        c = next;
    }
}

int db_delete_by_id(enum stmt_id op, int64_t id) {
    sqlite3_stmt *st = db_stmt(op);
    if (st == NULL) return -1;
    db_bind_int(st, 1, id);
    return db_exec(st) == SQLITE_DONE ? 0 : -1;
}
