#include "server/api-json.h"

#include <strings.h>

#include <algorithm>
#include <type_traits>

#include <openssl/evp.h>

#include "io/worker-loader.h"
#include "js/error.h"

namespace wisp::server {
namespace {

using nlohmann::json;

std::string moduleKeyPath(const std::string& name) { return "modules[" + json(name).dump() + "]"; }

std::string errorName(const js::JsError& e) {
  switch (e.kind()) {
    case js::ErrorKind::TypeError: return "TypeError";
    case js::ErrorKind::RangeError: return "RangeError";
    case js::ErrorKind::SyntaxError: return "SyntaxError";
    default: return "Error";
  }
}

ApiError badRequest(const std::string& message, const std::string& path) {
  return ApiError(400, "TypeError", message, path);
}

}  // namespace

void sendJson(Responder& responder, int status, const json& body, io::HeaderList extraHeaders) {
  extraHeaders.emplace_back("content-type", "application/json");
  responder.send(status, std::move(extraHeaders), body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
}

void sendJsonError(Responder& responder, int status, const std::string& name, const std::string& message,
                   const std::string& path, io::HeaderList extraHeaders) {
  json error = {{"name", name}, {"message", message}};
  if (!path.empty()) error["path"] = path;
  sendJson(responder, status, {{"error", error}}, std::move(extraHeaders));
}

void sendApiError(Responder& responder, const ApiError& error) {
  sendJsonError(responder, error.status, error.name, error.what(), error.path);
}

json failureJson(const io::Failure& f) {
  json out = {{"name", f.name.empty() ? (f.kind == io::Failure::Kind::Limit ? "LimitError" : "Error") : f.name},
              {"message", f.message}};
  if (!f.stack.empty()) out["stack"] = f.stack;
  if (!f.location.empty()) out["location"] = f.location;
  return out;
}

json logsJson(const std::vector<io::LogEntry>& logs) {
  json list = json::array();
  for (auto& l : logs) list.push_back({{"level", api::logLevelName(l.level)}, {"time", l.timeMs}, {"message", l.message}});
  return list;
}

json parseBody(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    throw ApiError(400, "SyntaxError", "The request body must be a JSON object.");
  return parsed;
}

io::Limits requestLimits(const json& body, const io::Limits& server) {
  io::Limits l = server;
  if (!body.contains("limits")) return l;
  const json& r = body["limits"];
  if (!r.is_object()) throw badRequest("'limits' must be an object.", "limits");
  auto lower = [&](const char* key, auto& field, double scale) {
    if (!r.contains(key)) return;
    std::string path = std::string("limits.") + key;
    if (!r[key].is_number() || r[key].get<double>() <= 0) throw badRequest("'" + path + "' must be a positive number.", path);
    using T = std::remove_reference_t<decltype(field)>;
    field = std::min(field, static_cast<T>(r[key].get<double>() * scale));
  };
  lower("cpuMs", l.cpuMs, 1);
  lower("wallMs", l.wallMs, 1);
  lower("heapMb", l.heapBytes, 1024.0 * 1024.0);
  lower("subRequests", l.subrequests, 1);
  return l;
}

std::string requestEnv(const json& body) {
  if (!body.contains("env")) return "{}";
  if (!body["env"].is_object()) throw badRequest("'env' must be a JSON object.", "env");
  std::string env = body["env"].dump();
  if (env.size() > io::kMaxEnvSize) {
    throw ApiError(413, "ContentTooLarge",
                   "Dynamic Worker env size (" + std::to_string(env.size()) +
                       " bytes) exceeds the maximum allowed size of " + std::to_string(io::kMaxEnvSize) + " bytes.",
                   "env");
  }
  return env;
}

io::WorkerCode requestModules(const json& body) {
  if (!body.contains("modules") || !body["modules"].is_object())
    throw badRequest("'modules' must be an object of module names to modules.", "modules");
  if (!body.contains("mainModule") || !body["mainModule"].is_string())
    throw badRequest("'mainModule' must name one of the modules.", "mainModule");
  std::vector<io::ModuleInput> inputs;
  for (auto& [name, value] : body["modules"].items()) {
    io::ModuleInput in{name, std::nullopt, {}};
    if (value.is_string()) {
      in.plain = value.get<std::string>();
    } else if (value.is_object()) {
      for (auto& [key, content] : value.items()) {
        if (key == "json") in.fields.push_back({key, content.dump()});
        else if (content.is_string()) in.fields.push_back({key, content.get<std::string>()});
        else throw badRequest("Module '" + name + "': '" + key + "' must be a string.", moduleKeyPath(name) + "." + key);
      }
    } else {
      throw badRequest("Module '" + name + "' must be a string or an object.", moduleKeyPath(name));
    }
    inputs.push_back(std::move(in));
  }
  size_t total = 0;
  for (auto& in : inputs) {
    total += in.plain ? in.plain->size() : 0;
    for (auto& f : in.fields) total += f.second.size();
  }
  try {
    return io::buildWorkerCode(body["mainModule"].get<std::string>(), std::move(inputs));
  } catch (const js::JsError& e) {
    // Over the code size limit is "too large", not "wrong".
    throw ApiError(total > io::kMaxCodeSize ? 413 : 400, total > io::kMaxCodeSize ? "ContentTooLarge" : errorName(e),
                   e.message(), "modules");
  }
}

io::WorkerCode requestCode(const json& body) {
  bool hasCode = body.contains("code"), hasModules = body.contains("modules");
  if (hasCode == hasModules) throw badRequest("Send either 'code' (a snippet) or 'modules' with 'mainModule'.", "");
  if (!hasCode) return requestModules(body);
  if (!body["code"].is_string()) throw badRequest("'code' must be a string.", "code");
  try {
    return io::snippetWorkerCode(body["code"].get<std::string>());
  } catch (const js::JsError& e) {
    throw ApiError(400, errorName(e), e.message(), "code");
  }
}

bool isWorkerId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '~' || c == '-';
  });
}

std::string fingerprint(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr)) throw std::runtime_error("SHA-256 failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; i++) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

bool authorized(const Request& request, const std::string& token) {
  if (token.empty()) return true;
  std::string expected = "Bearer " + token;
  for (auto& [name, value] : request.headers) {
    if (strcasecmp(name.c_str(), "authorization") != 0) continue;
    // Compared in full whatever the first difference, so timing tells nothing about the token.
    if (value.size() != expected.size()) return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < value.size(); i++) diff |= static_cast<unsigned char>(value[i] ^ expected[i]);
    return diff == 0;
  }
  return false;
}

}  // namespace wisp::server
