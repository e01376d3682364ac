/* db_url: libpq URIs for DATABASE_URL (see db.h). Pure string work, unit-tested in
 * tests/harness/db/test_db_url.c.
 *
 * Only the structure is parsed (where the authority, the path and the query are): the parts stay
 * percent-encoded as the user wrote them, and libpq decodes them when it connects. */
#include <stdio.h>
#include <string.h>

#include "db.h"

int db_url_parse(const char *url, db_url_t *u, err_t *err) {
    size_t skip;
    if (strncmp(url, "postgresql://", 13) == 0)
        skip = 13;
    else if (strncmp(url, "postgres://", 11) == 0)
        skip = 11;
    else
        return err_set(err,
                       "--db-url wants postgresql://[USER[:PASSWORD]@][HOST][:PORT][/DBNAME]"
                       "[?PARAMS], got '%.200s'",
                       url);
    size_t n = strlen(url);
    if (n >= DB_URL_MAX) return err_set(err, "--db-url longer than %d bytes", DB_URL_MAX - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f)
            return err_set(err, "--db-url has a space or control character at byte %zu", i);
    /* The authority ends at the first '/' or '?' (an '@' or ':' inside a password must be
     * percent-encoded in a URI, so neither can hide one). */
    u->auth_end = skip + strcspn(url + skip, "/?");
    u->path = u->auth_end;
    u->path_end = url[u->path] == '/' ? u->path + strcspn(url + u->path, "?") : u->path;
    if (strchr(url, '#')) /* in a password it must be %23, as in any URI */
        return err_set(err, "--db-url must not have a #fragment");
    return 0;
}

int db_url_with_dbname(const char *url, const char *dbname, char *out, size_t outlen, err_t *err) {
    db_url_t u;
    if (db_url_parse(url, &u, err) < 0) return -1;
    /* dbname comes from db_name_for ([a-z0-9_]): nothing to encode. */
    int w = snprintf(out, outlen, "%.*s/%s%s", (int)u.auth_end, url, dbname, url + u.path_end);
    if (w < 0 || (size_t)w >= outlen) return err_set(err, "database URL too long");
    return 0;
}

/* RFC 3986 unreserved characters and '/' stay; everything else is %XX. */
static int db_url_encode(const char *s, char *out, size_t outlen) {
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool keep = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || strchr("-._~/", *p);
        if (o + (keep ? 1 : 3) >= outlen) return -1;
        if (keep) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
    return 0;
}

int db_url_socket(const char *user, const char *dbname, const char *sockdir, int port, char *out,
                  size_t outlen, err_t *err) {
    char enc[DB_URL_MAX];
    if (sockdir[0] != '/') return err_set(err, "socket directory '%s' is not absolute", sockdir);
    if (db_url_encode(sockdir, enc, sizeof enc) < 0)
        return err_set(err, "socket directory path too long");
    int w = snprintf(out, outlen, "postgresql://%s@/%s?host=%s&port=%d", user, dbname, enc, port);
    if (w < 0 || (size_t)w >= outlen) return err_set(err, "database URL too long");
    return 0;
}

void db_name_for(const char *target, long pid, unsigned seq, char *out, size_t outlen) {
    if (outlen > DB_NAME_MAX) outlen = DB_NAME_MAX; /* 63 bytes + NUL */
    int w = snprintf(out, outlen, "parity_%ld_%u_%s", pid, seq, target);
    size_t n = w < 0 ? 0 : ((size_t)w >= outlen ? outlen - 1 : (size_t)w);
    out[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        char c = out[i];
        if (c >= 'A' && c <= 'Z')
            out[i] = (char)(c - 'A' + 'a');
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            out[i] = '_';
    }
}
