#include "api/fetch.h"

#include <cmath>

#include "api/host.h"
#include "js/error.h"

namespace wisp::api {
namespace {

OutboundHost& outbound(js::Lock& js) {
  auto* host = Host::current(js).outbound();
  if (!host) throw js::Error(kOutboundBlocked);
  return *host;
}

uint64_t idFrom(double id) {
  if (!(id >= 1) || id != std::floor(id)) throw js::TypeError("Invalid fetch id.");
  return static_cast<uint64_t>(id);
}

}  // namespace

js::Value FetchOps::fetchStart(js::Lock& js, std::string method, std::string url, js::Value headers, js::Value body,
                               std::string redirect, std::optional<double> bodyStream,
                               std::optional<double> bodyLength) {
  auto& host = outbound(js);
  io::HttpRequest request{std::move(method), std::move(url), {}, {}};
  for (uint32_t i = 0; i < js.arrayLength(headers); i++) {
    auto pair = js.arrayItem(headers, i);
    request.headers.emplace_back(js.toString(js.arrayItem(pair, 0)), js.toString(js.arrayItem(pair, 1)));
  }
  bool hasBody = !body.isNull() && !body.isUndefined();
  if (hasBody) request.body = js.toBytes(body);
  if (bodyStream) {
    std::optional<uint64_t> length;
    if (bodyLength && *bodyLength >= 0) length = static_cast<uint64_t>(*bodyLength);
    request.bodyStream = Host::current(js).bodyFromJs(js, idFrom(*bodyStream), length);
    hasBody = true;
  }
  return host.start(js, std::move(request), std::move(redirect), hasBody);
}

js::Value FetchOps::fetchRead(js::Lock& js, double id) { return outbound(js).read(js, idFrom(id)); }

void FetchOps::fetchAbort(js::Lock& js, double id) {
  if (auto* host = Host::current(js).outbound()) host->abort(idFrom(id));
}

void FetchOps::socketConnect(js::Lock& js) {
  outbound(js);  // throws Workers' error when the outbound is blocked
  throw js::Error("connect() is not supported by wisp: it has no TCP sockets yet. Use fetch() for HTTP.");
}

}  // namespace wisp::api
