#include "server/admin-api.h"

#include <optional>
#include <vector>

#include "server/api-json.h"

namespace wisp::server {
namespace {

using nlohmann::json;

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace

void AdminApi::handle(Request request, Responder responder) {
  if (!authorized(request, options_.apiToken)) {
    return sendJsonError(responder, 401, "Unauthorized", "A valid 'Authorization: Bearer <token>' header is required.",
                         "", {{"www-authenticate", "Bearer"}});
  }
  std::string path = request.target.substr(0, request.target.find('?'));
  if (path == "/v1/cache") {
    if (request.method != "GET") return sendJsonError(responder, 405, "MethodNotAllowed", "Use GET for /v1/cache.", "", {{"allow", "GET"}});
    auto& b = *options_.budget;
    return sendJson(responder, 200, {{"workers", b.workers()}, {"memoryBytes", b.bytes()}, {"maxWorkers", b.maxWorkers()},
                                     {"maxMemoryBytes", b.maxBytes()}});
  }
  // /v1/loaders/{binding}/workers/{name}
  constexpr std::string_view kLoaders = "/v1/loaders/";
  if (path.starts_with(kLoaders)) {
    std::string after = path.substr(kLoaders.size());
    auto slash = after.find('/');
    constexpr std::string_view kWorkers = "/workers/";
    if (slash != std::string::npos && after.compare(slash, kWorkers.size(), kWorkers) == 0) {
      std::string binding = after.substr(0, slash);
      std::string encoded = after.substr(slash + kWorkers.size());
      auto name = percentDecode(encoded);
      if (!name || name->empty()) return sendJsonError(responder, 400, "TypeError", "Invalid Worker name: '" + encoded + "'.", "name");
      return namedWorker(request, binding, *name, std::move(responder));
    }
  }
  sendJsonError(responder, 404, "NotFound", "No such endpoint: " + path);
}

void AdminApi::namedWorker(Request& request, const std::string& binding, const std::string& name, Responder responder) {
  auto ns = options_.loaderNamespaces.find(binding);
  if (ns == options_.loaderNamespaces.end() || !options_.loaders)
    return sendJsonError(responder, 404, "NotFound", "No Worker Loader binding is named '" + binding + "'.", "binding");
  bool evict = request.method == "DELETE";
  if (!evict && request.method != "GET") {
    return sendJsonError(responder, 405, "MethodNotAllowed", "Use GET or DELETE for a loader's Worker.", "",
                         {{"allow", "GET, DELETE"}});
  }
  struct Seen {
    bool loaded = false;
    uint64_t bytes = 0;
  };
  auto seen = std::make_shared<std::vector<Seen>>(options_.loaders->loopCount());
  options_.loaders->forEachLoader(
      [seen, evict, ns = ns->second, name](size_t i, io::WorkerLoader* loader) {
        if (!loader) return;
        auto& s = (*seen)[i];
        if (auto bytes = loader->loadedBytes(ns, name)) {
          s.loaded = true;
          s.bytes = *bytes;
        }
        if (evict) loader->evict(ns, name);
      },
      *request.loop,
      [seen, evict, binding, name, responder]() mutable {
        int loaded = 0;
        uint64_t bytes = 0;
        for (auto& s : *seen) {
          loaded += s.loaded;
          bytes += s.bytes;
        }
        if (loaded == 0) {
          return sendJsonError(responder, 404, "NotFound",
                               "Worker '" + name + "' of loader '" + binding + "' is not loaded.");
        }
        if (evict) return sendJson(responder, 200, {{"binding", binding}, {"name", name}, {"unloaded", loaded}});
        sendJson(responder, 200, {{"binding", binding}, {"name", name}, {"loadedOn", loaded}, {"memoryBytes", bytes}});
      });
}

}  // namespace wisp::server
