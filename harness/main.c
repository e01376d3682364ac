/* parity: the CLI entry point. Everything lives in parity_core; see cli.c for the commands. */
#include "cli.h"

int main(int argc, char **argv) {
    return cli_main(argc, argv);
}
