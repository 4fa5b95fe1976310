#include "io/request-context.h"

#include "js/error.h"

namespace wisp::io {

std::string Failure::text() const {
  std::string out;
  if (!location.empty()) out += location + ": ";
  if (!name.empty()) out += name + ": ";
  out += message;
  return out;
}

RequestContext::RequestContext(const Limits& l, boost::asio::io_context& ioc)
    : limits(l), started(std::chrono::steady_clock::now()), wallTimer(ioc) {
  wallDeadline = started + std::chrono::microseconds(static_cast<int64_t>(limits.wallMs * 1000));
}

void RequestContext::newSubrequest() {
  if (++subrequests_ > limits.subrequests) {
    throw js::Error("Too many subrequests. This Worker is allowed " + std::to_string(limits.subrequests) +
                    " per invocation.");
  }
}

}  // namespace wisp::io
