/* diff: `parity diff`, differential checking. The same requests go to every target in lockstep
 * and every difference in the answers that the contract does not allow is a finding.
 *
 * Why: a suite checks only what someone thought of; five implementations of one contract are
 * their own oracle. The requests are the suites' own (JSON specs and Hurl files, each target with
 * its own captures) plus variations nobody wrote a test for (diff_vary.c: unexpected methods,
 * unknown query parameters, empty and huge values, odd bodies). Answers are reduced to what the
 * contract fixes (status, the headers it names, the body with generated values masked) by the
 * rules of specs/diff/rules.json, each with its reason (diff_rules.c), then grouped: the largest
 * group is the majority answer, the others are the odd ones out.
 *
 * Output: the divergences on the terminal, grouped by endpoint, and DIR/diff.json (schema in
 * harness/README.md) that `parity report` turns into a section. Exit 0 no divergence, 1
 * divergences, 2 usage or spec errors, 3 a target did not start. */
#ifndef PARITY_DIFF_H
#define PARITY_DIFF_H

int diff_main(int argc, char **argv);

#endif
