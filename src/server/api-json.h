// What the built-in API (execute-api.h, workers-api.h) reads from request bodies and how it
// answers: JSON in, JSON out. A request that cannot be run is an ApiError: its status, an error
// name, a message, and the key path of the offending value ("limits.cpuMs", "modules[\"a.js\"]").
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/limits.h"
#include "io/request-context.h"
#include "io/worker-code.h"
#include "server/http-server.h"

namespace wisp::server {

struct ApiError : std::runtime_error {
  ApiError(int status, std::string name, const std::string& message, std::string path = {})
      : std::runtime_error(message), status(status), name(std::move(name)), path(std::move(path)) {}
  int status;
  std::string name;
  std::string path;  // empty when the error is not about one key
};

void sendJson(Responder& responder, int status, const nlohmann::json& body, io::HeaderList extraHeaders = {});
// {"error": {"name", "message", "path"?}} with the given status.
void sendJsonError(Responder& responder, int status, const std::string& name, const std::string& message,
                   const std::string& path = {}, io::HeaderList extraHeaders = {});
void sendApiError(Responder& responder, const ApiError& error);

// A Worker's failure as {name, message, stack?, location?}; a breached limit is a "LimitError".
nlohmann::json failureJson(const io::Failure& failure);
nlohmann::json logsJson(const std::vector<io::LogEntry>& logs);

// The request body as a JSON object, or an ApiError (400 SyntaxError).
nlohmann::json parseBody(const std::string& body);

// `limits`: each value may only lower the server's own.
io::Limits requestLimits(const nlohmann::json& body, const io::Limits& server);
// `env` as JSON text ("{}" when absent); at most 1 MiB.
std::string requestEnv(const nlohmann::json& body);
// `code` (a Code Mode snippet) or `modules` with `mainModule` (a module set).
io::WorkerCode requestCode(const nlohmann::json& body);
// `modules` with `mainModule` only.
io::WorkerCode requestModules(const nlohmann::json& body);

// A Worker id as the API takes it: 1-128 characters of A-Z a-z 0-9 . _ ~ - (URL-safe as is).
bool isWorkerId(const std::string& id);

// SHA-256 of `text`, in hex: what a cached Worker was loaded from.
std::string fingerprint(const std::string& text);

// True when no token is configured, or `Authorization: Bearer <token>` carries it.
bool authorized(const Request& request, const std::string& token);

}  // namespace wisp::server
