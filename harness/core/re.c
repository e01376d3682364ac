/* re: POSIX extended regexes in the C.UTF-8 locale. See re.h. */
#include "re.h"

#include <locale.h>
#include <pthread.h>

/* glibc's regex engine follows LC_CTYPE; the harness never calls setlocale, so by default '.'
 * would match one BYTE of "é". A thread-local switch to C.UTF-8 around regcomp/regexec makes
 * spec regexes character-aware without touching the process locale. */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_init(void) {
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static locale_t utf8_enter(void) {
    pthread_once(&utf8_once, utf8_init);
    return utf8_locale ? uselocale(utf8_locale) : (locale_t)0;
}

static void utf8_leave(locale_t old) {
    if (old) uselocale(old);
}

int re_compile(regex_t *re, const char *pattern, int cflags, char *msg, size_t msgsz) {
    locale_t old = utf8_enter();
    int rc = regcomp(re, pattern, REG_EXTENDED | cflags);
    if (rc != 0 && msg) regerror(rc, re, msg, msgsz);
    utf8_leave(old);
    return rc == 0 ? 0 : -1;
}

int re_exec(const regex_t *re, const char *s, size_t len, size_t nmatch, regmatch_t *m) {
    regmatch_t whole[1];
    if (nmatch == 0) m = whole, nmatch = 1;
    m[0].rm_so = 0;
    m[0].rm_eo = (regoff_t)len;
    locale_t old = utf8_enter();
    int rc = regexec(re, s, nmatch, m, REG_STARTEND);
    utf8_leave(old);
    return rc;
}
