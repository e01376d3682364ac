/* The SQL layer of the blog (db.c) on a real SQLite file: schema idempotence, the list statements'
 * filters and order, tag lists, updatedAt that always moves forward, cascading deletes. */
#include <criterion/criterion.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"

static char path[64];

static void setup(void) {
    snprintf(path, sizeof path, "/tmp/quill-blog-test-%d.db", (int)getpid());
    unlink(path);
    cr_assert_eq(db_init(path), 0);
    cr_assert_eq(db_thread_open(), 0);
}

static void teardown(void) {
    db_thread_close();
    db_shutdown();
    char p[80];
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        unlink(p);
    }
}

static int64_t add_user(const char *name) {
    quill_stmt *st = db_stmt(ST_USER_INSERT);
    db_bind_text(st, 1, name);
    db_bind_text(st, 2, name); /* the e-mail: any unique text */
    db_bind_text(st, 3, "hash");
    int64_t id = db_insert(st);
    cr_assert_gt(id, 0);
    return id;
}

static int64_t add_article(const char *slug, int64_t author, int64_t at, const char *tag) {
    quill_stmt *st = db_stmt(ST_ARTICLE_INSERT);
    db_bind_text(st, 1, slug);
    db_bind_text(st, 2, slug);
    db_bind_text(st, 3, "d");
    db_bind_text(st, 4, "b");
    db_bind_int(st, 5, author);
    db_bind_int(st, 6, at);
    int64_t id = db_insert(st);
    cr_assert_gt(id, 0);
    if (tag) {
        st = db_stmt(ST_TAG_INSERT);
        db_bind_int(st, 1, id);
        db_bind_text(st, 2, tag);
        cr_assert_eq(db_exec(st), QUILL_DB_DONE);
    }
    return id;
}

static void relate(enum stmt_id id, int64_t a, int64_t b) {
    quill_stmt *st = db_stmt(id);
    db_bind_int(st, 1, a);
    db_bind_int(st, 2, b);
    cr_assert_eq(db_exec(st), QUILL_DB_DONE);
}

/* Runs list statement `mask` and writes the slugs, comma-separated, into out; returns the count
 * statement's total. */
static int64_t list(int mask, int64_t viewer, const char *tag, const char *author, const char *fav,
                    int64_t limit, int64_t offset, char *out, size_t cap) {
    quill_stmt *st = db_stmt((enum stmt_id)(ST_LIST + mask));
    quill_stmt *ct = db_stmt((enum stmt_id)(ST_COUNT + mask));
    if (viewer) db_bind_int(st, 1, viewer);
    quill_stmt *both[2] = {st, ct};
    for (int i = 0; i < 2; i++) {
        if (tag) db_bind_text(both[i], 2, tag);
        if (author) db_bind_text(both[i], 3, author);
        if (fav) db_bind_text(both[i], 4, fav);
    }
    db_bind_int(st, 5, limit);
    db_bind_int(st, 6, offset);
    out[0] = '\0';
    size_t n = 0;
    while (quill_stmt_step(st) == QUILL_DB_ROW)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "," : "",
                              quill_stmt_text(st, AC_SLUG).ptr);
    quill_stmt_reset(st);
    cr_assert_eq(quill_stmt_step(ct), QUILL_DB_ROW);
    int64_t total = quill_stmt_int64(ct, 0);
    quill_stmt_reset(ct);
    return total;
}

TestSuite(db, .init = setup, .fini = teardown);

Test(db, schema_creation_is_idempotent) {
    int64_t u = add_user("ann");
    add_article("s1", u, 1000, NULL);
    /* A second start on the same file keeps the data. */
    cr_assert_eq(db_init(path), 0);
    char out[256];
    cr_expect_eq(list(0, 0, NULL, NULL, NULL, 20, 0, out, sizeof out), 1);
    cr_expect_str_eq(out, "s1");
}

Test(db, lists_filter_order_and_page) {
    int64_t ann = add_user("ann"), bob = add_user("bob");
    add_article("a1", ann, 1000, "x");
    add_article("a2", ann, 3000, "y");
    add_article("b1", bob, 2000, "x");
    add_article("b2", bob, 2000, NULL); /* same createdAt as b1: id breaks the tie */
    relate(ST_FAVORITE, bob, 1);
    char out[256];
    cr_expect_eq(list(0, 0, NULL, NULL, NULL, 20, 0, out, sizeof out), 4);
    cr_expect_str_eq(out, "a2,b2,b1,a1");
    cr_expect_eq(list(0, 0, NULL, NULL, NULL, 2, 1, out, sizeof out), 4);
    cr_expect_str_eq(out, "b2,b1");
    cr_expect_eq(list(LIST_TAG, 0, "x", NULL, NULL, 20, 0, out, sizeof out), 2);
    cr_expect_str_eq(out, "b1,a1");
    cr_expect_eq(list(LIST_TAG, 0, "", NULL, NULL, 20, 0, out, sizeof out), 0);
    cr_expect_eq(list(LIST_TAG, 0, "%", NULL, NULL, 20, 0, out, sizeof out), 0);
    cr_expect_eq(list(LIST_AUTHOR, 0, NULL, "ann", NULL, 20, 0, out, sizeof out), 2);
    cr_expect_str_eq(out, "a2,a1");
    cr_expect_eq(list(LIST_FAVORITED, 0, NULL, NULL, "bob", 20, 0, out, sizeof out), 1);
    cr_expect_str_eq(out, "a1");
    cr_expect_eq(list(LIST_TAG | LIST_AUTHOR, 0, "x", "bob", NULL, 20, 0, out, sizeof out), 1);
    cr_expect_str_eq(out, "b1");
    cr_expect_eq(list(7, 0, "x", "bob", "bob", 20, 0, out, sizeof out), 0);
    cr_expect_eq(list(LIST_AUTHOR, 0, NULL, "nobody", NULL, 20, 0, out, sizeof out), 0);
}

Test(db, article_row_carries_counts_flags_and_sorted_tags) {
    int64_t ann = add_user("ann"), bob = add_user("bob");
    int64_t id = add_article("a1", ann, 1000, "zeta");
    const char *more[] = {"Alpha", "beta", "zeta"};
    for (int i = 0; i < 3; i++) {
        quill_stmt *st = db_stmt(ST_TAG_INSERT);
        db_bind_int(st, 1, id);
        db_bind_text(st, 2, more[i]);
        cr_assert_eq(db_exec(st), QUILL_DB_DONE); /* the duplicate is ignored */
    }
    relate(ST_FAVORITE, bob, id);
    relate(ST_FAVORITE, bob, id);
    relate(ST_FAVORITE, ann, id);
    relate(ST_FOLLOW, bob, ann);
    quill_stmt *st = db_stmt(ST_ARTICLE_BY_ID);
    db_bind_int(st, 1, bob);
    db_bind_int(st, 2, id);
    cr_assert_eq(quill_stmt_step(st), QUILL_DB_ROW);
    cr_expect_str_eq(quill_stmt_text(st, AC_TAGS).ptr, "[\"Alpha\",\"beta\",\"zeta\"]");
    cr_expect_eq(quill_stmt_int64(st, AC_FAVORITES_COUNT), 2);
    cr_expect_eq(quill_stmt_int64(st, AC_FAVORITED), 1);
    cr_expect_eq(quill_stmt_int64(st, AC_FOLLOWING), 1);
    cr_expect_str_eq(quill_stmt_text(st, AC_USERNAME).ptr, "ann");
    quill_stmt_reset(st);
    /* Anonymous: NULL viewer, nothing favorited or followed. */
    st = db_stmt(ST_ARTICLE_BY_ID);
    db_bind_int(st, 2, id);
    cr_assert_eq(quill_stmt_step(st), QUILL_DB_ROW);
    cr_expect_eq(quill_stmt_int64(st, AC_FAVORITED), 0);
    cr_expect_eq(quill_stmt_int64(st, AC_FOLLOWING), 0);
    quill_stmt_reset(st);
    st = db_stmt(ST_TAGS_ALL);
    cr_assert_eq(quill_stmt_step(st), QUILL_DB_ROW);
    cr_expect_str_eq(quill_stmt_text(st, 0).ptr, "[\"Alpha\",\"beta\",\"zeta\"]");
    quill_stmt_reset(st);
}

Test(db, update_moves_updated_at_forward) {
    int64_t ann = add_user("ann");
    int64_t id = add_article("a1", ann, INT64_C(9000000000000), NULL); /* in the future */
    quill_stmt *st = db_stmt(ST_ARTICLE_UPDATE);
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, 1000); /* "now" earlier than the stored updatedAt */
    db_bind_int(st, 3, 1);
    db_bind_text(st, 4, "new title");
    cr_assert_eq(db_exec(st), QUILL_DB_DONE);
    st = db_stmt(ST_ARTICLE_BY_ID);
    db_bind_int(st, 2, id);
    cr_assert_eq(quill_stmt_step(st), QUILL_DB_ROW);
    cr_expect_eq(quill_stmt_int64(st, AC_UPDATED), INT64_C(9000000000001));
    cr_expect_eq(quill_stmt_int64(st, AC_CREATED), INT64_C(9000000000000));
    cr_expect_str_eq(quill_stmt_text(st, AC_TITLE).ptr, "new title");
    cr_expect_str_eq(quill_stmt_text(st, AC_BODY).ptr, "b"); /* not sent: kept */
    quill_stmt_reset(st);
}

Test(db, deleting_an_article_cascades) {
    int64_t ann = add_user("ann");
    int64_t id = add_article("a1", ann, 1000, "only-here");
    relate(ST_FAVORITE, ann, id);
    quill_stmt *st = db_stmt(ST_COMMENT_INSERT);
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, ann);
    db_bind_text(st, 3, "c");
    db_bind_int(st, 4, 1000);
    int64_t comment = db_insert(st);
    cr_assert_gt(comment, 0);
    st = db_stmt(ST_ARTICLE_DELETE);
    db_bind_int(st, 1, id);
    cr_assert_eq(db_exec(st), QUILL_DB_DONE);
    st = db_stmt(ST_COMMENT_META);
    db_bind_int(st, 1, comment);
    cr_expect_eq(quill_stmt_step(st), QUILL_DB_DONE);
    quill_stmt_reset(st);
    st = db_stmt(ST_TAGS_ALL);
    cr_assert_eq(quill_stmt_step(st), QUILL_DB_ROW);
    cr_expect_str_eq(quill_stmt_text(st, 0).ptr, "[]");
    quill_stmt_reset(st);
    char out[64];
    cr_expect_eq(list(LIST_FAVORITED, 0, NULL, NULL, "ann", 20, 0, out, sizeof out), 0);
    /* A comment id is never reused (AUTOINCREMENT). */
    id = add_article("a2", ann, 2000, NULL);
    st = db_stmt(ST_COMMENT_INSERT);
    db_bind_int(st, 1, id);
    db_bind_int(st, 2, ann);
    db_bind_text(st, 3, "c");
    db_bind_int(st, 4, 2000);
    cr_expect_gt(db_insert(st), comment);
}

Test(db, unique_constraints_report_constraint) {
    add_user("ann");
    quill_stmt *st = db_stmt(ST_USER_INSERT);
    db_bind_text(st, 1, "ann");
    db_bind_text(st, 2, "other");
    db_bind_text(st, 3, "hash");
    cr_expect_eq(db_insert(st), QUILL_DB_UNIQUE);
    st = db_stmt(ST_USER_TAKEN);
    db_bind_text(st, 1, "ann");
    db_bind_text(st, 2, "ann");
    db_bind_int(st, 3, 0);
    cr_assert_eq(quill_stmt_step(st), QUILL_DB_ROW);
    cr_expect_eq(quill_stmt_int64(st, 0), 1);
    cr_expect_eq(quill_stmt_int64(st, 1), 1);
    quill_stmt_reset(st);
    st = db_stmt(ST_USER_TAKEN); /* your own name is not taken */
    db_bind_text(st, 1, "ann");
    db_bind_text(st, 2, "ANN");
    db_bind_int(st, 3, 1);
    cr_assert_eq(quill_stmt_step(st), QUILL_DB_ROW);
    cr_expect_eq(quill_stmt_int64(st, 0), 0);
    cr_expect_eq(quill_stmt_int64(st, 1), 0);
    quill_stmt_reset(st);
}

/* Commits past DB_CHECKPOINT_PAGES of WAL make the checkpoint thread run, not the committing
 * thread (whose connection has SQLite's automatic checkpoint replaced by the WAL hook). */
Test(db, checkpoints_run_on_the_checkpoint_thread) {
    cr_assert_eq(db_checkpointer_start(), 0);
    cr_assert_eq(db_checkpoints(NULL), 0);
    char name[32];
    /* Each commit appends at least one page (the users table; the two unique indexes too). */
    for (int i = 0; i < DB_CHECKPOINT_PAGES + 10; i++) {
        snprintf(name, sizeof name, "user-%d", i);
        add_user(name);
    }
    /* Bounded wait for the other thread (not a timing assertion: 10 s is a generous limit). */
    for (int i = 0; i < 1000 && db_checkpoints(NULL) == 0; i++) usleep(10000);
    cr_assert_gt(db_checkpoints(NULL), 0, "no checkpoint ran on the checkpoint thread");
}

/* Sustained commits: a checkpoint per DB_CHECKPOINT_PAGES of WAL growth, not one per commit, and a
 * WAL that starts over instead of growing with every commit (a PASSIVE checkpoint never catches a
 * writer that does not pause; db.c), whether or not the checkpoint thread gets the core in time
 * (past DB_WAL_LIMIT_PAGES the committer restarts the WAL itself). The commits below write more
 * frames than DB_WAL_LIMIT_PAGES, so an unbounded WAL would exceed the size checked. */
Test(db, sustained_commits_keep_the_wal_bounded) {
    /* One core for the writer and the checkpoint thread, as a pinned server has (the thread
     * inherits this affinity; criterion runs each test in its own process). */
    cpu_set_t one;
    cr_assert_eq(sched_getaffinity(0, sizeof one, &one), 0);
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &one)) {
            CPU_ZERO(&one);
            CPU_SET(cpu, &one);
            break;
        }
    cr_assert_eq(sched_setaffinity(0, sizeof one, &one), 0);
    cr_assert_eq(db_checkpointer_start(), 0);
    enum { COMMITS = 6000 }; /* each appends 3 pages or more: users and its two unique indexes */
    char name[32];
    for (int i = 0; i < COMMITS; i++) {
        snprintf(name, sizeof name, "writer-%d", i);
        add_user(name);
    }
    unsigned restarts = 0, runs = db_checkpoints(&restarts);
    /* A request per 1000 pages of growth: at most 4 pages a commit here, so 24 requests; one per
     * commit past the first 1000 pages (the defect) would be thousands. */
    cr_expect_leq(runs, COMMITS * 4 / DB_CHECKPOINT_PAGES + 1, "%u checkpoints for %d commits",
                  runs, COMMITS);
    char wal[80];
    snprintf(wal, sizeof wal, "%s-wal", path);
    struct stat sb;
    cr_assert_eq(stat(wal, &sb), 0);
    /* 4096-byte pages, each a frame with a 24-byte header; the commit that crosses the limit
     * adds a few pages beyond it (64: generous) */
    long long cap = (DB_WAL_LIMIT_PAGES + 64LL) * (4096 + 24) + 32;
    cr_expect_leq((long long)sb.st_size, cap, "WAL of %lld bytes after %d commits (%u restarts)",
                  (long long)sb.st_size, COMMITS, restarts);
}
