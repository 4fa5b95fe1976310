// The Cap'n Web endpoint of the built-in API, `/v1/rpc` (docs/capnweb.md): a built-in Worker
// (src/server/capnweb/gateway.js, bundled with the npm `capnweb` package and embedded in the
// binary), one instance per event loop, whose Worker Loader binding loads the Workers a client
// asks for. The caller checks the bearer token and the method before handing a request here.
#pragma once

#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "io/limits.h"
#include "io/worker-loader.h"
#include "server/host-workers.h"

namespace wisp::server {

// `limits`: the server's, for the gateway and (as the most they may ask for) for every Worker a
// client loads. `loader`: the cache settings of those Workers (namespace "capnweb").
std::unique_ptr<HostWorkers> makeCapnwebGateway(const io::Limits& limits, io::LoaderSettings loader,
                                                const std::vector<boost::asio::io_context*>& loops);

}  // namespace wisp::server
