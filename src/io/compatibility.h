// Compatibility dates and flags, checked with workerd's rules and texts: a dynamic Worker's
// WorkerCode (compatibilityDate, compatibilityFlags) and the host's wrangler config
// (compatibility_date). wisp's behaviour does not depend on either; checking them keeps a Worker
// that runs on wisp one that workerd accepts, and turns a typo into an error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wisp::io {

// Today's date in UTC, as YYYY-MM-DD.
std::string todayUtc();

// The newest compatibility date wisp accepts (that of the workerd whose flags it knows).
std::string_view newestCompatibilityDate();

// Why `date` is refused, in workerd's words, or nullopt if it is fine: it must be YYYY-MM-DD
// (year 2000 to 2999, month 1 to 12, day 1 to 31), no newer than newestCompatibilityDate() and
// no later than `today`.
std::optional<std::string> compatibilityDateError(std::string_view date, std::string_view today);
inline std::optional<std::string> compatibilityDateError(std::string_view date) {
  return compatibilityDateError(date, todayUtc());
}

// Why `flags` are refused, in workerd's words, or nullopt: a flag given twice, a flag together
// with the one that turns the same behaviour off, an experimental flag, an unknown flag (checked
// in that order, as workerd does).
std::optional<std::string> compatibilityFlagsError(const std::vector<std::string>& flags);

}  // namespace wisp::io
