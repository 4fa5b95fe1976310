#include "server/egress-config.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace wisp::server {
namespace {

using json = nlohmann::json;

class Reader {
 public:
  Reader(const EgressConfigReport& report) : report_(report) {}

  [[noreturn]] void expected(const std::string& path, std::string_view what, const json& got) const {
    report_.expected(path, what, got);
    throw std::runtime_error(fmt::format("{}: expected {}", path, what));  // the reporter always throws
  }

  [[noreturn]] void fail(const std::string& path, std::string_view what) const {
    report_.fail(path, what);
    throw std::runtime_error(fmt::format("{}: {}", path, what));
  }

  std::vector<std::string> entries(const json& v, const std::string& path) const {
    constexpr std::string_view what =
        "an array of host names (\"api.example.com\", \"*.example.com\", \"*\"), addresses or CIDR ranges";
    if (!v.is_array()) expected(path, what, v);
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); i++) {
      std::string at = fmt::format("{}[{}]", path, i);
      if (!v[i].is_string()) expected(at, what, v[i]);
      std::string why;
      if (!io::EgressEntry::parse(v[i].get_ref<const std::string&>(), &why)) fail(at, fmt::format("{}: {}", v[i].dump(), why));
      out.push_back(v[i].get<std::string>());
    }
    return out;
  }

  bool boolean(const json& v, const std::string& path) const {
    if (!v.is_boolean()) expected(path, "true or false", v);
    return v.get<bool>();
  }

  double positive(const json& v, const std::string& path, std::string_view what) const {
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() <= 0) expected(path, what, v);
    return v.get<double>();
  }

  uint64_t whole(const json& v, const std::string& path, std::string_view what) const {
    if (v.is_number_unsigned() && v.get<uint64_t>() > 0) return v.get<uint64_t>();
    if (v.is_number_integer() && v.get<int64_t>() > 0) return static_cast<uint64_t>(v.get<int64_t>());
    if (v.is_number_float()) {
      double d = v.get<double>();
      if (std::isfinite(d) && d >= 1 && d == std::floor(d) && d < 18446744073709551616.0) return static_cast<uint64_t>(d);
    }
    expected(path, what, v);
  }

 private:
  const EgressConfigReport& report_;
};

}  // namespace

std::shared_ptr<const io::OutboundSettings> EgressSettings::toOutbound() const {
  auto out = std::make_shared<io::OutboundSettings>();
  out->policy = io::EgressPolicy({allow, deny, allowPrivate});
  out->maxResponseBytes = maxResponseBytes;
  out->timeoutMs = timeoutMs;
  return out;
}

void readEgress(const json& value, const std::string& path, EgressSettings& out, const EgressConfigReport& report) {
  Reader r(report);
  if (!value.is_object()) r.expected(path, "a table of egress settings", value);
  static const std::vector<std::string> known = {"allow", "deny", "allowPrivate", "maxResponseBytes", "timeoutMs"};
  for (auto& [key, v] : value.items()) {
    std::string at = path + "." + key;
    if (key == "allow") out.allow = r.entries(v, at);
    else if (key == "deny") out.deny = r.entries(v, at);
    else if (key == "allowPrivate") out.allowPrivate = r.boolean(v, at);
    else if (key == "maxResponseBytes") out.maxResponseBytes = r.whole(v, at, "a whole number of bytes, 1 or more");
    else if (key == "timeoutMs") out.timeoutMs = r.positive(v, at, "a positive number of milliseconds");
    else report.unknownKey(at, fmt::format("unknown key, ignored (wisp.egress knows {})", fmt::join(known, ", ")));
  }
}

}  // namespace wisp::server
