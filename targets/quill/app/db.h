/* db: the blog's database (SQLite by default, PostgreSQL when DATABASE_URL is set; both through
 * quill_db.h): schema, one connection per worker thread, and the prepared statements of every
 * query the app runs.
 *
 * Why one connection per thread: quill runs each request to completion on its worker's thread, so
 * a thread-local connection needs no locking, and SQLite in WAL mode lets readers of every thread
 * run beside one writer; on PostgreSQL each worker thread holds its own server connection, so a
 * transaction is simply that connection's BEGIN..COMMIT. Every statement is prepared once per
 * connection (SQLITE_PREPARE_PERSISTENT) from the fixed texts in db.c and reused; no SQL is ever
 * built from client input. db_shutdown() closes every connection after the workers have stopped
 * (ownership: db.c owns all of them). */
#ifndef BLOG_DB_H
#define BLOG_DB_H

#include "quill_db.h"

#include <stdbool.h>
#include <stdint.h>

/* How long a writer waits for the write lock before giving up (ms). */
#define DB_BUSY_TIMEOUT_MS 10000

/* The statements. The article statements share one column layout (enum article_col). */
enum stmt_id {
    ST_USER_BY_ID,    /* ?1 id -> id, username, email, bio, image */
    ST_USER_BY_EMAIL, /* ?1 email -> id, username, email, bio, image, password_hash */
    ST_USER_TAKEN,  /* ?1 username, ?2 email, ?3 own id (0: none) -> username_taken, email_taken */
    ST_USER_INSERT, /* ?1 username, ?2 email, ?3 password_hash -> id (RETURNING) */
    ST_USER_UPDATE, /* ?1 id; pairs (flag, value): ?2/?3 email, ?4/?5 username, ?6/?7 hash,
                       ?8/?9 bio, ?10/?11 image */
    ST_PROFILE,     /* ?1 username, ?2 viewer -> id, username, bio, image, following */
    ST_FOLLOW,      /* ?1 follower, ?2 followee */
    ST_UNFOLLOW,    /* ?1 follower, ?2 followee */
    ST_ARTICLE_BY_SLUG,  /* ?1 viewer, ?2 slug -> article columns */
    ST_ARTICLE_BY_ID,    /* ?1 viewer, ?2 id -> article columns */
    ST_ARTICLE_META,     /* ?1 slug -> id, author_id */
    ST_ARTICLE_INSERT,   /* ?1 slug, ?2 title, ?3 description, ?4 body, ?5 author, ?6 now -> id */
    ST_ARTICLE_UPDATE,   /* ?1 id, ?2 now; (flag, value): ?3/?4 title, ?5/?6 description, ?7/?8 body
                          */
    ST_ARTICLE_DELETE,   /* ?1 id (comments, favorites and tags follow by ON DELETE CASCADE) */
    ST_TAG_INSERT,       /* ?1 article, ?2 tag */
    ST_TAGS_CLEAR,       /* ?1 article */
    ST_TAGS_ALL,         /* -> one row: JSON array of every tag in use, sorted */
    ST_FAVORITE,         /* ?1 user, ?2 article */
    ST_UNFAVORITE,       /* ?1 user, ?2 article */
    ST_COMMENT_INSERT,   /* ?1 article, ?2 author, ?3 body, ?4 now -> id */
    ST_COMMENT_BY_ID,    /* ?1 viewer, ?2 id -> comment columns */
    ST_COMMENTS_OF,      /* ?1 viewer, ?2 article -> comment columns, oldest first */
    ST_COMMENT_META,     /* ?1 id -> article_id, author_id */
    ST_COMMENT_DELETE,   /* ?1 id */
    ST_COMMENTS_OF_DESC, /* ?1 viewer, ?2 article -> comment columns, newest first (web) */
    ST_WEB_SESSION_INSERT, /* ?1 session id, ?2 user, ?3 now: a web sign-in */
    ST_WEB_SESSION_USER,   /* ?1 session id -> user id, username (the sign-in is live) */
    ST_WEB_SESSION_DELETE, /* ?1 session id: logout */
    ST_PAGE_ARTICLES,      /* -> title, username, created_at, slug of the 20 newest */
    ST_FEED_LIST,          /* ?1 viewer, ?5 limit, ?6 offset -> page columns */
    ST_FEED_COUNT,         /* ?1 viewer -> count */
    /* What a page of articles needs beside its rows, one statement each for the whole page.
     * ?1 is a JSON array of the page's article ids (authors' ids for following), ?2 the viewer;
     * j.key is the index in the page. */
    ST_PAGE_TAGS,      /* ?1 ids -> index, tag; by index then tag */
    ST_PAGE_FAVORITES, /* ?1 ids, ?2 viewer -> index, count, favorited (one row per article) */
    ST_PAGE_FOLLOWING, /* ?1 author ids, ?2 viewer -> the ids among them the viewer follows */
    /* Article lists: one statement per combination of the filters tag (?2), author (?3) and
     * favorited (?4); ?5 limit, ?6 offset -> page columns. ST_LIST + mask, ST_COUNT + mask. */
    ST_LIST,
    ST_COUNT = ST_LIST + 8,
    ST_COUNT_END = ST_COUNT + 8
};
#define ST_MAX ST_COUNT_END

/* Filter bits of the list statements. */
#define LIST_TAG       1
#define LIST_AUTHOR    2
#define LIST_FAVORITED 4

/* Column layout of the one-article statements (ST_ARTICLE_BY_SLUG, ST_ARTICLE_BY_ID). */
enum article_col {
    AC_ID,
    AC_SLUG,
    AC_TITLE,
    AC_DESCRIPTION,
    AC_BODY,
    AC_CREATED,
    AC_UPDATED,
    AC_USERNAME,
    AC_BIO,
    AC_IMAGE,
    AC_FAVORITES_COUNT,
    AC_FAVORITED,
    AC_FOLLOWING,
    AC_TAGS /* JSON array text, sorted */
};

/* Column layout of the page statements (lists and feed): the article rows only; tags, favorites
 * and following come from the ST_PAGE_* statements. */
enum page_col {
    PC_ID,
    PC_SLUG,
    PC_TITLE,
    PC_DESCRIPTION,
    PC_CREATED,
    PC_UPDATED,
    PC_AUTHOR,
    PC_USERNAME,
    PC_BIO,
    PC_IMAGE
};

/* Column layout of the comment statements. */
enum comment_col { CC_ID, CC_CREATED, CC_BODY, CC_USERNAME, CC_BIO, CC_IMAGE, CC_FOLLOWING };

/* Creates the schema in `target` (an SQLite file path or a PostgreSQL URL; idempotent: a second
 * start on the same database is fine), switches SQLite to WAL and builds the statement texts.
 * Call once, before any worker starts. 0 or -1 (logged). */
int db_init(const char *target);
/* True once db_init chose PostgreSQL. */
bool db_is_postgres(void);

/* Opens / closes the calling thread's connection (quill's worker start and stop hooks). Opening
 * at start makes a database that cannot be opened fail the start, not the first request. */
int db_thread_open(void);
void db_thread_close(void);

/* The calling thread's statement `id`, reset and with its bindings cleared, opening the thread's
 * connection on first use. NULL on failure (logged). */
quill_stmt *db_stmt(enum stmt_id id);

/* The calling thread's connection (NULL if it cannot be opened). */
quill_db *db_conn(void);

/* Runs a statement that returns no rows to completion and resets it. Returns the final
 * quill_stmt_step() result: QUILL_DB_DONE on success, QUILL_DB_UNIQUE / QUILL_DB_CONSTRAINT on a
 * violation, another negative code on an error (logged). */
int db_exec(quill_stmt *st);
/* Runs an INSERT ... RETURNING id and resets it: the new id (> 0), or a negative QUILL_DB_ code. */
int64_t db_insert(quill_stmt *st);

/* Binds that accept absent parameters (SQLITE_RANGE is ignored: some list variants omit some). */
void db_bind_int(quill_stmt *st, int idx, int64_t v);
/* Runs statement `op` (a DELETE taking one id) for id: 0, or -1 on a database error. */
int db_delete_by_id(enum stmt_id op, int64_t id);
void db_bind_text(quill_stmt *st, int idx, const char *s); /* NULL binds NULL */

/* Begin a write transaction (SQLite: IMMEDIATE, the write lock now, so the transaction never fails
 * on upgrade; PostgreSQL: BEGIN, row locks as rows are written), commit, roll back. 0 or -1. */
int db_begin(void);
/* A read transaction (deferred BEGIN), so that several SELECTs see one snapshot. 0 or -1. */
int db_begin_read(void);
int db_commit(void);
void db_rollback(void);
/* A request's statements grouped in one write transaction where that is cheaper: on SQLite every
 * statement outside a transaction takes and drops its WAL locks (two fcntl system calls for a read,
 * four for a write, measured: 12 of a comment's 20 system calls), one IMMEDIATE transaction takes
 * them once; on PostgreSQL BEGIN and COMMIT would be two more round trips, so the statements stay
 * autocommit there. db_group_end(true) commits, (false) rolls back. 0 or -1. */
int db_group_begin(void);
int db_group_end(bool commit);

/* Queries the calling thread fetched with db_stmt() since the last reset (transaction control,
 * BEGIN / COMMIT / ROLLBACK, is not counted); `reset` starts a new count. Backs the X-Query-Count
 * header (BLOG_QUERY_COUNT=1), which shows that list endpoints cost a constant number of queries.
 */
unsigned db_query_count(bool reset);

/* Ends whatever the thread's connection still holds open: resets statements left mid-result (so
 * that no read transaction keeps an old snapshot into the next request) and rolls back a
 * transaction a failed handler left open. Called at the start of every request as a safety net;
 * handlers still reset their statements when done. */
void db_release(void);

/* WAL size (pages) past which a worker's commit asks for a checkpoint (SQLite's default), and
 * the growth after which it asks again. */
#define DB_CHECKPOINT_PAGES 1000
/* WAL size (pages: 32 MiB of 4 KiB pages) past which the checkpoint is a RESTART one, which holds
 * the writers back for a moment so that the WAL starts over (db.c explains why). */
#define DB_WAL_RESTART_PAGES (8 * DB_CHECKPOINT_PAGES)
/* WAL size (pages: 64 MiB) at which the committing thread runs that RESTART itself: the bound on
 * the WAL even when the checkpoint thread gets no CPU (it shares a saturated core). */
#define DB_WAL_LIMIT_PAGES   (2 * DB_WAL_RESTART_PAGES)
#define DB_WAL_LIMIT_WAIT_MS 1000 /* longest a committer waits for the thread's checkpoint */

/* Starts the thread that runs WAL checkpoints off the event loops (db.c explains why); without
 * it, the committing thread checkpoints itself as SQLite would. Call after db_init. 0 or -1.
 * Nothing to do on PostgreSQL (the server checkpoints). */
int db_checkpointer_start(void);
/* Checkpoints the thread has run, and in *restarts (if not NULL) the RESTART checkpoints, the
 * thread's and those a committer ran past DB_WAL_LIMIT_PAGES (tests). */
unsigned db_checkpoints(unsigned *restarts);

/* Stops the checkpoint thread and closes every thread's connection. Call after all workers have
 * stopped. */
void db_shutdown(void);

#endif
