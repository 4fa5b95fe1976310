// `wisp serve` configuration: the wrangler file (wrangler.jsonc, wrangler.json or wrangler.toml)
// read into plain data. Every key is documented in docs/config.md.
//
// Unknown keys and wrangler keys wisp does not use are warnings; an invalid value throws
// ConfigError naming the file, the key path and what was expected, e.g.
//   wrangler.toml: wisp.limits.cpuMs: expected a positive number, got "fast"
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "codemode/upstreams.h"
#include "io/limits.h"
#include "server/egress-config.h"

namespace wisp::server {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ConfigWarning {
  enum class Kind {
    UnknownKey,  // neither wrangler nor wisp knows it (often a typo)
    IgnoredKey,  // a wrangler setting wisp knows but does not use (routes, account_id, ...)
    Default,     // a setting that should be there is missing; a default was used
  };
  Kind kind;
  std::string path;     // key path, e.g. "wisp.limits.cpuMS" or "worker_loaders[0].name"
  std::string message;  // the full line to print, file name included
};

// `worker_loaders = [{ binding, id? }]`: env[binding] is a Worker Loader. Bindings with the same
// id share one cache of loaded Workers; without one the binding has a cache of its own.
struct LoaderBinding {
  std::string binding;
  std::optional<std::string> id;
};

struct ListenAddress {
  std::string host = "127.0.0.1";  // an IP literal (IPv6 without brackets) or a host name
  uint16_t port = 8787;            // 0 picks a free port

  bool isLoopback() const;         // 127.0.0.0/8, ::1 or "localhost"
  std::string toString() const;    // "127.0.0.1:8787", "[::1]:8787"
};

// Parses "host:port", "[v6]:port", "host" or "port"; std::nullopt with the reason in `error`.
std::optional<ListenAddress> parseListenAddress(std::string_view text, std::string* error = nullptr);

// Mirrors io::Limits in the units people write (MiB for the heap).
struct LimitSettings {
  double cpuMs = io::Limits{}.cpuMs;
  double wallMs = io::Limits{}.wallMs;
  double heapMb = static_cast<double>(io::Limits{}.heapBytes >> 20);
  uint32_t subrequests = io::Limits{}.subrequests;

  io::Limits toLimits() const;
};

// Cached Workers (named dynamic Workers, the built-in API's uploaded and `id`-ed ones), the whole
// process together.
struct CacheSettings {
  uint32_t maxWorkers = 10'000;  // live cached Workers, all loaders and loops together
  uint64_t maxMemoryMb = 0;      // 0: half of the memory available to the process
  double idleSeconds = 300;      // a Worker unused this long is evicted; 0 never expires

  uint64_t memoryBudgetBytes() const;  // resolves maxMemoryMb = 0
};

struct LoaderSettings {
  // Dynamic-Worker calls one host invocation may have in flight; more wait in line.
  uint32_t maxConcurrentPerRequest = 6;
};

// The admin listener (off unless `listen` is set): evicting cached Workers, reading the cache.
struct AdminSettings {
  std::optional<ListenAddress> listen;
};

// `/mcp` of the built-in API (off unless upstreams are listed): Code Mode in front of these MCP
// servers (docs/codemode.md).
struct McpSettings {
  std::vector<codemode::UpstreamSpec> upstreams;
};

struct WispSettings {
  ListenAddress listen;
  uint32_t threads = 0;  // event-loop threads; 0: one per core
  LimitSettings limits;
  uint32_t poolSize = 2;  // ready blank isolates kept per event-loop thread; 0 disables the pool
  CacheSettings cache;
  LoaderSettings loader;
  AdminSettings admin;
  EgressSettings egress;  // outbound fetch(): policy and limits (egress-config.h)
  McpSettings mcp;
  uint64_t maxHeaderBytes = 128u << 10;  // request line + headers (431 beyond)
  uint64_t maxBodyBytes = 100u << 20;    // request body (413 beyond)
  std::string apiToken;                  // bearer token for the built-in API; empty: none

  uint32_t threadCount() const;  // resolves threads = 0
};

struct Config {
  std::filesystem::path file;         // absolute path of the config file; empty for the defaults
  std::string name;                   // defaults to the config directory's name
  std::string main;                   // absolute path; empty: serve the built-in execute API
  std::string compatibilityDate;      // YYYY-MM-DD; a config without one gets today's date
  std::vector<std::string> compatibilityFlags;
  nlohmann::json vars = nlohmann::json::object();
  std::vector<LoaderBinding> workerLoaders;
  WispSettings wisp;
};

struct LoadedConfig {
  Config config;
  std::vector<ConfigWarning> warnings;
};

enum class ConfigFormat { Jsonc, Toml };

// `path` is a directory (searched for wrangler.jsonc, then wrangler.json, then wrangler.toml) or
// a config file (format from its extension). std::nullopt when a directory holds none of them.
// Throws ConfigError for unreadable files, syntax errors and invalid values.
std::optional<LoadedConfig> loadConfig(const std::filesystem::path& path);

// Parses config text; `file` names it in messages and anchors relative paths (`main`).
LoadedConfig parseConfig(std::string_view text, ConfigFormat format, const std::filesystem::path& file);

// JSONC to JSON: comments and trailing commas become spaces, so offsets, lines and columns in
// the result are those of the input. Throws ConfigError (prefixed with `file`) for an
// unterminated block comment.
std::string stripJsonc(std::string_view text, std::string_view file = "config");

}  // namespace wisp::server
