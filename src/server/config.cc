#include "server/config.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>
#include <toml++/toml.h>

#include "io/compatibility.h"

namespace wisp::server {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Found in a directory, in this order.
constexpr std::array<std::pair<const char*, ConfigFormat>, 3> kConfigFiles{{
    {"wrangler.jsonc", ConfigFormat::Jsonc},
    {"wrangler.json", ConfigFormat::Jsonc},
    {"wrangler.toml", ConfigFormat::Toml},
}};

// Wrangler settings wisp knows but does not use; a hint says what wisp reads instead, if anything.
const std::map<std::string_view, std::string_view>& ignoredWranglerKeys() {
  static const std::map<std::string_view, std::string_view> keys{
      {"account_id", ""}, {"ai", ""}, {"alias", ""}, {"analytics_engine_datasets", ""},
      {"assets", ""}, {"base_dir", ""}, {"browser", ""}, {"build", ""}, {"cloudchamber", ""},
      {"compliance_region", ""}, {"containers", ""}, {"d1_databases", ""}, {"data_blobs", ""},
      {"define", ""}, {"dev", "wisp reads wisp.listen"}, {"dispatch_namespaces", ""},
      {"durable_objects", ""}, {"env", "wisp has no wrangler environments"},
      {"find_additional_modules", ""}, {"first_party_worker", ""}, {"hyperdrive", ""},
      {"images", ""}, {"jsx_factory", ""}, {"jsx_fragment", ""}, {"keep_names", ""},
      {"keep_vars", ""}, {"kv_namespaces", ""}, {"legacy_env", ""}, {"limits", "wisp reads wisp.limits"},
      {"logfwdr", ""}, {"logpush", ""}, {"migrations", ""}, {"minify", ""},
      {"mtls_certificates", ""}, {"no_bundle", ""}, {"node_compat", ""}, {"observability", ""},
      {"pipelines", ""}, {"placement", ""}, {"preserve_file_names", ""}, {"preview_urls", ""},
      {"python_modules", ""}, {"queues", ""}, {"r2_buckets", ""}, {"ratelimits", ""},
      {"route", ""}, {"routes", ""}, {"rules", ""}, {"secrets_store_secrets", ""},
      {"send_email", ""}, {"send_metrics", ""}, {"services", ""}, {"site", ""},
      {"streaming_tail_consumers", ""}, {"tail_consumers", ""}, {"text_blobs", ""},
      {"triggers", ""}, {"tsconfig", ""}, {"unsafe", "declare Worker Loaders with worker_loaders"},
      {"upload_source_maps", ""}, {"usage_model", ""}, {"vectorize", ""},
      {"version_metadata", ""}, {"vpc_services", ""}, {"wasm_modules", ""}, {"workers_dev", ""},
      {"workflows", ""}, {"zone_id", ""},
  };
  return keys;
}

bool isReservedWord(std::string_view s) {
  static constexpr std::array<std::string_view, 46> words{
      "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default",
      "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for", "function",
      "if", "implements", "import", "in", "instanceof", "interface", "let", "new", "null",
      "package", "private", "protected", "public", "return", "static", "super", "switch", "this",
      "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield"};
  return std::find(words.begin(), words.end(), s) != words.end();
}

bool isAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// ASCII identifiers only: env bindings are written as `env.NAME`.
bool isJsIdentifier(std::string_view s) {
  if (s.empty() || isDigit(s[0]) || isReservedWord(s)) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return isAsciiAlpha(c) || isDigit(c) || c == '_' || c == '$'; });
}

bool isEnvVarName(std::string_view s) {
  if (s.empty() || isDigit(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return isAsciiAlpha(c) || isDigit(c) || c == '_'; });
}

// A bearer token is compared with an Authorization header: visible ASCII, no spaces.
bool isToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Lowercase without separators, so that cpu_ms, cpuMS and cpuMs compare equal.
std::string foldKey(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '_' && c != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string closestKey(std::string_view key, const std::vector<std::string>& known) {
  std::string best;
  size_t bestDistance = 3;  // suggest only near misses
  for (const auto& k : known) {
    size_t d = foldKey(k) == foldKey(key) ? 0 : editDistance(k, key);
    if (d < bestDistance) bestDistance = d, best = k;
  }
  return best;
}

std::string childPath(std::string_view parent, std::string_view key) {
  bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return isAsciiAlpha(c) || isDigit(c) || c == '_' || c == '$' || c == '-';
  });
  std::string k = plain ? std::string(key) : json(std::string(key)).dump(-1, ' ', false, json::error_handler_t::replace);
  if (parent.empty()) return k;
  return plain ? fmt::format("{}.{}", parent, k) : fmt::format("{}[{}]", parent, k);
}

std::string indexPath(std::string_view parent, size_t i) { return fmt::format("{}[{}]", parent, i); }

// 1-based line and column of a byte offset.
std::pair<size_t, size_t> lineColumn(std::string_view text, size_t offset) {
  std::string_view before = text.substr(0, std::min(offset, text.size()));
  size_t newline = before.rfind('\n');
  size_t lineStart = newline == std::string_view::npos ? 0 : newline + 1;
  return {1 + std::count(before.begin(), before.end(), '\n'), before.size() - lineStart + 1};
}

// How the file is named in messages: as given, without a leading "./".
std::string displayName(const fs::path& file) {
  std::string s = file.generic_string();
  if (s.starts_with("./")) s.erase(0, 2);
  return s;
}

// Parsing state: where messages go and which words they use.
class Context {
 public:
  Context(std::string file, ConfigFormat format) : file_(std::move(file)), format_(format) {}

  const std::string& file() const { return file_; }
  std::vector<ConfigWarning>& warnings() { return warnings_; }

  // A table in TOML, an object in JSON.
  std::string_view tableWord() const { return format_ == ConfigFormat::Toml ? "a table" : "an object"; }
  std::string_view tablesWord() const { return format_ == ConfigFormat::Toml ? "tables" : "objects"; }

  [[noreturn]] void fail(std::string_view path, std::string_view what) const {
    if (path.empty()) throw ConfigError(fmt::format("{}: {}", file_, what));
    throw ConfigError(fmt::format("{}: {}: {}", file_, path, what));
  }

  [[noreturn]] void expected(std::string_view path, std::string_view what, const json& got) const {
    fail(path, fmt::format("expected {}, got {}", what, describe(got)));
  }

  void warn(ConfigWarning::Kind kind, std::string path, std::string_view what) {
    std::string message = fmt::format("{}: {}: {}", file_, path, what);
    warnings_.push_back({kind, std::move(path), std::move(message)});
  }

  std::string describe(const json& v) const {
    switch (v.type()) {
      case json::value_t::object: return std::string(tableWord());
      case json::value_t::array: return "an array";
      case json::value_t::string: {
        std::string s = v.get<std::string>();
        if (s.size() > 60) s = s.substr(0, 57) + "...";
        return json(s).dump(-1, ' ', false, json::error_handler_t::replace);
      }
      default: return v.dump();
    }
  }

 private:
  std::string file_;
  ConfigFormat format_;
  std::vector<ConfigWarning> warnings_;
};

// One table of the config: hands out its values by key and, when done, warns about every key
// nobody asked for.
class Table {
 public:
  Table(Context& ctx, const json& value, std::string path) : ctx_(ctx), value_(value), path_(std::move(path)) {
    if (!value.is_object()) ctx.expected(path_, ctx.tableWord(), value);
  }
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  ~Table() {
    // A value failed: the error is all the user needs to see.
    if (std::uncaught_exceptions() == uncaught_) warnUnknownKeys();
  }

  const json* get(std::string_view key) {
    known_.emplace_back(key);
    auto it = value_.find(key);
    return it == value_.end() ? nullptr : &*it;
  }

  // A key that is allowed but not read.
  void allow(std::string_view key) { known_.emplace_back(key); }

  void ignore(std::string_view key, std::string_view hint) {
    ignored_.emplace_back(key);
    if (!value_.contains(key)) return;
    std::string what = "not used by wisp, ignored";
    if (!hint.empty()) what += fmt::format(" ({})", hint);
    ctx_.warn(ConfigWarning::Kind::IgnoredKey, childPath(path_, key), what);
  }

  std::string pathOf(std::string_view key) const { return childPath(path_, key); }

 private:
  void warnUnknownKeys() {
    for (const auto& [key, v] : value_.items()) {
      bool handled = std::find(known_.begin(), known_.end(), key) != known_.end() ||
                     std::find(ignored_.begin(), ignored_.end(), key) != ignored_.end();
      if (handled) continue;
      std::string what = "unknown key, ignored";
      if (std::string near = closestKey(key, known_); !near.empty()) what += fmt::format(" (did you mean {}?)", near);
      ctx_.warn(ConfigWarning::Kind::UnknownKey, childPath(path_, key), what);
    }
  }

  Context& ctx_;
  const json& value_;
  std::string path_;
  std::vector<std::string> known_, ignored_;
  int uncaught_ = std::uncaught_exceptions();
};

std::string readString(Context& ctx, const json& v, const std::string& path, std::string_view what = "a non-empty string") {
  if (!v.is_string() || v.get_ref<const std::string&>().empty()) ctx.expected(path, what, v);
  return v.get<std::string>();
}

double readNumber(Context& ctx, const json& v, const std::string& path, double min, bool allowMin, double max,
                  std::string_view what) {
  if (!v.is_number()) ctx.expected(path, what, v);
  double d = v.get<double>();
  if (!std::isfinite(d) || d < min || (d == min && !allowMin) || d > max) ctx.expected(path, what, v);
  return d;
}

uint64_t readWhole(Context& ctx, const json& v, const std::string& path, uint64_t min, uint64_t max, std::string_view what) {
  uint64_t n = 0;
  if (v.is_number_unsigned()) {
    n = v.get<uint64_t>();
  } else if (v.is_number_integer()) {
    if (v.get<int64_t>() < 0) ctx.expected(path, what, v);
    n = static_cast<uint64_t>(v.get<int64_t>());
  } else if (v.is_number_float()) {
    double d = v.get<double>();
    // Whole floats (8.0) are fine; 2^64 and beyond is out of range for any key.
    if (!std::isfinite(d) || d < 0 || d != std::floor(d) || d >= 18446744073709551616.0) ctx.expected(path, what, v);
    n = static_cast<uint64_t>(d);
  } else {
    ctx.expected(path, what, v);
  }
  if (n < min || n > max) ctx.expected(path, what, v);
  return n;
}

// ---- the file formats, both read into JSON ----

json parseJsonText(std::string_view text, const std::string& file) {
  std::string stripped = stripJsonc(text, file);
  try {
    return json::parse(stripped);
  } catch (const json::parse_error& e) {
    // Stripping kept every offset, so nlohmann's position is the position in the file.
    auto [line, column] = lineColumn(stripped, e.byte == 0 ? 0 : e.byte - 1);
    std::string_view what = e.what();
    size_t at = what.find("column ");
    at = at == std::string_view::npos ? std::string_view::npos : what.find(": ", at);
    std::string_view detail = at == std::string_view::npos ? what : what.substr(at + 2);
    throw ConfigError(fmt::format("{}:{}:{}: invalid JSON: {}", file, line, column, detail));
  } catch (const json::exception& e) {
    // Not a syntax error but still the file's fault, e.g. a number too large for a double.
    std::string_view what = e.what();
    if (size_t bracket = what.find("] "); what.starts_with("[json.exception.") && bracket != std::string_view::npos)
      what.remove_prefix(bracket + 2);
    throw ConfigError(fmt::format("{}: invalid JSON: {}", file, what));
  }
}

// TOML dates and times become their RFC 3339 strings (as wrangler's JSON.stringify does);
// NaN and infinities have no JSON form and are refused.
json fromToml(Context& ctx, const toml::node& node, const std::string& path) {
  if (auto* table = node.as_table()) {
    json out = json::object();
    for (auto&& [key, value] : *table) out[std::string(key.str())] = fromToml(ctx, value, childPath(path, key.str()));
    return out;
  }
  if (auto* array = node.as_array()) {
    json out = json::array();
    for (size_t i = 0; i < array->size(); ++i) out.push_back(fromToml(ctx, (*array)[i], indexPath(path, i)));
    return out;
  }
  if (auto* s = node.as_string()) return s->get();
  if (auto* i = node.as_integer()) return i->get();
  if (auto* b = node.as_boolean()) return b->get();
  if (auto* f = node.as_floating_point()) {
    if (!std::isfinite(f->get())) ctx.fail(path, fmt::format("expected a finite number, got {}", f->get()));
    return f->get();
  }
  std::ostringstream text;
  if (auto* d = node.as_date()) text << d->get();
  else if (auto* t = node.as_time()) text << t->get();
  else if (auto* dt = node.as_date_time()) text << dt->get();
  return text.str();
}

json parseTomlText(Context& ctx, std::string_view text) {
  try {
    toml::table table = toml::parse(text, ctx.file());
    return fromToml(ctx, table, "");
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: invalid TOML: {}", ctx.file(), e.source().begin.line, e.source().begin.column,
                                  e.description()));
  }
}

// ---- the keys ----

// With workerd's rules and words (io/compatibility.h), as for a dynamic Worker's compatibilityDate.
void readCompatibilityDate(Context& ctx, const json& v, const std::string& path, std::string& out) {
  if (!v.is_string()) ctx.expected(path, "a date as YYYY-MM-DD", v);
  const std::string& s = v.get_ref<const std::string&>();
  if (auto error = io::compatibilityDateError(s)) ctx.fail(path, *error);
  out = s;
}

void readCompatibilityFlags(Context& ctx, const json& v, const std::string& path, std::vector<std::string>& out) {
  if (!v.is_array()) ctx.expected(path, "an array of flag names", v);
  for (size_t i = 0; i < v.size(); ++i) {
    const json& flag = v[i];
    bool ok = flag.is_string() && !flag.get_ref<const std::string&>().empty() &&
              std::all_of(flag.get_ref<const std::string&>().begin(), flag.get_ref<const std::string&>().end(),
                          [](char c) { return (c >= 'a' && c <= 'z') || isDigit(c) || c == '_'; });
    if (!ok) ctx.expected(indexPath(path, i), "a flag name (lowercase letters, digits and _)", flag);
    std::string name = flag.get<std::string>();
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
  }
}

void readMain(Context& ctx, const json& v, const std::string& path, const fs::path& configFile, std::string& out) {
  std::string relative = readString(ctx, v, path, "a path to the Worker's main module");
  fs::path resolved = (configFile.parent_path() / relative).lexically_normal();
  std::error_code ec;
  auto status = fs::status(resolved, ec);
  if (ec || !fs::exists(status))
    ctx.fail(path, fmt::format("expected a path to an existing file, got {} (no such file: {})", ctx.describe(v),
                               resolved.string()));
  if (!fs::is_regular_file(status))
    ctx.fail(path, fmt::format("expected a path to an existing file, got {} (not a regular file: {})", ctx.describe(v),
                               resolved.string()));
  out = resolved.string();
}

void readWorkerLoaders(Context& ctx, const json& v, const std::string& path, std::vector<LoaderBinding>& out) {
  if (!v.is_array()) ctx.expected(path, fmt::format("an array of {} with a binding", ctx.tablesWord()), v);
  for (size_t i = 0; i < v.size(); ++i) {
    Table entry(ctx, v[i], indexPath(path, i));
    LoaderBinding loader;
    const json* binding = entry.get("binding");
    if (!binding) ctx.fail(entry.pathOf("binding"), "expected a JavaScript identifier naming the env property, got nothing");
    if (!binding->is_string() || !isJsIdentifier(binding->get_ref<const std::string&>()))
      ctx.expected(entry.pathOf("binding"), "a JavaScript identifier (letters, digits, _ or $, not a reserved word)", *binding);
    loader.binding = binding->get<std::string>();
    if (const json* id = entry.get("id")) loader.id = readString(ctx, *id, entry.pathOf("id"));
    out.push_back(std::move(loader));
  }
}

// Every env property has one source: a var or a loader binding.
void checkUniqueBindings(Context& ctx, const Config& config) {
  std::map<std::string, std::string> seen;  // name -> path of its first definition
  for (const auto& [name, v] : config.vars.items()) seen.emplace(name, childPath("vars", name));
  for (size_t i = 0; i < config.workerLoaders.size(); ++i) {
    const std::string& name = config.workerLoaders[i].binding;
    std::string path = childPath(indexPath("worker_loaders", i), "binding");
    auto [it, fresh] = seen.emplace(name, path);
    if (!fresh) ctx.fail(path, fmt::format("duplicate binding name \"{}\" (also {})", name, it->second));
  }
}

void readListen(Context& ctx, const json& v, const std::string& path, ListenAddress& out) {
  constexpr std::string_view what = "an address as \"host:port\", \"[ipv6]:port\", \"host\" or a port number";
  std::optional<ListenAddress> address;
  std::string reason;
  if (v.is_number()) {
    uint64_t port = readWhole(ctx, v, path, 0, 65535, "a port number from 0 to 65535");
    address = ListenAddress{};
    address->port = static_cast<uint16_t>(port);
  } else if (v.is_string()) {
    address = parseListenAddress(v.get_ref<const std::string&>(), &reason);
  }
  if (!address) {
    if (reason.empty()) ctx.expected(path, what, v);
    ctx.fail(path, fmt::format("expected {}, got {} ({})", what, ctx.describe(v), reason));
  }
  out = *address;
}

void readLimits(Context& ctx, const json& v, const std::string& path, LimitSettings& out) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  Table t(ctx, v, path);
  if (const json* x = t.get("cpuMs")) out.cpuMs = readNumber(ctx, *x, t.pathOf("cpuMs"), 0, false, inf, "a positive number");
  if (const json* x = t.get("wallMs")) out.wallMs = readNumber(ctx, *x, t.pathOf("wallMs"), 0, false, inf, "a positive number");
  if (const json* x = t.get("heapMb"))
    out.heapMb = readNumber(ctx, *x, t.pathOf("heapMb"), 4, true, 65536, "a number of MiB from 4 to 65536");
  if (const json* x = t.get("subrequests"))
    out.subrequests = static_cast<uint32_t>(readWhole(ctx, *x, t.pathOf("subrequests"), 0,
                                                      std::numeric_limits<uint32_t>::max(),
                                                      "a whole number from 0 to 4294967295"));
}

void readCache(Context& ctx, const json& v, const std::string& path, CacheSettings& out) {
  Table t(ctx, v, path);
  if (const json* x = t.get("maxWorkers"))
    out.maxWorkers = static_cast<uint32_t>(readWhole(ctx, *x, t.pathOf("maxWorkers"), 1, 10'000'000,
                                                     "a whole number from 1 to 10000000"));
  if (const json* x = t.get("maxMemoryMb"))
    out.maxMemoryMb = readWhole(ctx, *x, t.pathOf("maxMemoryMb"), 0, uint64_t{1} << 30,
                                "a whole number of MiB (0: half of the available memory)");
  if (const json* x = t.get("idleSeconds"))
    out.idleSeconds = readNumber(ctx, *x, t.pathOf("idleSeconds"), 0, true, std::numeric_limits<double>::infinity(),
                                 "a number of seconds, 0 or more (0: never expire)");
}

void readLoader(Context& ctx, const json& v, const std::string& path, LoaderSettings& out) {
  Table t(ctx, v, path);
  if (const json* x = t.get("maxConcurrentPerRequest"))
    out.maxConcurrentPerRequest = static_cast<uint32_t>(readWhole(ctx, *x, t.pathOf("maxConcurrentPerRequest"), 1,
                                                                  1'000'000, "a whole number from 1 to 1000000"));
}

void readAdmin(Context& ctx, const json& v, const std::string& path, AdminSettings& out) {
  Table t(ctx, v, path);
  if (const json* x = t.get("listen")) {
    out.listen.emplace();
    readListen(ctx, *x, t.pathOf("listen"), *out.listen);
  }
}

// wisp.mcp.upstreams: [{ name, command: [argv...], env?: {NAME: value} } or { name, url,
// headers?: {name: value} }, each with callTimeoutSeconds?].
void readMcp(Context& ctx, const json& v, const std::string& path, McpSettings& out) {
  Table t(ctx, v, path);
  const json* entries = t.get("upstreams");
  if (!entries) return;
  if (!entries->is_array()) ctx.expected(t.pathOf("upstreams"), "an array of upstream MCP servers", *entries);
  auto stringPairs = [&](const json& table, const std::string& at) {
    Table pairs(ctx, table, at);
    std::vector<std::pair<std::string, std::string>> list;
    for (const auto& [key, value] : table.items()) {
      pairs.allow(key);
      if (!value.is_string()) ctx.expected(childPath(at, key), "a string", value);
      list.emplace_back(key, value.get<std::string>());
    }
    return list;
  };
  std::set<std::string> names;
  for (size_t i = 0; i < entries->size(); ++i) {
    std::string at = indexPath(t.pathOf("upstreams"), i);
    Table entry(ctx, (*entries)[i], at);
    codemode::UpstreamSpec spec;
    const json* name = entry.get("name");
    if (!name) ctx.fail(entry.pathOf("name"), "expected a name (the upstream's namespace in the code), got nothing");
    spec.name = readString(ctx, *name, entry.pathOf("name"));
    if (!names.insert(spec.name).second) ctx.fail(entry.pathOf("name"), fmt::format("duplicate upstream name \"{}\"", spec.name));
    const json* command = entry.get("command");
    const json* url = entry.get("url");
    if (!command == !url) ctx.fail(at, "expected either `command` (a process speaking MCP on stdio) or `url` (streamable HTTP)");
    if (command) {
      if (!command->is_array() || command->empty()) ctx.expected(entry.pathOf("command"), "an array of strings (the program and its arguments)", *command);
      for (size_t j = 0; j < command->size(); ++j)
        spec.command.push_back(readString(ctx, (*command)[j], indexPath(entry.pathOf("command"), j)));
      if (const json* env = entry.get("env")) spec.env = stringPairs(*env, entry.pathOf("env"));
    } else {
      spec.url = readString(ctx, *url, entry.pathOf("url"));
      if (!spec.url.starts_with("http://") && !spec.url.starts_with("https://"))
        ctx.expected(entry.pathOf("url"), "an http:// or https:// URL", *url);
      if (const json* headers = entry.get("headers")) spec.headers = stringPairs(*headers, entry.pathOf("headers"));
    }
    if (const json* x = entry.get("callTimeoutSeconds"))
      spec.callTimeoutSeconds = readNumber(ctx, *x, entry.pathOf("callTimeoutSeconds"), 0, false,
                                           std::numeric_limits<double>::infinity(), "a positive number of seconds");
    out.upstreams.push_back(std::move(spec));
  }
}

std::string readApiToken(Context& ctx, Table& t) {
  const json* token = t.get("apiToken");
  const json* env = t.get("apiTokenEnv");
  constexpr std::string_view tokenWhat = "a token of visible ASCII characters (no spaces)";
  if (token && env)
    ctx.fail(t.pathOf("apiTokenEnv"), "expected either wisp.apiToken or wisp.apiTokenEnv, not both");
  if (token) {
    if (!token->is_string() || !isToken(token->get_ref<const std::string&>())) ctx.expected(t.pathOf("apiToken"), tokenWhat, *token);
    return token->get<std::string>();
  }
  if (!env) return "";
  if (!env->is_string() || !isEnvVarName(env->get_ref<const std::string&>()))
    ctx.expected(t.pathOf("apiTokenEnv"), "the name of an environment variable", *env);
  const std::string& name = env->get_ref<const std::string&>();
  const char* value = std::getenv(name.c_str());
  if (!value || !*value) ctx.fail(t.pathOf("apiTokenEnv"), fmt::format("environment variable {} is not set", name));
  if (!isToken(value))
    ctx.fail(t.pathOf("apiTokenEnv"), fmt::format("environment variable {}: expected {}", name, tokenWhat));
  return value;
}

void readWisp(Context& ctx, const json& v, WispSettings& out) {
  Table t(ctx, v, "wisp");
  if (const json* x = t.get("listen")) readListen(ctx, *x, t.pathOf("listen"), out.listen);
  if (const json* x = t.get("threads"))
    out.threads = static_cast<uint32_t>(readWhole(ctx, *x, t.pathOf("threads"), 0, 1024,
                                                  "a whole number from 0 to 1024 (0: one per core)"));
  if (const json* x = t.get("limits")) readLimits(ctx, *x, t.pathOf("limits"), out.limits);
  if (const json* x = t.get("poolSize"))
    out.poolSize = static_cast<uint32_t>(readWhole(ctx, *x, t.pathOf("poolSize"), 0, 1024, "a whole number from 0 to 1024"));
  if (const json* x = t.get("cache")) readCache(ctx, *x, t.pathOf("cache"), out.cache);
  if (const json* x = t.get("loader")) readLoader(ctx, *x, t.pathOf("loader"), out.loader);
  if (const json* x = t.get("admin")) readAdmin(ctx, *x, t.pathOf("admin"), out.admin);
  if (const json* x = t.get("egress"))
    readEgress(*x, t.pathOf("egress"), out.egress,
               {[&](const std::string& p, std::string_view what, const json& got) { ctx.expected(p, what, got); },
                [&](const std::string& p, std::string_view what) { ctx.fail(p, what); },
                [&](const std::string& p, std::string_view what) { ctx.warn(ConfigWarning::Kind::UnknownKey, p, what); }});
  if (const json* x = t.get("maxHeaderBytes"))
    out.maxHeaderBytes = readWhole(ctx, *x, t.pathOf("maxHeaderBytes"), 1024, 16u << 20,
                                   "a whole number of bytes from 1024 to 16777216");
  if (const json* x = t.get("maxBodyBytes"))
    out.maxBodyBytes = readWhole(ctx, *x, t.pathOf("maxBodyBytes"), 0, std::numeric_limits<uint64_t>::max(),
                                 "a whole number of bytes, 0 or more");
  if (const json* x = t.get("mcp")) readMcp(ctx, *x, t.pathOf("mcp"), out.mcp);
  out.apiToken = readApiToken(ctx, t);
}

uint64_t availableMemoryBytes() {
  long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
  uint64_t bytes = pages > 0 && pageSize > 0 ? uint64_t(pages) * uint64_t(pageSize) : 0;
  // A container's limit (cgroup v2, then v1) is what the process really has.
  for (const char* file : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(file);
    uint64_t limit = 0;
    if (in >> limit && limit > 0 && (bytes == 0 || limit < bytes)) bytes = limit;
  }
  return bytes;
}

}  // namespace

// ---- ListenAddress ----

std::optional<ListenAddress> parseListenAddress(std::string_view text, std::string* error) {
  auto fail = [&](std::string reason) -> std::optional<ListenAddress> {
    if (error) *error = std::move(reason);
    return std::nullopt;
  };
  auto parsePort = [](std::string_view s) -> std::optional<uint16_t> {
    if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), isDigit)) return std::nullopt;
    int port = std::stoi(std::string(s));
    if (port > 65535) return std::nullopt;
    return static_cast<uint16_t>(port);
  };

  ListenAddress out;
  if (text.empty()) return fail("empty");
  if (std::all_of(text.begin(), text.end(), isDigit)) {
    auto port = parsePort(text);
    if (!port) return fail("the port must be from 0 to 65535");
    out.port = *port;
    return out;
  }

  std::string_view host = text, port;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return fail("missing ]");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fail("expected :port after ]");
      port = rest.substr(1);
      if (port.empty()) return fail("the port is missing");
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(std::string(host), ec);
    if (ec) return fail("not an IPv6 address");
  } else {
    size_t colons = std::count(text.begin(), text.end(), ':');
    if (colons > 1) return fail("an IPv6 address needs brackets, as in [::1]:8787");
    if (colons == 1) {
      size_t colon = text.find(':');
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (port.empty()) return fail("the port is missing");
    }
    if (host.empty()) return fail("the host is missing");
    if (std::all_of(host.begin(), host.end(), [](char c) { return isDigit(c) || c == '.'; })) {
      boost::system::error_code ec;
      boost::asio::ip::make_address_v4(std::string(host), ec);
      if (ec) return fail("not an IPv4 address");
    } else {
      bool name = host.size() <= 253 && host.front() != '-' && host.front() != '.' && host.back() != '-' &&
                  std::all_of(host.begin(), host.end(), [](char c) { return isAsciiAlpha(c) || isDigit(c) || c == '-' || c == '.'; });
      if (!name) return fail("not a host name or IP address");
    }
  }
  if (!port.empty()) {
    auto p = parsePort(port);
    if (!p) return fail("the port must be from 0 to 65535");
    out.port = *p;
  }
  out.host = std::string(host);
  return out;
}

bool ListenAddress::isLoopback() const {
  std::string lower = host;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "localhost") return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).is_loopback();
  return address.is_loopback();
}

std::string ListenAddress::toString() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

// ---- settings ----

io::Limits LimitSettings::toLimits() const {
  io::Limits l;
  l.cpuMs = cpuMs;
  l.wallMs = wallMs;
  l.heapBytes = static_cast<size_t>(heapMb * 1024 * 1024);
  l.subrequests = subrequests;
  return l;
}

uint64_t CacheSettings::memoryBudgetBytes() const {
  if (maxMemoryMb > 0) return maxMemoryMb << 20;
  uint64_t available = availableMemoryBytes();
  return available > 0 ? available / 2 : uint64_t{1} << 30;
}

uint32_t WispSettings::threadCount() const {
  if (threads > 0) return threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

// ---- files ----

std::string stripJsonc(std::string_view text, std::string_view file) {
  std::string out(text);
  enum class State { Code, String, LineComment, BlockComment } state = State::Code;
  size_t pendingComma = std::string::npos;  // a comma that is trailing if `}` or `]` comes next
  size_t blockStart = 0;
  char lastSignificant = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    char next = i + 1 < out.size() ? out[i + 1] : '\0';
    switch (state) {
      case State::String:
        if (c == '\\') ++i;
        else if (c == '"') state = State::Code;
        break;
      case State::LineComment:
        if (c == '\n') state = State::Code;
        else out[i] = ' ';
        break;
      case State::BlockComment:
        if (c == '*' && next == '/') {
          out[i] = out[i + 1] = ' ';
          ++i;
          state = State::Code;
        } else if (c != '\n') {
          out[i] = ' ';
        }
        break;
      case State::Code:
        if (c == '/' && (next == '/' || next == '*')) {
          state = next == '/' ? State::LineComment : State::BlockComment;
          blockStart = i;
          out[i] = out[i + 1] = ' ';
          ++i;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          if ((c == '}' || c == ']') && pendingComma != std::string::npos) out[pendingComma] = ' ';
          pendingComma = std::string::npos;
          // Only a comma after a value can be trailing: `[,]` and `[1,,]` stay errors.
          if (c == ',' && lastSignificant != 0 && lastSignificant != '{' && lastSignificant != '[' && lastSignificant != ',')
            pendingComma = i;
          if (c == '"') state = State::String;
          lastSignificant = c;
        }
        break;
    }
  }
  if (state == State::BlockComment) {
    auto [line, column] = lineColumn(text, blockStart);
    throw ConfigError(fmt::format("{}:{}:{}: unterminated /* comment", file, line, column));
  }
  return out;
}

LoadedConfig parseConfig(std::string_view text, ConfigFormat format, const fs::path& file) {
  Context ctx(displayName(file), format);
  json root = format == ConfigFormat::Toml ? parseTomlText(ctx, text) : parseJsonText(text, ctx.file());
  if (!root.is_object()) ctx.expected("", fmt::format("{} at the top level", ctx.tableWord()), root);

  fs::path absoluteFile = fs::absolute(file).lexically_normal();
  Config config;
  config.file = absoluteFile;
  {
    Table top(ctx, root, "");
    top.allow("$schema");
    for (const auto& [key, hint] : ignoredWranglerKeys()) top.ignore(key, hint);

    if (const json* v = top.get("name")) config.name = readString(ctx, *v, "name");
    if (const json* v = top.get("main")) readMain(ctx, *v, "main", absoluteFile, config.main);
    if (const json* v = top.get("compatibility_date")) readCompatibilityDate(ctx, *v, "compatibility_date", config.compatibilityDate);
    if (const json* v = top.get("compatibility_flags"))
      readCompatibilityFlags(ctx, *v, "compatibility_flags", config.compatibilityFlags);
    if (const json* v = top.get("vars")) {
      if (!v->is_object()) ctx.expected("vars", fmt::format("{} of JSON values", ctx.tableWord()), *v);
      config.vars = *v;
    }
    if (const json* v = top.get("worker_loaders")) readWorkerLoaders(ctx, *v, "worker_loaders", config.workerLoaders);
    if (const json* v = top.get("wisp")) readWisp(ctx, *v, config.wisp);
  }
  checkUniqueBindings(ctx, config);

  if (config.name.empty()) {
    config.name = absoluteFile.parent_path().filename().string();
    if (config.name.empty()) config.name = "worker";
  }
  if (config.compatibilityDate.empty()) {
    // Today, unless this wisp is older than that (a date it does not know would be refused).
    std::string today = io::todayUtc();
    std::string newest(io::newestCompatibilityDate());
    config.compatibilityDate = std::min(today, newest);
    if (!config.main.empty())
      ctx.warn(ConfigWarning::Kind::Default, "compatibility_date",
               today <= newest ? fmt::format("not set, using today's date ({})", today)
                               : fmt::format("not set, using {}, the newest date this wisp supports", newest));
  }
  // Without `main`, wisp serves its built-in execute API: anyone who can reach a non-loopback
  // address could run code, so a token is required there.
  if (config.main.empty() && config.wisp.apiToken.empty() && !config.wisp.listen.isLoopback())
    ctx.fail("wisp.apiToken",
             fmt::format("expected a token (or wisp.apiTokenEnv): the built-in API listens on {}, which is not a "
                         "loopback address",
                         config.wisp.listen.toString()));
  // The admin listener evicts Workers and reports on them: off loopback it needs the token too.
  if (config.wisp.admin.listen && config.wisp.apiToken.empty() && !config.wisp.admin.listen->isLoopback())
    ctx.fail("wisp.apiToken",
             fmt::format("expected a token (or wisp.apiTokenEnv): the admin listener listens on {}, which is not a "
                         "loopback address",
                         config.wisp.admin.listen->toString()));
  // Tables report their unknown keys innermost first; by path reads better.
  std::stable_sort(ctx.warnings().begin(), ctx.warnings().end(),
                   [](const ConfigWarning& a, const ConfigWarning& b) { return a.path < b.path; });
  return {std::move(config), std::move(ctx.warnings())};
}

std::optional<LoadedConfig> loadConfig(const fs::path& path) {
  std::error_code ec;
  fs::path file;
  ConfigFormat format = ConfigFormat::Jsonc;
  std::vector<fs::path> alsoPresent;
  if (fs::is_directory(path, ec)) {
    for (const auto& [name, kind] : kConfigFiles) {
      fs::path candidate = path / name;
      if (!fs::exists(candidate, ec)) continue;
      if (file.empty()) file = candidate, format = kind;
      else alsoPresent.push_back(candidate);
    }
    if (file.empty()) return std::nullopt;
  } else {
    file = path;
    std::string ext = path.extension().string();
    if (ext == ".toml") format = ConfigFormat::Toml;
    else if (ext == ".json" || ext == ".jsonc") format = ConfigFormat::Jsonc;
    else throw ConfigError(fmt::format("{}: expected a .jsonc, .json or .toml file", displayName(path)));
  }

  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(fmt::format("{}: cannot read the file", displayName(file)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(fmt::format("{}: cannot read the file", displayName(file)));

  LoadedConfig loaded = parseConfig(text.str(), format, file);
  for (const auto& other : alsoPresent)
    loaded.warnings.push_back({ConfigWarning::Kind::IgnoredKey, "",
                               fmt::format("{}: not read, {} takes precedence", displayName(other), displayName(file))});
  return loaded;
}

}  // namespace wisp::server
