#!/bin/sh
# check_symbols.sh LIB: fails (exit 1) when the static library defines an external symbol whose
# name does not start with quill_ (public API) or quill__ (internal): an application linking
# libquill.a may define any other name (router_add, conn_close...) without a clash.
# Symbols the compiler's instrumentation adds in sanitizer builds (__asan*, __odr_asan*,
# __ubsan*, __sanitizer*) are not quill's and are ignored. Exit 2 on usage errors.
set -eu
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
    echo "usage: check_symbols.sh path/to/libquill.a" >&2
    exit 2
fi
all=$(nm -g --defined-only "$1" | awk 'NF == 3 { print $3 }')
if [ -z "$all" ]; then
    echo "check_symbols: $1 defines no symbol (nm failed?)" >&2
    exit 2
fi
bad=$(printf '%s\n' "$all" | grep -v -E '^(quill_|__asan|__odr_asan|__ubsan|__sanitizer)' || true)
if [ -n "$bad" ]; then
    echo "check_symbols: $1 exports symbols without the quill_ prefix:" >&2
    printf '  %s\n' $bad >&2
    exit 1
fi
echo "check_symbols: $(printf '%s\n' "$all" | wc -l) symbols, all prefixed quill_"
