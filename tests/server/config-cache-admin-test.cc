// The config keys of the Worker cache and the admin listener: wisp.loader.maxConcurrentPerRequest,
// wisp.admin.listen, and the token rule for an admin listener off loopback.
#include <gtest/gtest.h>

#include "server/config.h"

namespace wisp::server {
namespace {

LoadedConfig parseToml(std::string_view text) { return parseConfig(text, ConfigFormat::Toml, "wrangler.toml"); }

std::string tomlError(std::string_view text) {
  try {
    parseToml(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ConfigCacheAdmin, DefaultsAreSixCallsAndNoAdminListener) {
  auto c = parseToml("").config;
  EXPECT_EQ(c.wisp.loader.maxConcurrentPerRequest, 6u);
  EXPECT_FALSE(c.wisp.admin.listen.has_value());
}

TEST(ConfigCacheAdmin, ReadsTheConcurrencyBoundAndTheAdminAddress) {
  auto loaded = parseToml("[wisp.loader]\nmaxConcurrentPerRequest = 2\n[wisp.admin]\nlisten = \"127.0.0.1:9000\"\n");
  EXPECT_TRUE(loaded.warnings.empty());
  EXPECT_EQ(loaded.config.wisp.loader.maxConcurrentPerRequest, 2u);
  ASSERT_TRUE(loaded.config.wisp.admin.listen.has_value());
  EXPECT_EQ(loaded.config.wisp.admin.listen->toString(), "127.0.0.1:9000");
  EXPECT_EQ(parseToml("[wisp.admin]\nlisten = 9001\n").config.wisp.admin.listen->toString(), "127.0.0.1:9001");
}

TEST(ConfigCacheAdmin, InvalidValuesNameTheirKey) {
  EXPECT_EQ(tomlError("[wisp.loader]\nmaxConcurrentPerRequest = 0"),
            "wrangler.toml: wisp.loader.maxConcurrentPerRequest: expected a whole number from 1 to 1000000, got 0");
  EXPECT_TRUE(tomlError("[wisp.admin]\nlisten = true").starts_with("wrangler.toml: wisp.admin.listen: expected "));
  EXPECT_EQ(tomlError("[wisp]\nadmin = 1"), "wrangler.toml: wisp.admin: expected a table, got 1");
}

TEST(ConfigCacheAdmin, UnknownKeysAreWarnedAbout) {
  auto loaded = parseToml("[wisp.loader]\nmaxConcurrent = 2\n");
  ASSERT_EQ(loaded.warnings.size(), 1u);
  EXPECT_EQ(loaded.warnings[0].path, "wisp.loader.maxConcurrent");
}

TEST(ConfigCacheAdmin, AnAdminListenerOffLoopbackNeedsAToken) {
  EXPECT_NE(tomlError("[wisp.admin]\nlisten = \"0.0.0.0:9000\"").find("the admin listener listens on 0.0.0.0:9000"),
            std::string::npos);
  EXPECT_EQ(tomlError("[wisp]\napiToken = \"t\"\n[wisp.admin]\nlisten = \"0.0.0.0:9000\""), "no error");
  EXPECT_EQ(tomlError("[wisp.admin]\nlisten = \"[::1]:9000\""), "no error");
}

}  // namespace
}  // namespace wisp::server
