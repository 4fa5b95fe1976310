// HTTP messages as plain data, for handing requests to a Worker and responses back.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "io/body-stream.h"

namespace wisp::io {

class JsWebSocket;  // io/js-web-socket.h

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A body is either whole bytes (`body`) or, when `bodyStream` is set, read piece by piece from
// it (`body` is then empty).
struct HttpRequest {
  std::string method = "GET";
  std::string url = "http://localhost/";
  HeaderList headers;
  std::string body;
  std::shared_ptr<BodySource> bodyStream = nullptr;
};

struct HttpResponse {
  int status = 200;
  std::string statusText;
  HeaderList headers;
  std::string body;
  std::shared_ptr<BodySource> bodyStream = nullptr;
  // A 101 response's WebSocket end, for the server to bridge to the client (dropping it closes
  // the end in JS).
  std::shared_ptr<JsWebSocket> webSocket = nullptr;
};

}  // namespace wisp::io
