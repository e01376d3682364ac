/* xpath: XPath 1.0 over HTML bodies with libxml2. See xpath.h. */
#include "xpath.h"

#include <math.h>
#include <pthread.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "jsonloc.h"

/* libxml2 prints parse errors to stderr by default (an HTML5 page draws "Tag nav invalid", "Tag
 * time invalid": its HTML parser knows HTML 4); a response body is not ours to complain about on
 * the terminal, and assertions report what they found. The parse options below silence the
 * parser; these handlers silence the rest (XPath evaluation errors). libxml2 keeps its error
 * handlers per thread, and `parity check` evaluates in several: each thread installs them once;
 * xmlInitParser runs once per process. */
static void xp_quiet(void *ctx, const char *msg, ...) {
    (void)ctx;
    (void)msg;
}

static void xp_quiet_structured(void *ctx, xmlErrorPtr e) {
    (void)ctx;
    (void)e;
}

static pthread_once_t xp_once = PTHREAD_ONCE_INIT;

static void xp_init_once(void) {
    xmlInitParser();
}

static void xp_init(void) {
    static _Thread_local int done;
    pthread_once(&xp_once, xp_init_once);
    if (!done) {
        xmlSetGenericErrorFunc(NULL, xp_quiet);
        xmlSetStructuredErrorFunc(NULL, xp_quiet_structured);
        done = 1;
    }
}

int xpath_check(const char *expr, err_t *err) {
    xp_init();
    xmlXPathCompExprPtr c = xmlXPathCompile((const xmlChar *)expr);
    if (!c) return err_set(err, "invalid XPath 1.0 expression \"%s\"", expr);
    xmlXPathFreeCompExpr(c);
    return 0;
}

static cJSON *xp_number(double d) {
    if (isfinite(d) && d == floor(d) && fabs(d) < 9007199254740992.0)
        return jl_create_integer((long long)d);
    return cJSON_CreateNumber(d);
}

static cJSON *xp_nodes(xmlNodeSetPtr ns, err_t *err) {
    cJSON *list = cJSON_CreateArray();
    int n = ns ? ns->nodeNr : 0;
    if (n > XPATH_MAX_NODES) {
        cJSON_Delete(list);
        err_set(err, "XPath result has %d nodes (over %d)", n, XPATH_MAX_NODES);
        return NULL;
    }
    for (int i = 0; list && i < n; i++) {
        xmlChar *s = xmlNodeGetContent(ns->nodeTab[i]);
        cJSON *v = cJSON_CreateString(s ? (const char *)s : "");
        xmlFree(s);
        if (!v || !cJSON_AddItemToArray(list, v)) {
            cJSON_Delete(v);
            cJSON_Delete(list);
            list = NULL;
        }
    }
    if (!list) err_set(err, "out of memory");
    return list;
}

int xpath_eval(const char *expr, const char *body, size_t len, bool xml, cJSON **out, bool *nodeset,
               err_t *err) {
    xp_init();
    *out = NULL;
    *nodeset = false;
    if (len > (size_t)INT32_MAX) return err_set(err, "body too large for XPath");
    int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET;
    xmlDocPtr doc = xml ? xmlReadMemory(body, (int)len, NULL, "UTF-8",
                                        XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NONET)
                        : htmlReadMemory(body, (int)len, NULL, "UTF-8", opts);
    if (!doc) return err_set(err, "body cannot be parsed as %s for XPath", xml ? "XML" : "HTML");
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr r = ctx ? xmlXPathEvalExpression((const xmlChar *)expr, ctx) : NULL;
    int rc = 0;
    if (!r) {
        rc = err_set(err, "XPath \"%s\" cannot be evaluated on this body", expr);
    } else {
        switch (r->type) {
        case XPATH_NODESET:
            *nodeset = true;
            *out = xp_nodes(r->nodesetval, err);
            break;
        case XPATH_BOOLEAN: *out = cJSON_CreateBool(r->boolval); break;
        case XPATH_NUMBER: *out = xp_number(r->floatval); break;
        case XPATH_STRING:
            *out = cJSON_CreateString(r->stringval ? (const char *)r->stringval : "");
            break;
        default: rc = err_set(err, "XPath \"%s\" gives an unsupported result type", expr);
        }
        if (rc == 0 && !*out) rc = -1;
    }
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return rc;
}
