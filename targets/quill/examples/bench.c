/*
 * bench.c: the TechEmpower overhead endpoints and nothing else, the quill side of
 * scripts/bench-quill (nginx's side is `return 200 "Hello, World!"`): no hooks, no CORS header,
 * so both servers do the same work. HOST, PORT, WORKERS from the environment.
 *   GET /plaintext  "Hello, World!" (text/plain; charset=utf-8)
 *   GET /json       {"message":"Hello, World!"}, serialized per request by the JSON writer
 */
#include "quill.h"
#include "quill_json.h"

static void plaintext(quill_req *req, quill_res *res) {
    (void)req;
    static const char hello[] = "Hello, World!";
    quill_res_body_ref(res, 200, QUILL_CT_TEXT, hello, sizeof(hello) - 1);
}

static void json(quill_req *req, quill_res *res) {
    quill_jw w;
    quill_jw_init(&w, quill_req_arena(req));
    quill_jw_obj(&w);
    quill_jw_key(&w, "message");
    quill_jw_str(&w, "Hello, World!");
    quill_jw_end(&w);
    quill_jw_respond(&w, res, 200);
}

int main(void) {
    quill_app *app = quill_app_new();
    quill_route(app, "GET", "/plaintext", plaintext);
    quill_route(app, "GET", "/json", json);
    quill_config cfg = quill_config_default();
    if (quill_config_from_env(&cfg) < 0) {
        quill_app_free(app);
        return 2;
    }
    int rc = quill_run(app, &cfg);
    quill_app_free(app);
    return rc == 0 ? 0 : 1;
}
