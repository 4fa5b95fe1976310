// io::NetworkOutbound: a Worker's global outbound when it may reach the network. fetch() calls
// land here (api::OutboundHost): each counts as a subrequest of the running invocation, goes
// out through the loop's HttpClient under the process's egress policy, and comes back into JS
// through Worker::awaitIo. Requests belong to their invocation: when it ends, the ones still
// open are cancelled.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "io/outbound/global-outbound.h"
#include "io/outbound/http-client.h"
#include "io/request-context.h"

namespace wisp::io {

class Worker;

class NetworkOutbound final : public GlobalOutbound {
 public:
  NetworkOutbound(Worker& worker, boost::asio::io_context& ioc, std::shared_ptr<const OutboundSettings> settings);
  ~NetworkOutbound() override;

  js::Value start(js::Lock& js, HttpRequest request, std::string redirect, bool hasBody) override;
  js::Value read(js::Lock& js, uint64_t id) override;
  void abort(uint64_t id) override;

  void invocationFinished(const RequestContext* ctx) override;

  size_t open() const { return requests_.size(); }

 private:
  struct Open {
    std::shared_ptr<HttpTransfer> transfer;  // null until the loop started it
    const RequestContext* owner = nullptr;
  };

  Worker& worker_;
  boost::asio::io_context& ioc_;
  std::shared_ptr<const OutboundSettings> settings_;
  uint64_t nextId_ = 1;
  std::map<uint64_t, Open> requests_;
  // Callbacks posted by transfers may run after this object is gone; they hold a weak copy.
  std::shared_ptr<NetworkOutbound*> self_;
};

}  // namespace wisp::io
