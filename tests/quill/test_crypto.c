/* test_crypto.c: targets/quill/src/crypto.c — bcrypt hash/check (format, cost, wrong password,
 * corrupt hashes) and random ids. */
#include "quill.h"
#include "quill_crypto.h"

#include <criterion/criterion.h>
#include <string.h>

Test(bcrypt, hash_and_check) {
    char h[QUILL_BCRYPT_HASH_LEN];
    cr_assert_eq(quill_bcrypt_hash("correct horse", 4, h), 0);
    cr_assert_eq(strlen(h), 60);
    cr_assert_eq(strncmp(h, "$2b$04$", 7), 0, "%s", h);
    cr_assert(quill_bcrypt_check("correct horse", h));
    cr_assert_not(quill_bcrypt_check("correct horsf", h));
    cr_assert_not(quill_bcrypt_check("", h));
    char h2[QUILL_BCRYPT_HASH_LEN];
    cr_assert_eq(quill_bcrypt_hash("correct horse", 4, h2), 0);
    cr_assert_str_neq(h, h2, "salted: two hashes differ");
}

Test(bcrypt, cost_is_configurable) {
    char h[QUILL_BCRYPT_HASH_LEN];
    cr_assert_eq(quill_bcrypt_hash("pw", 10, h), 0);
    cr_assert_eq(strncmp(h, "$2b$10$", 7), 0);
    cr_assert(quill_bcrypt_check("pw", h));
    cr_assert_eq(quill_bcrypt_hash("pw", 3, h), -1);
    cr_assert_eq(quill_bcrypt_hash("pw", 32, h), -1);
}

Test(bcrypt, python_bcrypt_hash_verifies) {
    /* generated with python3-bcrypt: bcrypt.hashpw(b"password", bcrypt.gensalt(4)) */
    const char *h = "$2b$04$9kKVZLxM1dli2ot8QICP..HQHFbSPcDL0xsYzKOz.C2RXch4rnWV2";
    cr_assert(quill_bcrypt_check("password", h), "interoperable with the Python targets");
    cr_assert_not(quill_bcrypt_check("Password", h));
}

Test(bcrypt, corrupt_hashes_never_match) {
    const char *bad[] = {"", "$2b$", "plain", "$1$abc$def",
                         "$2b$04$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_not(quill_bcrypt_check("x", bad[i]), "%s", bad[i]);
}

Test(random, hex_ids) {
    char a[9], b[9];
    cr_assert_eq(quill_random_hex(a, 8), 0);
    cr_assert_eq(quill_random_hex(b, 8), 0);
    cr_assert_eq(strlen(a), 8);
    for (int i = 0; i < 8; i++) cr_assert(strchr("0123456789abcdef", a[i]));
    cr_assert_str_neq(a, b);
    char odd[8];
    cr_assert_eq(quill_random_hex(odd, 7), 0);
    cr_assert_eq(strlen(odd), 7);
    static char big[301];
    cr_assert_eq(quill_random_hex(big, 300), 0);
    cr_assert_eq(strlen(big), 300);
    /* all 16 digits show up in 300 random ones */
    for (const char *d = "0123456789abcdef"; *d; d++) cr_assert(strchr(big, *d), "no %c", *d);
}
