// io::EntrypointOutbound: a Worker's global outbound when its fetch() is routed to an entrypoint
// of another Worker on the same loop: a dynamic Worker created with `globalOutbound:
// ctx.exports.Name({props})` sends every fetch() to its host's `Name` entrypoint. Each request is
// a new invocation of that entrypoint (its own ctx, props and limits, as an incoming request),
// started from the loop after the calling entry, never inside it; its Response is the answer the
// calling Worker sees. Each request counts as a subrequest of the calling invocation.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "io/outbound/global-outbound.h"
#include "io/worker.h"

namespace wisp::io {

class EntrypointOutbound final : public GlobalOutbound {
 public:
  EntrypointOutbound(Worker& worker, OutboundEntrypoint target);
  ~EntrypointOutbound() override;

  js::Value start(js::Lock& js, HttpRequest request, std::string redirect, bool hasBody) override;
  js::Value read(js::Lock& js, uint64_t id) override;
  void abort(uint64_t id) override;
  void invocationFinished(const RequestContext* ctx) override;

 private:
  // The target answered request `id` (of URL `url`): hand the head to the caller.
  void answered(uint64_t id, const std::string& url, FetchResult result, const Worker::IoDone& done);

  struct Open {
    const RequestContext* owner = nullptr;
    std::shared_ptr<HttpResponse> response;  // set once the target has answered
    bool bodyRead = false;                   // a whole body was handed out
  };

  Worker& worker_;  // the calling Worker, which owns this
  OutboundEntrypoint target_;
  uint64_t nextId_ = 1;
  std::map<uint64_t, Open> requests_;
  // Answers may arrive after this object is gone; they hold a weak copy.
  std::shared_ptr<EntrypointOutbound*> self_;
};

}  // namespace wisp::io
