// The global fetch(), native half. The API (Request in, Response out, AbortSignal, the body
// stream) lives in js/fetch/fetch.js; these ops hand a request to the Worker's global outbound
// (OutboundHost, implemented by io::NetworkOutbound) and pull the response body back.
// https://fetch.spec.whatwg.org/#fetch-method
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "io/http.h"
#include "js/lock.h"
#include "js/value.h"

namespace wisp::api {

// What fetch() and connect() throw in a Worker whose outbound is blocked (a dynamic Worker created
// with `globalOutbound: null`, or the built-in execute API by default). Workers' exact text.
inline constexpr const char* kOutboundBlocked =
    "This worker is not permitted to access the internet via global functions like fetch(). It must use "
    "capabilities (such as bindings in 'env') to talk to the outside world.";

class OutboundHost {
 public:
  virtual ~OutboundHost() = default;
  // Counts a subrequest of the current invocation and starts `request` (redirect: "follow",
  // "manual" or "error"). Returns [id, Promise<[status, statusText, headers, urlList]>]; the
  // promise rejects with a TypeError saying why the request failed or was refused.
  virtual js::Value start(js::Lock& js, io::HttpRequest request, std::string redirect, bool hasBody) = 0;
  // The next body bytes of response `id`: Promise<Uint8Array | null> (null at the end).
  virtual js::Value read(js::Lock& js, uint64_t id) = 0;
  // Stops request `id` and forgets it (a no-op for an unknown id).
  virtual void abort(uint64_t id) = 0;
};

// The ops behind js/fetch/fetch.js (registered on the native `ops` object, see ops.js).
struct FetchOps {
  // headers: [[name, value], ...]; body: Uint8Array or null. Or a body sent as the Worker writes
  // it: `bodyStream`, the id of a stream JS exported (js/fetch/native-body.js), with its length
  // when known.
  static js::Value fetchStart(js::Lock& js, std::string method, std::string url, js::Value headers, js::Value body,
                              std::string redirect, std::optional<double> bodyStream, std::optional<double> bodyLength);
  static js::Value fetchRead(js::Lock& js, double id);
  static void fetchAbort(js::Lock& js, double id);
  // connect() of "cloudflare:sockets": always throws (kOutboundBlocked, or: not supported).
  static void socketConnect(js::Lock& js);
};

}  // namespace wisp::api
