#include "io/compatibility.h"

#include <algorithm>
#include <ctime>
#include <unordered_set>

#include "io/compatibility-flags.h"

namespace wisp::io {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

int number(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

// YYYY-MM-DD with workerd's ranges. Like workerd, it does not ask for a real calendar day
// (2025-02-30 passes): a date only selects behaviour, and Workers accepted there must run here.
bool wellFormed(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!isDigit(date[i])) return false;
  int year = number(date.substr(0, 4));
  int month = number(date.substr(5, 2));
  int day = number(date.substr(8, 2));
  return year >= 2000 && year <= 2999 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool contains(const std::vector<std::string>& flags, const char* flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

}  // namespace

std::string todayUtc() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char out[16];
  std::strftime(out, sizeof out, "%Y-%m-%d", &utc);
  return out;
}

std::string_view newestCompatibilityDate() { return kNewestCompatibilityDate; }

std::optional<std::string> compatibilityDateError(std::string_view date, std::string_view today) {
  if (!wellFormed(date)) return "Invalid compatibility date: " + std::string(date);
  // Same format, so the strings compare like the dates.
  if (date > newestCompatibilityDate()) {
    return "This Worker requires compatibility date \"" + std::string(date) +
           "\", but the newest date supported by this server binary is \"" +
           std::string(newestCompatibilityDate()) + "\".";
  }
  if (date > today) {
    return "Can't set compatibility date in the future: \"" + std::string(date) + "\". Today's date (UTC) is \"" +
           std::string(today) + "\".";
  }
  return std::nullopt;
}

std::optional<std::string> compatibilityFlagsError(const std::vector<std::string>& flags) {
  std::unordered_set<std::string_view> seen;
  for (const auto& flag : flags) {
    if (!seen.insert(flag).second) return "Compatibility flag specified multiple times: " + flag;
  }
  std::unordered_set<std::string_view> known;
  for (const auto& f : kCompatibilityFlags) {
    known.insert(f.enable);
    if (f.disable) known.insert(f.disable);
    bool enabled = contains(flags, f.enable);
    if (enabled && f.disable && contains(flags, f.disable)) {
      return std::string("Compatibility flags are mutually contradictory: ") + f.enable + " vs " + f.disable;
    }
    if (enabled && f.experimental) {
      // workerd's first sentence; its advice (run workerd with --experimental) has no wisp equivalent.
      return std::string("The compatibility flag ") + f.enable +
             " is experimental and may break or be removed in a future version of workerd. wisp does not "
             "support experimental compatibility flags.";
    }
  }
  for (const auto& flag : flags) {
    if (!known.count(flag)) return "No such compatibility flag: " + flag;
  }
  return std::nullopt;
}

}  // namespace wisp::io
