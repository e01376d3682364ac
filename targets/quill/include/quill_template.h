/*
 * quill_template.h: templates compiled at start-up and rendered against a cJSON context.
 * Optional part of quill: include it beside quill.h when the application uses it.
 */
#ifndef QUILL_TEMPLATE_H
#define QUILL_TEMPLATE_H

#include "quill.h"

#include <cjson/cJSON.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Templates: compiled once at start-up, rendered against a cJSON context.
 *   {{ expr }}        value, HTML-escaped (& < > " ')      {{ expr | safe }}   value, raw
 *   {% for x in expr %} ... {% else %} (when empty) ... {% endfor %}   (x is bound in the body;
 *                     loop.index (1-based) and loop.first / loop.last are available)
 *   {% if expr %} ... {% else %} ... {% endif %}   truthy: not null/false/0/""/[]/{}
 *   {# comment #}
 * expr is a dotted path into the context: `article.author.username`, `items.0`. Strings render
 * as is, numbers as integers when integral (else %.17g), true/false, null as "". A missing value
 * renders as "".
 * ------------------------------------------------------------------------------------------- */

typedef struct quill_tpl quill_tpl;

/* Compiles `src`; NULL on a syntax error, with "line N: message" in err (if errlen > 0). */
quill_tpl *quill_tpl_compile(const char *src, char *err, size_t errlen);
/* Reads and compiles a file; the error message names the file. */
quill_tpl *quill_tpl_load(const char *path, char *err, size_t errlen);
void quill_tpl_free(quill_tpl *t);
/* Appends the rendering to `out`. Thread-safe (a compiled template is immutable). */
int quill_tpl_render(const quill_tpl *t, const cJSON *ctx, quill_buf *out);
/* Renders into `res` as text/html; a failure answers 500. */
int quill_tpl_respond(const quill_tpl *t, const cJSON *ctx, quill_req *req, quill_res *res,
                      int status);

#ifdef __cplusplus
}
#endif
#endif /* QUILL_TEMPLATE_H */
