// Compatibility dates and flags: workerd's rules and texts (checked against workerd 1.20261117.1).
#include <gtest/gtest.h>

#include "io/compatibility.h"
#include "io/compatibility-flags.h"

namespace wisp::io {
namespace {

const char* kToday = "2026-06-15";

std::string dateError(std::string_view date) { return compatibilityDateError(date, kToday).value_or("ok"); }
std::string flagsError(std::vector<std::string> flags) { return compatibilityFlagsError(flags).value_or("ok"); }

TEST(Compatibility, DatesAreYyyyMmDdFrom2000To2999) {
  EXPECT_EQ(dateError("2025-06-01"), "ok");
  EXPECT_EQ(dateError("2000-01-01"), "ok");
  EXPECT_EQ(dateError("2025-02-30"), "ok");  // workerd does not ask for a calendar day either
  for (const char* bad : {"undefined", "", "not-a-date", "1999-12-31", "3000-01-01", "2025-13-01", "2025-00-10",
                          "2025-01-00", "2025-01-32", "2025-6-1", " 2025-06-01", "2025-06-01x", "+2025-06-01"}) {
    EXPECT_EQ(dateError(bad), std::string("Invalid compatibility date: ") + bad);
  }
}

TEST(Compatibility, DatesAreNoNewerThanWispKnowsAndNotInTheFuture) {
  EXPECT_EQ(dateError("2026-06-15"), "ok");
  EXPECT_EQ(dateError("2026-06-16"),
            "Can't set compatibility date in the future: \"2026-06-16\". Today's date (UTC) is \"2026-06-15\".");
  EXPECT_EQ(dateError("2999-12-31"),
            "This Worker requires compatibility date \"2999-12-31\", but the newest date supported by this server "
            "binary is \"" + std::string(kNewestCompatibilityDate) + "\".");
  EXPECT_EQ(compatibilityDateError(newestCompatibilityDate(), "2999-01-01"), std::nullopt);
  EXPECT_EQ(todayUtc().size(), 10u);
}

TEST(Compatibility, KnownFlagsPass) {
  EXPECT_EQ(flagsError({}), "ok");
  EXPECT_EQ(flagsError({"nodejs_compat", "rpc", "formdata_parser_converts_files_to_strings", "temporal"}), "ok");
}

TEST(Compatibility, FlagsAreRefusedInWorkerdsOrder) {
  EXPECT_EQ(flagsError({"no_such_flag_at_all"}), "No such compatibility flag: no_such_flag_at_all");
  EXPECT_EQ(flagsError({"zz", "aa"}), "No such compatibility flag: zz");
  EXPECT_EQ(flagsError({"no_such", "nodejs_compat", "nodejs_compat"}),
            "Compatibility flag specified multiple times: nodejs_compat");
  EXPECT_EQ(flagsError({"no_such", "no_nodejs_compat", "nodejs_compat"}),
            "Compatibility flags are mutually contradictory: nodejs_compat vs no_nodejs_compat");
  // Fields in their schema order: formdata_parser_supports_files is the first one.
  EXPECT_EQ(flagsError({"webgpu", "formdata_parser_converts_files_to_strings", "formdata_parser_supports_files"}),
            "Compatibility flags are mutually contradictory: formdata_parser_supports_files vs "
            "formdata_parser_converts_files_to_strings");
  EXPECT_EQ(flagsError({"no_such", "webgpu"}),
            "The compatibility flag webgpu is experimental and may break or be removed in a future version of "
            "workerd. wisp does not support experimental compatibility flags.");
}

TEST(Compatibility, TheFlagTableIsWellFormed) {
  std::vector<std::string> names;
  for (const auto& f : kCompatibilityFlags) {
    names.push_back(f.enable);
    if (f.disable) names.push_back(f.disable);
  }
  EXPECT_EQ(names.size(), 357u);
  for (const auto& f : kCompatibilityFlags) {
    EXPECT_EQ(flagsError({f.enable}) == "ok", !f.experimental) << f.enable;
    if (f.disable) EXPECT_EQ(flagsError({f.disable}), "ok") << f.disable;
  }
}

}  // namespace
}  // namespace wisp::io
