/* spec_coverage: maps every endpoint and status code of the blog contract to the steps of
 * specs/blog that check it, and fails when one has no step.
 *
 * Why a separate tool: the suites are data; nothing else notices when an edit drops the last step
 * that checks, say, a 403 on DELETE /api/articles/{slug}. The contract's endpoints and the status
 * codes each can answer are written down once, in CONTRACT below (from specs/README.md,
 * "Contract"); the suites are loaded with the harness's own spec loader (spec.h), and every request
 * step is matched to an endpoint by method and path shape (a segment holding a `{{variable}}`
 * matches a `{param}`; the most literal match wins, so /api/articles/feed is the feed, not a slug).
 * Only steps that expect exactly one status count: `[200, 422]` proves neither.
 *
 * Besides the endpoint table it requires: OPTIONS 204 on every route, HEAD 200 on every GET route,
 * 404 on an unknown path, 405 on a known path with a wrong method, 413 for a body over 1 MiB.
 * It also lints independence: a step that registers a user (POST /api/users expecting 201) must
 * template the username (`{{p}}-alice`), else a second run on the same database gets a 409.
 *
 * usage: spec_coverage [--markdown] [--readme FILE] SPEC_DIR
 *   prints the gaps (exit 1) or "ok"; --markdown prints the coverage table instead;
 *   --readme FILE also checks that FILE holds the current table between the markers
 *   <!-- coverage:begin --> and <!-- coverage:end --> (exit 1 when it is stale).
 * exit: 0 covered, 1 a gap or a stale README, 2 usage or spec-file errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/spec.h"
#include "core/util.h"

#define COV_MAX_STATUS   6   /* statuses listed per endpoint */
#define COV_MAX_SEGS     8   /* path segments compared */
#define COV_MAX_EXAMPLES 2   /* step names shown per table row */
#define COV_MAX_SUITES   64  /* distinct suites named per table row */
#define COV_MAX_SEG_LEN  512 /* bytes of one path segment */

typedef struct endpoint {
    const char *method;
    const char *pattern; /* "{x}" segments match any non-empty segment */
    int status[COV_MAX_STATUS];
} endpoint_t;

/* The contract (specs/README.md "Contract"): every endpoint and every status it can answer. */
static const endpoint_t CONTRACT[] = {
    {"POST", "/api/users/login", {200, 401, 422}},
    {"POST", "/api/users", {201, 409, 422}},
    {"GET", "/api/user", {200, 401}},
    {"PUT", "/api/user", {200, 401, 409, 422}},
    {"GET", "/api/profiles/{username}", {200, 401, 404}},
    {"POST", "/api/profiles/{username}/follow", {200, 401, 404}},
    {"DELETE", "/api/profiles/{username}/follow", {200, 401, 404}},
    {"GET", "/api/articles", {200, 401, 422}},
    {"GET", "/api/articles/feed", {200, 401, 422}},
    {"POST", "/api/articles", {201, 401, 422}},
    {"GET", "/api/articles/{slug}", {200, 401, 404}},
    {"PUT", "/api/articles/{slug}", {200, 401, 403, 404, 422}},
    {"DELETE", "/api/articles/{slug}", {204, 401, 403, 404}},
    {"POST", "/api/articles/{slug}/comments", {201, 401, 404, 422}},
    {"GET", "/api/articles/{slug}/comments", {200, 401, 404}},
    {"DELETE", "/api/articles/{slug}/comments/{id}", {204, 401, 403, 404}},
    {"POST", "/api/articles/{slug}/favorite", {200, 401, 404}},
    {"DELETE", "/api/articles/{slug}/favorite", {200, 401, 404}},
    {"GET", "/api/tags", {200}},
    {"GET", "/plaintext", {200}},
    {"GET", "/json", {200}},
    {"GET", "/", {200}},
};
#define NENDPOINTS (sizeof CONTRACT / sizeof CONTRACT[0])

/* Rows of the table: each (endpoint, status), then the rules that are not one endpoint's. */
enum { ROW_OPTIONS = 0, ROW_HEAD, ROW_UNKNOWN, ROW_METHOD, ROW_TOO_LARGE, NEXTRA };
static const char *const EXTRA_NAMES[NEXTRA] = {
    "OPTIONS on every route (preflight)", "HEAD on every GET route", "unknown path",
    "known path, unsupported method", "body over 1 MiB"};
static const int EXTRA_STATUS[NEXTRA] = {204, 200, 404, 405, 413};

typedef struct row {
    const char *suites[COV_MAX_SUITES];
    int suite_steps[COV_MAX_SUITES];
    size_t nsuites;
    const char *examples[COV_MAX_EXAMPLES][2]; /* suite, step name */
    size_t nexamples;
    int steps;
} row_t;

typedef struct cov {
    int fixed_names; /* registrations with a username that is not templated */
    row_t ep[NENDPOINTS][COV_MAX_STATUS];
    row_t extra[NEXTRA];
    bool options_on[NENDPOINTS]; /* per distinct pattern (first endpoint with it) */
    bool head_on[NENDPOINTS];
} cov_t;

/* Splits path (up to '?') into segments; "/" has none. -1 if there are too many. */
static int split(const char *path, char segs[COV_MAX_SEGS][COV_MAX_SEG_LEN], size_t *n) {
    *n = 0;
    const char *p = path;
    if (*p == '/') p++;
    if (*p == '\0' || *p == '?') return 0;
    for (;;) {
        const char *e = p;
        while (*e && *e != '/' && *e != '?') e++;
        if (*n == COV_MAX_SEGS) return -1;
        size_t len = (size_t)(e - p);
        if (len >= COV_MAX_SEG_LEN) len = COV_MAX_SEG_LEN - 1;
        memcpy(segs[*n], p, len);
        segs[*n][len] = '\0';
        (*n)++;
        if (*e != '/') return 0;
        p = e + 1;
    }
}

/* Score of pattern against the step's path: -1 no match, else the number of literal segments. */
static int match(const char *pattern, const char *path) {
    char ps[COV_MAX_SEGS][COV_MAX_SEG_LEN], ss[COV_MAX_SEGS][COV_MAX_SEG_LEN];
    size_t np, ns;
    if (split(pattern, ps, &np) == -1 || split(path, ss, &ns) == -1 || np != ns) return -1;
    int score = 0;
    for (size_t i = 0; i < np; i++) {
        if (ps[i][0] == '{') {
            if (ss[i][0] == '\0') return -1;
            continue;
        }
        if (strstr(ss[i], "{{") || strcmp(ps[i], ss[i]) != 0) return -1;
        score++;
    }
    return score;
}

/* The endpoint pattern a path belongs to (any method): index of the first endpoint with the
 * best-scoring pattern, or -1 for an unknown path. */
static int route_of(const char *path) {
    int best = -1, best_score = -1;
    for (size_t i = 0; i < NENDPOINTS; i++) {
        int s = match(CONTRACT[i].pattern, path);
        if (s > best_score) {
            best_score = s;
            best = (int)i;
        }
    }
    return best;
}

static int endpoint_of(const char *method, const char *path) {
    int r = route_of(path);
    if (r < 0) return -1;
    for (size_t i = 0; i < NENDPOINTS; i++)
        if (strcmp(CONTRACT[i].pattern, CONTRACT[r].pattern) == 0 &&
            strcmp(CONTRACT[i].method, method) == 0)
            return (int)i;
    return -1;
}

static int first_with_pattern(const char *pattern) {
    for (size_t i = 0; i < NENDPOINTS; i++)
        if (strcmp(CONTRACT[i].pattern, pattern) == 0) return (int)i;
    return -1;
}

static void note(row_t *r, const suite_t *su, const step_t *st) {
    r->steps++;
    size_t i = 0;
    while (i < r->nsuites && strcmp(r->suites[i], su->name) != 0) i++;
    if (i == r->nsuites && r->nsuites < COV_MAX_SUITES) r->suites[r->nsuites++] = su->name;
    if (i < r->nsuites) r->suite_steps[i]++;
    if (r->nexamples < COV_MAX_EXAMPLES) {
        r->examples[r->nexamples][0] = su->name;
        r->examples[r->nexamples][1] = st->name;
        r->nexamples++;
    }
}

/* True when the registration step st templates its username. */
static bool templated_username(const step_t *st) {
    if (st->req.body_kind == BODY_RAW) return strstr(st->req.raw, "{{") != NULL;
    if (st->req.body_kind != BODY_JSON) return true;
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(st->req.json, "user");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(u, "username");
    return !cJSON_IsString(n) || strstr(n->valuestring, "{{") != NULL;
}

static int on_step(void *ctx, const suite_t *su, const step_t *st) {
    cov_t *c = ctx;
    if (st->nstatus != 1) return 0; /* a list of accepted statuses proves none of them */
    int status = st->statuses[0];
    const char *m = st->req.method, *path = st->req.path;
    if (strcmp(m, "POST") == 0 && strcmp(path, "/api/users") == 0 && status == 201 &&
        !templated_username(st)) {
        fprintf(stderr,
                "spec_coverage: %s:%u: suite %s, step \"%s\" registers a fixed username; name it "
                "after {{uid}} (e.g. \"{{p}}-alice\")\n",
                st->loc.file, st->loc.line, su->name, st->name);
        c->fixed_names++;
    }
    int route = route_of(path);
    if (status == 413) note(&c->extra[ROW_TOO_LARGE], su, st);
    if (strcmp(m, "OPTIONS") == 0) {
        if (status == 204) {
            note(&c->extra[ROW_OPTIONS], su, st);
            if (route >= 0) c->options_on[first_with_pattern(CONTRACT[route].pattern)] = true;
        }
        return 0;
    }
    if (route < 0) {
        if (status == 404) note(&c->extra[ROW_UNKNOWN], su, st);
        return 0;
    }
    if (strcmp(m, "HEAD") == 0) {
        int g = endpoint_of("GET", path);
        if (g >= 0 && status == 200) {
            note(&c->extra[ROW_HEAD], su, st);
            c->head_on[g] = true;
        }
        return 0;
    }
    int e = endpoint_of(m, path);
    if (e < 0) {
        if (status == 405) note(&c->extra[ROW_METHOD], su, st);
        return 0;
    }
    for (size_t k = 0; k < COV_MAX_STATUS && CONTRACT[e].status[k]; k++)
        if (CONTRACT[e].status[k] == status) note(&c->ep[e][k], su, st);
    return 0;
}

static void row_md(buf_t *out, const char *what, int status, const row_t *r) {
    buf_printf(out, "| %s | %d | %d |", what, status, r->steps);
    for (size_t i = 0; i < r->nsuites; i++)
        buf_printf(out, "%s%s (%d)", i ? ", " : " ", r->suites[i], r->suite_steps[i]);
    buf_adds(out, " |");
    for (size_t i = 0; i < r->nexamples; i++)
        buf_printf(out, "%s%s: \"%s\"", i ? "; " : " ", r->examples[i][0], r->examples[i][1]);
    buf_adds(out, r->steps ? " |\n" : " **none** |\n");
}

static void table_md(const cov_t *c, buf_t *out) {
    buf_adds(out, "| endpoint | status | steps | suites (steps) | e.g. |\n|---|---|---|---|---|\n");
    char what[256];
    for (size_t i = 0; i < NENDPOINTS; i++)
        for (size_t k = 0; k < COV_MAX_STATUS && CONTRACT[i].status[k]; k++) {
            snprintf(what, sizeof what, "%s `%s`", CONTRACT[i].method, CONTRACT[i].pattern);
            row_md(out, what, CONTRACT[i].status[k], &c->ep[i][k]);
        }
    for (int x = 0; x < NEXTRA; x++) row_md(out, EXTRA_NAMES[x], EXTRA_STATUS[x], &c->extra[x]);
}

static int gaps(const cov_t *c) {
    int n = 0;
    for (size_t i = 0; i < NENDPOINTS; i++) {
        for (size_t k = 0; k < COV_MAX_STATUS && CONTRACT[i].status[k]; k++)
            if (!c->ep[i][k].steps) {
                fprintf(stderr, "spec_coverage: no step checks %s %s -> %d\n", CONTRACT[i].method,
                        CONTRACT[i].pattern, CONTRACT[i].status[k]);
                n++;
            }
        if (first_with_pattern(CONTRACT[i].pattern) == (int)i && !c->options_on[i]) {
            fprintf(stderr, "spec_coverage: no step checks OPTIONS %s -> 204\n",
                    CONTRACT[i].pattern);
            n++;
        }
        if (strcmp(CONTRACT[i].method, "GET") == 0 && !c->head_on[i]) {
            fprintf(stderr, "spec_coverage: no step checks HEAD %s -> 200\n", CONTRACT[i].pattern);
            n++;
        }
    }
    for (int x = 0; x < NEXTRA; x++)
        if (!c->extra[x].steps) {
            fprintf(stderr, "spec_coverage: no step checks %s -> %d\n", EXTRA_NAMES[x],
                    EXTRA_STATUS[x]);
            n++;
        }
    return n;
}

static int check_readme(const char *file, const buf_t *table) {
    static const char BEGIN[] = "<!-- coverage:begin -->\n", END[] = "<!-- coverage:end -->";
    buf_t doc;
    err_t err;
    buf_init(&doc, 4u << 20);
    int rc = 1;
    if (buf_read_file(&doc, file, &err) == -1) {
        fprintf(stderr, "spec_coverage: %s\n", err.msg);
        rc = 2;
        goto out;
    }
    const char *b = strstr(buf_cstr(&doc), BEGIN), *e = b ? strstr(b, END) : NULL;
    if (!b || !e) {
        fprintf(stderr, "spec_coverage: %s: markers %s and %s not found\n", file,
                "<!-- coverage:begin -->", END);
        goto out;
    }
    b += sizeof BEGIN - 1;
    if ((size_t)(e - b) != table->len || memcmp(b, table->ptr, table->len) != 0) {
        fprintf(stderr,
                "spec_coverage: %s: the coverage table is stale; regenerate it with\n"
                "  spec_coverage --markdown specs/blog   (build dir: tests/specs/)\n"
                "and paste it between the coverage markers\n",
                file);
        goto out;
    }
    rc = 0;
out:
    buf_free(&doc);
    return rc;
}

int main(int argc, char **argv) {
    bool markdown = false;
    const char *readme = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--markdown") == 0)
            markdown = true;
        else if (strcmp(argv[i], "--readme") == 0 && i + 1 < argc)
            readme = argv[++i];
        else if (argv[i][0] != '-' && !dir)
            dir = argv[i];
        else {
            fprintf(stderr, "usage: spec_coverage [--markdown] [--readme FILE] SPEC_DIR\n");
            return 2;
        }
    }
    if (!dir) {
        fprintf(stderr, "usage: spec_coverage [--markdown] [--readme FILE] SPEC_DIR\n");
        return 2;
    }
    spec_set_t set;
    spec_set_init(&set);
    const char *paths[] = {dir};
    if (spec_load_paths(&set, paths, 1) == -1) {
        fprintf(stderr, "%s", buf_cstr(&set.errors));
        spec_set_free(&set);
        return 2;
    }
    cov_t *c = calloc(1, sizeof *c);
    if (!c) {
        spec_set_free(&set);
        return 2;
    }
    spec_each_request(&set, on_step, c);
    buf_t table;
    buf_init(&table, 1u << 20);
    table_md(c, &table);
    int rc = (gaps(c) || c->fixed_names) ? 1 : 0;
    if (markdown) fputs(buf_cstr(&table), stdout);
    if (readme) {
        int r = check_readme(readme, &table);
        if (r > rc) rc = r;
    }
    if (!markdown && rc == 0)
        printf("spec_coverage: ok: %zu suites cover every endpoint and status\n", set.n);
    buf_free(&table);
    free(c);
    spec_set_free(&set);
    return rc;
}
