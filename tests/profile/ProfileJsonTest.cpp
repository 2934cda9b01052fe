// parseProfileJson() builds the tree in the same pass that checks the bounds: the
// tree must be what json::parse builds, and the bounds and errors as before.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/Error.h"
#include "profile/ProfileFiles.h"
#include "profile/ProfileJson.h"
#include "profile/ProfileLimits.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

using nlohmann::json;

std::string errorOf(const std::string& text) {
  try {
    parseProfileJson(text, "ISF t.json");
  } catch (const InputError& error) {
    return error.what();
  }
  ADD_FAILURE() << "accepted: " << text.substr(0, 200);
  return {};
}

TEST(ProfileJson, BuildsWhatJsonParseBuilds) {
  std::size_t files = 0;
  for (const auto& item :
       std::filesystem::directory_iterator(test::sourceDir() + "/xnu_profiles")) {
    if (item.path().extension() != ".json") continue;
    const std::string text = readWholeFile(item.path().string(), "profile");
    EXPECT_EQ(parseProfileJson(text, "profile"), json::parse(text)) << item.path();
    ++files;
  }
  EXPECT_GE(files, 6u);
  for (const std::string text :
       {"{}", "[]", "null", "-0", "18446744073709551615", "-9223372036854775808", "1.5e300",
        R"({"a": 1, "a": {"b": [true, false, null]}, "c": "\u00e9\ud83d\ude00"})",
        R"([[], {}, [[{"x": []}]], "", 0])", " \n\t{\"k\": [1, -1, 2.5]} "}) {
    EXPECT_EQ(parseProfileJson(text, "unit"), json::parse(text)) << text;
  }
}

TEST(ProfileJson, BoundsAndSyntaxErrorsAreReported) {
  const std::string deep =
      std::string(kMaxProfileJsonDepth + 1, '[') + std::string(kMaxProfileJsonDepth + 1, ']');
  EXPECT_NE(errorOf(deep).find("ISF t.json nests JSON deeper than 64 levels"), std::string::npos);
  const std::string atLimit =
      std::string(kMaxProfileJsonDepth, '[') + std::string(kMaxProfileJsonDepth, ']');
  EXPECT_EQ(parseProfileJson(atLimit, "unit"), json::parse(atLimit));
  std::string many = "[";
  for (std::uint64_t i = 0; i < kMaxProfileJsonValues; ++i) many += "0,";
  many += "0]";
  EXPECT_NE(errorOf(many).find("ISF t.json holds more than 8000000 JSON values"),
            std::string::npos);
  // 8000002 values (the array and its elements); two fewer is exactly the bound.
  many.replace(many.size() - 6, 6, "0]");
  EXPECT_EQ(parseProfileJson(many, "unit").size(), kMaxProfileJsonValues - 1);
  for (const std::string bad : {"", "{", "[1,]", "{\"a\" 1}", "[1e999]", "{} x", "\"\xff\""}) {
    EXPECT_NE(errorOf(bad).find("ISF t.json is not valid JSON: [json.exception."),
              std::string::npos)
        << bad;
  }
}

}  // namespace
}  // namespace xnuscope
