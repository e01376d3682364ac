/* re: POSIX extended regexes, compiled and run in the C.UTF-8 locale whatever the process locale,
 * so that '.' and bracket expressions match UTF-8 characters, not bytes.
 *
 * glibc's regex engine follows LC_CTYPE; the harness never calls setlocale, so by default '.' would
 * match one BYTE of "é". A thread-local switch to C.UTF-8 around regcomp/regexec makes spec regexes
 * character-aware without touching the process locale.
 *
 * Ownership: the caller owns the regex_t (regfree). */
#ifndef PARITY_CORE_RE_H
#define PARITY_CORE_RE_H

#include <regex.h>
#include <stddef.h>

/* re_compile returns 0, or -1 with regerror's message in msg (REG_EXTENDED is always added). */
int re_compile(regex_t *re, const char *pattern, int cflags, char *msg, size_t msgsz);
/* Matches s[0..len) (NUL bytes allowed, REG_STARTEND); returns 0 on a match, REG_NOMATCH
 * otherwise; m[0..nmatch) as regexec. */
int re_exec(const regex_t *re, const char *s, size_t len, size_t nmatch, regmatch_t *m);

#endif
