#include "server/cli.h"

int main(int argc, char** argv) { return wisp::server::runCli(argc, argv); }
