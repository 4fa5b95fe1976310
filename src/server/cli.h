// The `wisp` command line: run, test, version (serve and mcp come with later issues).
#pragma once

namespace wisp::server {

int runCli(int argc, char** argv);

}  // namespace wisp::server
