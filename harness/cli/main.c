/* parity: the CLI entry point. Everything lives in the layer libraries; cli.c has the commands. */
#include "cli.h"

int main(int argc, char **argv) {
    return cli_main(argc, argv);
}
