// Bodies streamed between C++ and a Worker's JavaScript, both ways pulled piece by piece
// (io::BodySource, io/body-stream.h; the JS half is js/fetch/native-body.js):
//  - into JS: a body C++ produces (an incoming request's body, arriving from the client) is read
//    with ops.bodyRead(id) as the Worker reads it, so the socket is read no faster than that;
//  - out of JS: a ReadableStream the Worker produces (a streamed response body, a fetch()
//    request body) is exported by id and read from C++ through Host::bodyFromJs, which takes
//    one chunk at a time (internals.pullBody) and may cancel it (internals.cancelBody).
#pragma once

#include "js/lock.h"
#include "js/value.h"

namespace wisp::api {

// The ops behind js/fetch/native-body.js (registered on the native `ops` object, see ops.js).
struct BodyOps {
  // Promise<[Uint8Array | undefined, done]>: the next bytes of native body `id` (undefined at the
  // end), and whether the body is over with them; rejects with a TypeError saying why the body
  // cannot be read to its end.
  static js::Value bodyRead(js::Lock& js, double id);
  // The Worker will not read native body `id` any more.
  static void bodyCancel(js::Lock& js, double id);
};

}  // namespace wisp::api
