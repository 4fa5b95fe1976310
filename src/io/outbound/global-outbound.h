// io::GlobalOutbound: where a Worker's global fetch() goes (api::OutboundHost), and what the
// Worker tells it when an invocation ends. Two kinds: NetworkOutbound (the network, under the
// process's egress policy) and EntrypointOutbound (each request handed to an entrypoint of
// another Worker: a dynamic Worker's `globalOutbound` Fetcher). No outbound at all means fetch()
// is blocked (`globalOutbound: null`).
#pragma once

#include <memory>
#include <string>

#include "api/fetch.h"
#include "api/rpc.h"
#include "io/request-context.h"

namespace wisp::io {

class Worker;

class GlobalOutbound : public api::OutboundHost {
 public:
  // The invocation `ctx` is over: its requests still open are cancelled.
  virtual void invocationFinished(const RequestContext* ctx) = 0;
};

// Where an EntrypointOutbound sends its requests: an entrypoint of another Worker on the same
// loop (for a dynamic Worker, its host's ctx.exports.Name({props})).
struct OutboundEntrypoint {
  std::weak_ptr<Worker> worker;                  // the requests fail once it is gone
  std::string entrypoint;                        // "default" or a named export
  std::shared_ptr<const api::RpcMessage> props;  // its ctx.props, structured-cloned (null: none)
};

}  // namespace wisp::io
