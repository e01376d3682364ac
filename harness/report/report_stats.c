/* report_stats: the Mann-Whitney U test the baseline gate uses (see report_baseline.c).
 *
 * Why this test: repetitions of a benchmark are few (3 to 5), not normally distributed (a
 * noisy neighbour makes one run slow, never one run fast by the same amount) and only their
 * order is trusted. Mann-Whitney compares two small samples by ranks alone. The p-value is
 * exact: the distribution of U under "both samples come from the same distribution" is counted
 * by the recurrence f(u; m, n) = f(u - n; m - 1, n) + f(u; m, n - 1) over every split of the
 * ranks (C(m + n, m) of them), so 3 against 3 gives p = 1/20 = 0.05 at best, one-sided. Ties
 * count one half (then the exact p-value is approximate, on the conservative side). */
#include "report.h"

#include <string.h>

#define RS_MAX_U (REPORT_MWU_MAX_N * REPORT_MWU_MAX_N)

double report_mwu_u(const double *x, size_t m, const double *y, size_t n) {
    double u = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) u += x[i] > y[j] ? 1.0 : x[i] == y[j] ? 0.5 : 0.0;
    return u;
}

/* f[m][n][u]: the number of rank splits giving U = u, for sample sizes m and n. */
static double rs_count(size_t m, size_t n, long u) {
    static double f[REPORT_MWU_MAX_N + 1][REPORT_MWU_MAX_N + 1][RS_MAX_U + 1];
    static int ready;
    if (!ready) {
        memset(f, 0, sizeof f);
        for (size_t a = 0; a <= REPORT_MWU_MAX_N; a++)
            for (size_t b = 0; b <= REPORT_MWU_MAX_N; b++) {
                if (a == 0 || b == 0) {
                    f[a][b][0] = 1;
                    continue;
                }
                for (long k = 0; k <= (long)(a * b); k++)
                    f[a][b][k] = (k >= (long)b ? f[a - 1][b][k - (long)b] : 0) + f[a][b - 1][k];
            }
        ready = 1;
    }
    if (u < 0 || u > (long)(m * n)) return 0;
    return f[m][n][u];
}

double report_mwu_p_less(const double *x, size_t m, const double *y, size_t n) {
    if (m == 0 || n == 0 || m > REPORT_MWU_MAX_N || n > REPORT_MWU_MAX_N) return 1.0;
    double u = report_mwu_u(x, m, y, n);
    /* P(U <= u): a half from a tie rounds up (conservative) */
    long top = (long)u;
    double hits = 0, total = 0;
    for (long k = 0; k <= (long)(m * n); k++) {
        double c = rs_count(m, n, k);
        total += c;
        if (k <= top) hits += c;
    }
    return total > 0 ? hits / total : 1.0;
}
