// HTTP messages as plain data, for handing requests to a Worker and responses back.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace wisp::io {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url = "http://localhost/";
  HeaderList headers;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string statusText;
  HeaderList headers;
  std::string body;
};

}  // namespace wisp::io
