// The built-in host's HTTP API (no config needed): POST /v1/execute runs a Code Mode snippet or a
// module set in a fresh Worker and answers {result, logs, error, stats}. Described by
// docs/openapi.yaml. Every request gets a JSON answer; code that throws or breaches a limit is a
// 200 with `error` set, a request that cannot be run is a 4xx with `error`.
#pragma once

#include <string>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "io/limits.h"
#include "server/http-server.h"

namespace wisp::server {

struct ExecuteApiOptions {
  io::Limits limits;     // the most a request may ask for; requests can only lower them
  std::string apiToken;  // when set, every request needs `Authorization: Bearer <token>`
};

class ExecuteApi {
 public:
  explicit ExecuteApi(ExecuteApiOptions options) : options_(std::move(options)) {}
  // Handles one request on its connection's loop.
  void handle(Request request, Responder responder);

 private:
  void execute(boost::asio::io_context& loop, const nlohmann::json& body, Responder responder);
  ExecuteApiOptions options_;
};

// {"error": {"name": ..., "message": ...}} with the given status.
void sendJsonError(Responder& responder, int status, const std::string& name, const std::string& message);

}  // namespace wisp::server
