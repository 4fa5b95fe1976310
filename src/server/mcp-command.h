// `wisp mcp --upstream SPEC ...`: the MCP server (mcp-host.h) over stdio, for an MCP client that
// starts wisp as a process. Newline-delimited JSON-RPC: each line of stdin is one message, each
// answer one line of stdout, written as it completes (so not necessarily in order). stdout
// carries nothing else; logs go to stderr. At the end of stdin, the answers still due are
// written, the upstream processes are stopped, and wisp exits; on SIGTERM or SIGINT it stops them
// and exits without waiting.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codemode/upstreams.h"
#include "io/limits.h"

namespace wisp::server {

// An upstream as `--upstream` gives it: `[name=]command args...` (a process speaking MCP on
// stdio; words split on spaces, '...' and "..." quote) or `[name=]http(s)://...` (streamable
// HTTP). After a name, leading `VAR=value` words set environment variables of the process, as in
// a shell: `memory=MEMORY_FILE_PATH=/tmp/m.jsonl node server.js`. Without a name, one is made from the URL's host or the command (the package or script
// name, without "server-"/"mcp-server-"). Throws std::invalid_argument for an empty spec or an
// unterminated quote.
codemode::UpstreamSpec parseUpstreamSpec(std::string_view text);

int runMcp(const std::vector<std::string>& upstreams, const io::Limits& limits);

}  // namespace wisp::server
