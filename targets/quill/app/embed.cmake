# Writes the file IN as a NUL-terminated C array `blog_index_html` into OUT.
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "/* Generated from templates/index.html by embed.cmake; do not edit. */\n"
                  "const char blog_index_html[] = {${bytes}0x00};\n")
