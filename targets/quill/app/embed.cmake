# Writes DIR/<name>.html for each name of the comma-separated NAMES as a NUL-terminated C array
# `blog_tpl_<name>` into OUT (templates/article.html -> blog_tpl_article).
string(REPLACE "," ";" names "${NAMES}")
set(code "/* Generated from the templates directory by embed.cmake; do not edit. */\n")
foreach(name ${names})
  file(READ ${DIR}/${name}.html hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND code "const char blog_tpl_${name}[] = {${bytes}0x00};\n")
endforeach()
file(WRITE ${OUT} "${code}")
