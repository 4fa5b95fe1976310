// `wisp serve [dir]`: the HTTP server in front of Workers. With a wrangler config whose `main`
// names a Worker, that Worker (the host) answers every request; without one, the built-in host
// serves the execute API (execute-api.h).
#pragma once

#include <optional>
#include <string>

namespace wisp::server {

struct ServeFlags {
  std::string dir = ".";
  std::optional<std::string> listen;  // overrides wisp.listen
};

// Runs until SIGTERM/SIGINT (graceful drain). Returns the process exit code.
int runServe(const ServeFlags& flags);

}  // namespace wisp::server
