/* hello.c: the smallest quill app (the README's hello-world). HOST, PORT, WORKERS from the env. */
#include "quill.h"

static void hello(quill_req *req, quill_res *res) {
    (void)req;
    quill_res_text(res, 200, "Hello, World!");
}

int main(void) {
    quill_app *app = quill_app_new();
    quill_route(app, "GET", "/", hello);
    quill_config cfg = quill_config_default();
    if (quill_config_from_env(&cfg) < 0) {
        quill_app_free(app);
        return 2;
    }
    int rc = quill_run(app, &cfg);
    quill_app_free(app);
    return rc == 0 ? 0 : 1;
}
