/* junit: the JUnit XML is parsed back with a small strict XML reader (well-formedness: nesting,
 * quoted attributes, known entities only, no raw '<' or '&' in text, no control characters, valid
 * UTF-8) and its testsuites/testcases/failures are checked against the model. No XML library:
 * libxml2 is not a dependency of parity. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/results.h"
#include "sample_run.h"

#define MAX_EL   256
#define MAX_ATTR 16

typedef struct el {
    char name[32];
    char attr_names[MAX_ATTR][32];
    char *attr_vals[MAX_ATTR];
    int nattr;
    int parent; /* index of the parent element, -1 at the root */
    char *text; /* unescaped text content (direct children text) */
} el_t;

typedef struct doc {
    el_t el[MAX_EL];
    int n;
    char err[256];
} doc_t;

/* The reader reports the first problem in d->err and returns false (no assert inside, so the
 * reader itself can be tested on bad input). */
#define XCHECK(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            snprintf(d->err, sizeof d->err, __VA_ARGS__);                                          \
            return false;                                                                          \
        }                                                                                          \
    } while (0)

/* Unescapes s[0..n) into *out; false on a raw '<' or an unknown entity. */
static bool unescape(doc_t *d, const char *s, size_t n, char **out) {
    char *o = malloc(n + 1);
    size_t k = 0;
    *out = o;
    for (size_t i = 0; i < n; i++) {
        XCHECK(s[i] != '<', "raw '<' in text or attribute");
        if (s[i] != '&') {
            o[k++] = s[i];
            continue;
        }
        static const struct {
            const char *ent;
            char c;
        } ents[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        size_t e = 0;
        for (; e < 5; e++)
            if (strncmp(s + i, ents[e].ent, strlen(ents[e].ent)) == 0) break;
        XCHECK(e < 5, "unknown entity at: %.10s", s + i);
        o[k++] = ents[e].c;
        i += strlen(ents[e].ent) - 1;
    }
    o[k] = '\0';
    return true;
}

static bool parse(const char *x, doc_t *d) {
    memset(d, 0, sizeof *d);
    XCHECK(str_utf8_valid(x, strlen(x)), "the XML is not valid UTF-8");
    for (const unsigned char *p = (const unsigned char *)x; *p; p++)
        XCHECK(*p >= 0x20 || *p == '\n' || *p == '\t' || *p == '\r',
               "control character 0x%02x in the XML", *p);
    XCHECK(str_starts_with(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
           "no XML declaration");
    const char *p = strstr(x, "?>") + 2;
    int stack[64], depth = 0;
    bool root_seen = false;
    while (*p) {
        if (*p != '<') {
            const char *e = strchr(p, '<');
            if (!e) e = p + strlen(p);
            if (depth > 0) {
                char *t;
                bool ok = unescape(d, p, (size_t)(e - p), &t);
                if (!ok) {
                    free(t);
                    return false;
                }
                el_t *cur = &d->el[stack[depth - 1]];
                size_t ol = cur->text ? strlen(cur->text) : 0;
                cur->text = realloc(cur->text, ol + strlen(t) + 1);
                memcpy(cur->text + ol, t, strlen(t) + 1);
                free(t);
            } else {
                for (const char *q = p; q < e; q++)
                    XCHECK(*q == '\n' || *q == ' ', "text outside the root");
            }
            p = e;
            continue;
        }
        if (p[1] == '/') {
            const char *e = strchr(p, '>');
            XCHECK(e, "unterminated closing tag");
            XCHECK(depth > 0, "closing tag without an open one");
            el_t *cur = &d->el[stack[depth - 1]];
            XCHECK(strncmp(p + 2, cur->name, strlen(cur->name)) == 0 &&
                       p[2 + strlen(cur->name)] == '>',
                   "</%.20s> closes <%s>", p + 2, cur->name);
            depth--;
            p = e + 1;
            continue;
        }
        XCHECK(d->n < MAX_EL, "too many elements");
        XCHECK(depth > 0 || !root_seen, "two root elements");
        XCHECK(depth < 64, "too deep");
        root_seen = true;
        el_t *el = &d->el[d->n];
        el->parent = depth ? stack[depth - 1] : -1;
        p++;
        size_t nl = strcspn(p, " />\n");
        XCHECK(nl > 0 && nl < sizeof el->name, "bad element name");
        memcpy(el->name, p, nl);
        p += nl;
        for (;;) {
            while (*p == ' ' || *p == '\n') p++;
            if (*p == '/' && p[1] == '>') {
                p += 2;
                d->n++;
                break;
            }
            if (*p == '>') {
                p++;
                stack[depth++] = d->n++;
                break;
            }
            size_t an = strcspn(p, "=");
            XCHECK(an > 0 && an < 32 && p[an] == '=' && p[an + 1] == '"',
                   "malformed attribute at %.20s", p);
            XCHECK(el->nattr < MAX_ATTR, "too many attributes");
            memcpy(el->attr_names[el->nattr], p, an);
            p += an + 2;
            const char *e = strchr(p, '"');
            XCHECK(e, "unterminated attribute");
            bool ok = unescape(d, p, (size_t)(e - p), &el->attr_vals[el->nattr++]);
            if (!ok) return false;
            p = e + 1;
            XCHECK(*p == ' ' || *p == '/' || *p == '>' || *p == '\n',
                   "no space after an attribute");
        }
    }
    XCHECK(depth == 0, "unclosed elements");
    XCHECK(root_seen, "no root element");
    return true;
}

static const char *attr(const el_t *e, const char *name) {
    for (int i = 0; i < e->nattr; i++)
        if (strcmp(e->attr_names[i], name) == 0) return e->attr_vals[i];
    return NULL;
}

static const el_t *child(const doc_t *d, int parent, const char *name) {
    for (int i = 0; i < d->n; i++)
        if (d->el[i].parent == parent && strcmp(d->el[i].name, name) == 0) return &d->el[i];
    return NULL;
}

static void doc_free(doc_t *d) {
    /* <= n: a parse that failed inside an element left its attributes in el[n]. */
    for (int i = 0; i <= d->n && i < MAX_EL; i++) {
        for (int k = 0; k < d->el[i].nattr; k++) free(d->el[i].attr_vals[k]);
        free(d->el[i].text);
    }
}

static char *write_and_read(const result_run_t *r) {
    char path[] = "/tmp/parity-junit-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    err_t err;
    cr_assert_eq(junit_write(r, path, &err), 0, "%s", err.msg);
    buf_t b;
    buf_init(&b, 1 << 22);
    cr_assert_eq(buf_read_file(&b, path, &err), 0);
    unlink(path);
    char *s = buf_detach(&b);
    return s ? s : strdup("");
}

Test(junit, parses_back_and_matches_the_model) {
    result_run_t r;
    sample_run(&r);
    char *x = write_and_read(&r);
    static doc_t d;
    cr_assert(parse(x, &d), "invalid XML: %s", d.err);
    const el_t *root = &d.el[0];
    cr_assert_str_eq(root->name, "testsuites");
    /* 7 steps + 1 start error */
    cr_assert_str_eq(attr(root, "tests"), "8");
    cr_assert_str_eq(attr(root, "failures"), "1");
    cr_assert_str_eq(attr(root, "errors"), "2");
    cr_assert_str_eq(attr(root, "skipped"), "1");
    cr_assert_str_eq(attr(root, "time"), "1.500");
    int nsuites = 0, ncases = 0, nfail = 0, nerr = 0, nskip = 0;
    for (int i = 0; i < d.n; i++) {
        const el_t *e = &d.el[i];
        if (strcmp(e->name, "testsuite") == 0) {
            nsuites++;
            cr_assert_eq(e->parent, 0);
            int cases = 0;
            for (int k = 0; k < d.n; k++)
                cases += d.el[k].parent == i && strcmp(d.el[k].name, "testcase") == 0;
            cr_assert_eq(strtol(attr(e, "tests"), NULL, 10), cases, "tests= of %s",
                         attr(e, "name"));
        }
        if (strcmp(e->name, "testcase") == 0) {
            ncases++;
            cr_assert_str_eq(d.el[e->parent].name, "testsuite");
            cr_assert_str_eq(attr(e, "classname"), attr(&d.el[e->parent], "name"),
                             "classname is target.suite");
        }
        nfail += strcmp(e->name, "failure") == 0;
        nerr += strcmp(e->name, "error") == 0;
        nskip += strcmp(e->name, "skipped") == 0;
    }
    cr_assert_eq(nsuites, 3, "alpha.users, alpha.tags, beta.start");
    cr_assert_eq(ncases, 8);
    cr_assert_eq(nfail, 1);
    cr_assert_eq(nerr, 2);
    cr_assert_eq(nskip, 1);
    /* The failing step: name kept (UTF-8, '#'), first check as message, details in the text. */
    const el_t *tc = NULL;
    for (int i = 0; i < d.n; i++)
        if (strcmp(d.el[i].name, "testcase") == 0 && strcmp(attr(&d.el[i], "name"), UTF8_NAME) == 0)
            tc = &d.el[i];
    cr_assert_not_null(tc, "testcase \"%s\"", UTF8_NAME);
    cr_assert_str_eq(attr(tc, "classname"), "alpha.users");
    cr_assert_str_eq(attr(tc, "file"), "specs/blog/users.json");
    cr_assert_str_eq(attr(tc, "line"), "20");
    const el_t *f = child(&d, (int)(tc - d.el), "failure");
    cr_assert_not_null(f);
    cr_assert_str_eq(attr(f, "message"), "expected status == 200, got 500");
    cr_assert(strstr(f->text,
                     "specs/blog/users.json:27:11: [\"jsonpath\", \"$.user.bio\", \"isNull\"]: "
                     "expected == \"<a & b>\", got 'x'\nline2 \\x01 \\xFF end"),
              "text: %s", f->text);
    cr_assert(strstr(f->text, "request: GET http://127.0.0.1:40000/api/user?a=1&b=2"));
    cr_assert(strstr(f->text, "<html>&amp;</html>"), "the response, escaped once");
    cr_assert(strstr(f->text, "reproduce: curl -i "));
    /* The skip and its reason; the setup and teardown labels. */
    bool saw_skip = false, saw_setup = false, saw_teardown = false;
    for (int i = 0; i < d.n; i++) {
        if (strcmp(d.el[i].name, "skipped") == 0) {
            saw_skip = true;
            cr_assert(strstr(attr(&d.el[i], "message"), "not run: step"));
        }
        if (strcmp(d.el[i].name, "testcase") == 0) {
            saw_setup |= strcmp(attr(&d.el[i], "name"), "setup: register") == 0;
            saw_teardown |= strcmp(attr(&d.el[i], "name"), "teardown: cleanup #2") == 0;
        }
    }
    cr_assert(saw_skip && saw_setup && saw_teardown);
    /* The target that did not start: one error with the start message. */
    const el_t *bs = NULL;
    for (int i = 0; i < d.n; i++)
        if (strcmp(d.el[i].name, "testsuite") == 0 &&
            strcmp(attr(&d.el[i], "name"), "beta.start") == 0)
            bs = &d.el[i];
    cr_assert_not_null(bs);
    const el_t *bc = child(&d, (int)(bs - d.el), "testcase");
    const el_t *be = child(&d, (int)(bc - d.el), "error");
    cr_assert_not_null(be);
    cr_assert(strstr(attr(be, "message"), "fatal: <db> & \"x\""));
    /* Properties carry the target's version, unescaped intact. */
    const el_t *props = child(&d, 1, "properties");
    cr_assert_not_null(props);
    bool ver = false;
    for (int i = 0; i < d.n; i++)
        if (strcmp(d.el[i].name, "property") == 0 && strcmp(attr(&d.el[i], "name"), "version") == 0)
            ver |= strcmp(attr(&d.el[i], "value"), "Alpha 1.0 <beta> & \"q\"") == 0;
    cr_assert(ver);
    doc_free(&d);
    free(x);
    results_free(&r);
}

/* The reader itself must reject broken XML, or the test above proves nothing. */
Test(junit, reader_rejects_bad_xml) {
    const char *bad[] = {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b></a></b>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"1 & 2\"/>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\x01</a>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\xff</a>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a><b>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=1/>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a/><b/>",
    };
    static doc_t d;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_assert(!parse(bad[i], &d), "bad XML %zu accepted", i);
        doc_free(&d);
    }
    cr_assert(
        parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"&lt;&amp;\"><b/>t&gt;</a>\n", &d),
        "%s", d.err);
    cr_assert_str_eq(d.el[0].attr_vals[0], "<&");
    cr_assert_str_eq(d.el[0].text, "t>");
    doc_free(&d);
}
