// The streaming reader of native profiles (src/profile/NativeProfileReader.cpp)
// against the DOM walk it replaced (DomProfileReference.cpp): the same Profile for
// every committed profile and for documents with members reordered, repeated,
// missing or of the wrong type, and the same first error, word for word.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "DomProfileReference.h"
#include "core/Error.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileFiles.h"
#include "profile/ProfileLimits.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

using nlohmann::ordered_json;

// What a reader made of a text: the profile, or the message it threw.
struct Outcome {
  std::optional<Profile> profile;
  std::string error;
};

template <typename Read>
Outcome outcomeOf(Read read, const std::string& text) {
  try {
    return {read(text, "t.json"), {}};
  } catch (const InputError& error) {
    return {std::nullopt, error.what()};
  }
}

// Both readers agree on `text`; returns the streaming reader's outcome.
Outcome expectSameAsDom(const std::string& text) {
  const Outcome streamed = outcomeOf(readNativeProfile, text);
  const Outcome dom = outcomeOf(test::readNativeProfileWithDom, text);
  EXPECT_EQ(streamed.error, dom.error) << text.substr(0, 2000);
  EXPECT_EQ(streamed.profile.has_value(), dom.profile.has_value()) << text.substr(0, 2000);
  if (streamed.profile && dom.profile) {
    EXPECT_TRUE(*streamed.profile == *dom.profile) << text.substr(0, 2000);
  }
  return streamed;
}

std::string errorOf(const std::string& text) {
  const Outcome outcome = expectSameAsDom(text);
  EXPECT_FALSE(outcome.profile.has_value()) << text;
  return outcome.error;
}

std::vector<std::string> committedProfiles() {
  std::vector<std::string> paths;
  for (const auto& item :
       std::filesystem::directory_iterator(test::sourceDir() + "/xnu_profiles")) {
    if (item.path().extension() == ".json") paths.push_back(item.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

// A small valid document to vary: two symbols, two structs, a bitfield, a drop.
ordered_json smallProfile() {
  return ordered_json::parse(R"({
    "format": "xnuscope-profile", "format_version": 1, "name": "T", "macos": "10.13.6",
    "build": "17G65", "xnu": "xnu-4570.71.2", "arch": "x86_64", "banner": "B",
    "uuid": "U", "layout_source": "real",
    "provenance": {"source": "s.zip", "sha256": "ab", "tool": "t"},
    "symbols": {"_allproc": "0xffffff8000abc590", "_kernproc": "0x10"},
    "structs": {
      "proc": {"size": 1024, "fields": {
        "p_pid": {"offset": 16, "type": "int"},
        "p_comm": {"offset": 500, "type": "char[17]", "count": 17},
        "p_flag": {"offset": 8, "type": "unsigned int", "bits": [2, 3]}}},
      "task": {"size": 64, "fields": {"bsd_info": {"offset": 8, "type": "proc *"}}}},
    "dropped": {"thread.x": "unrepresentable"}
  })");
}

TEST(NativeProfileReader, CommittedProfilesReadAsTheDomReadThem) {
  const auto paths = committedProfiles();
  ASSERT_GE(paths.size(), 6u);
  for (const auto& path : paths) {
    SCOPED_TRACE(path);
    const std::string text = readWholeFile(path, "profile");
    const Outcome outcome = expectSameAsDom(text);
    ASSERT_TRUE(outcome.profile.has_value()) << outcome.error;
    EXPECT_GT(outcome.profile->structs.size(), 10u);
    EXPECT_GT(outcome.profile->symbols.size(), 3u);
    // Members in another order (sorted keys at every level) read the same.
    const std::string sorted = nlohmann::json::parse(text).dump(1);
    EXPECT_TRUE(expectSameAsDom(sorted).profile == outcome.profile);
  }
}

TEST(NativeProfileReader, SmallProfileReadsEveryMember) {
  const Outcome outcome = expectSameAsDom(smallProfile().dump());
  ASSERT_TRUE(outcome.profile.has_value()) << outcome.error;
  const Profile& profile = *outcome.profile;
  EXPECT_EQ(profile.build, "17G65");
  EXPECT_TRUE(profile.uuid == "U");
  EXPECT_EQ(profile.provenance.tool, "t");
  EXPECT_TRUE(profile.symbol("_allproc") == 0xffffff8000abc590ull);
  EXPECT_EQ(profile.structure("proc").size, 1024u);
  EXPECT_EQ(profile.field("proc", "p_comm").elementCount, 17u);
  EXPECT_TRUE(profile.field("proc", "p_flag").bits == (BitField{2, 3}));
  EXPECT_EQ(profile.field("task", "bsd_info").type, "proc *");
  EXPECT_EQ(profile.dropped.at("thread.x"), "unrepresentable");
}

// A member given twice counts with its last value, at every level.
TEST(NativeProfileReader, ARepeatedKeyKeepsItsLastValue) {
  const std::string head = R"({"format": "xnuscope-profile", "format_version": 1, "name": "T",
      "banner": "B", "layout_source": "real", )";
  const auto read = [&](const std::string& rest) { return expectSameAsDom(head + rest); };
  {
    const Outcome outcome =
        read(R"("symbols": {"_a": "bad", "_a": "0x10"}, "structs": {}, "name": "N"})");
    ASSERT_TRUE(outcome.profile) << outcome.error;
    EXPECT_EQ(outcome.profile->name, "N");
    EXPECT_TRUE(outcome.profile->symbol("_a") == 0x10u);
  }
  EXPECT_NE(read(R"("symbols": {"_a": "0x10", "_a": 5}, "structs": {}})")
                .error.find("t.json: $.symbols._a must be a hex address string"),
            std::string::npos);
  {
    // A whole member replaced: nothing of the first "symbols", "structs" or "dropped"
    // remains, valid or not, dropped fields included.
    const Outcome outcome = read(R"("symbols": {"_a": "x", "_c": "0x2"},
        "symbols": {"_b": "0x1"}, "structs": {"s": 1, "u": {"size": 1, "fields": {"f": 1}}},
        "dropped": {"d": "first"}, "dropped": {"e": "second"},
        "structs": {"t": {"size": 1, "fields": {"g": {"offset": 0, "type": "int",
                                                      "bits": [1, 2, 3], "bits": [1, 2]}}}}})");
    ASSERT_TRUE(outcome.profile) << outcome.error;
    EXPECT_EQ(outcome.profile->symbols, (std::map<std::string, std::uint64_t>{{"_b", 1}}));
    EXPECT_FALSE(outcome.profile->hasStruct("s"));
    EXPECT_FALSE(outcome.profile->hasStruct("u"));
    EXPECT_TRUE(outcome.profile->hasField("t", "g"));
    EXPECT_TRUE(outcome.profile->field("t", "g").bits == (BitField{1, 2}));
    EXPECT_EQ(outcome.profile->dropped, (std::map<std::string, std::string>{{"e", "second"}}));
  }
  {
    // A struct and a field repeated; a field dropped first and then valid is kept.
    const Outcome outcome = read(R"("symbols": {}, "structs": {
        "s": 7, "s": {"size": 1, "fields": {"f": 3, "f": {"offset": 1, "type": "x", "offset": 2}},
                      "size": 4}}})");
    ASSERT_TRUE(outcome.profile) << outcome.error;
    EXPECT_EQ(outcome.profile->structure("s").size, 4u);
    EXPECT_EQ(outcome.profile->offset("s", "f"), 2u);
    EXPECT_TRUE(outcome.profile->dropped.empty());
  }
  {
    // Valid first, then unrepresentable: dropped.
    const Outcome outcome = read(R"("symbols": {}, "structs": {"s": {"size": 1, "fields": {
        "f": {"offset": 1, "type": "x"}, "f": {"offset": 1, "type": "x", "bits": [1]}}}}})");
    ASSERT_TRUE(outcome.profile) << outcome.error;
    EXPECT_FALSE(outcome.profile->hasField("s", "f"));
    EXPECT_NE(outcome.profile->dropped.at("s.f").find("$.structs.s.fields.f.bits must be"),
              std::string::npos);
  }
  {
    // "fields" twice: the first set is gone, with its drops.
    const Outcome outcome = read(R"("symbols": {}, "structs": {"s": {"size": 1,
        "fields": {"a": 1, "b": {"offset": 0, "type": "int"}}, "fields": {"c": {"offset": 0,
        "type": "int"}}}}, "dropped": {"k": "first", "k": 5, "j": 1, "j": "second"}})");
    ASSERT_TRUE(outcome.profile) << outcome.error;
    EXPECT_EQ(outcome.profile->structure("s").fields.size(), 1u);
    EXPECT_TRUE(outcome.profile->hasField("s", "c"));
    EXPECT_EQ(outcome.profile->dropped, (std::map<std::string, std::string>{{"j", "second"}}));
  }
  EXPECT_NE(read(R"("symbols": {}, "structs": {"s": {"size": 1, "fields": {}}, "s": []}})")
                .error.find("$.structs.s must be an object {"),
            std::string::npos);
  EXPECT_NE(read(R"("symbols": {}, "structs": {}, "format_version": 2})")
                .error.find("$.format_version is 2"),
            std::string::npos);
  const Outcome provenance = read(R"("symbols": {}, "structs": {},
      "provenance": {"tool": "a"}, "provenance": {"source": "b"}})");
  ASSERT_TRUE(provenance.profile) << provenance.error;
  EXPECT_TRUE(provenance.profile->provenance == (Provenance{"b", "", ""}));
}

// Wrong types at each level, with the path of the member in the message. Several
// errors in one document: the one the fixed order checks first is reported.
TEST(NativeProfileReader, WrongTypesNameTheirPathInTheDomOrder) {
  const auto withMember = [](const std::string& key, const ordered_json& value) {
    ordered_json doc = smallProfile();
    doc[key] = value;
    return doc.dump();
  };
  const std::vector<std::pair<std::string, std::string>> topLevel = {
      {"format", "$.format must be a string"},
      {"format_version", "$.format_version must be a non-negative integer"},
      {"name", "$.name must be a string"},
      {"macos", "$.macos must be a string"},
      {"build", "$.build must be a string"},
      {"xnu", "$.xnu must be a string"},
      {"arch", "$.arch must be a string"},
      {"banner", "$.banner must be a string"},
      {"uuid", "$.uuid must be a string"},
      {"layout_source", "$.layout_source must be a string"},
      {"provenance", "$.provenance must be an object"},
      {"symbols", "$.symbols must be an object"},
      {"structs", "$.structs must be an object"},
      {"dropped", "$.dropped must be an object"}};
  for (const auto& [key, expected] : topLevel) {
    SCOPED_TRACE(key);
    for (const ordered_json& value :
         {ordered_json::array({1}), ordered_json(-3), ordered_json(true), ordered_json(2.5)}) {
      const std::string error = errorOf(withMember(key, value));
      EXPECT_NE(error.find("profile t.json: " + expected), std::string::npos) << error;
    }
  }
  // null is "absent" for the optional strings only.
  EXPECT_TRUE(expectSameAsDom(withMember("macos", nullptr)).profile);
  EXPECT_NE(errorOf(withMember("arch", nullptr)).find("$.arch must be a string"),
            std::string::npos);
  EXPECT_NE(errorOf(withMember("provenance", nullptr)).find("$.provenance must be an object"),
            std::string::npos);
  // Missing members.
  for (const std::string key :
       {"format", "format_version", "name", "banner", "layout_source", "symbols", "structs"}) {
    ordered_json doc = smallProfile();
    doc.erase(key);
    EXPECT_NE(errorOf(doc.dump()).find("$." + key + " is missing"), std::string::npos) << key;
  }
  // Deeper levels.
  ordered_json doc = smallProfile();
  doc["provenance"]["sha256"] = 1;
  EXPECT_NE(errorOf(doc.dump()).find("$.provenance.sha256 must be a string"), std::string::npos);
  doc = smallProfile();
  doc["symbols"]["_kernproc"] = "16";
  EXPECT_NE(errorOf(doc.dump()).find("$.symbols._kernproc is \"16\", not a hex address"),
            std::string::npos);
  doc["symbols"]["_b"] = {{"a", 1}};
  EXPECT_NE(errorOf(doc.dump()).find("$.symbols._b must be a hex address string"),
            std::string::npos)
      << "the first failing symbol by name";
  doc = smallProfile();
  doc["structs"]["task"]["size"] = "64";
  doc["structs"]["proc"]["fields"] = ordered_json::array();
  EXPECT_NE(errorOf(doc.dump()).find("$.structs.proc.fields must be an object"), std::string::npos)
      << "proc before task, whatever the order in the document";
  doc["structs"]["proc"].erase("fields");
  EXPECT_NE(errorOf(doc.dump()).find("$.structs.proc.fields is missing"), std::string::npos);
  doc["structs"]["proc"]["size"] = -1;
  EXPECT_NE(errorOf(doc.dump()).find("$.structs.proc.size must be a non-negative integer"),
            std::string::npos);
  // Errors at several levels: the top level first, then symbols, then structs.
  doc = smallProfile();
  doc["structs"]["proc"] = 1;
  doc["symbols"]["_allproc"] = 1;
  EXPECT_NE(errorOf(doc.dump()).find("$.symbols._allproc"), std::string::npos);
  doc["name"] = 1;
  EXPECT_NE(errorOf(doc.dump()).find("$.name must be a string"), std::string::npos);
  doc.erase("format");
  EXPECT_NE(errorOf(doc.dump()).find("$.format is missing"), std::string::npos);
  EXPECT_NE(errorOf("[" + doc.dump() + "]").find("the document must be a JSON object"),
            std::string::npos);
  EXPECT_NE(errorOf("\"text\"").find("the document must be a JSON object"), std::string::npos);
}

TEST(NativeProfileReader, UnrepresentableFieldsAreDroppedWithTheirPath) {
  const std::vector<std::pair<ordered_json, std::string>> cases = {
      {7, "$.structs.proc.fields.p_pid must be an object {"},
      {{{"type", "int"}}, "$.structs.proc.fields.p_pid.offset is missing"},
      {{{"offset", 1.5}, {"type", "int"}}, ".p_pid.offset must be a non-negative integer"},
      {{{"offset", 1}}, ".p_pid.type is missing"},
      {{{"offset", 1}, {"type", nullptr}}, ".p_pid.type must be a string"},
      {{{"offset", 1}, {"type", "int[x]"}}, ".p_pid.type is malformed: "},
      {{{"offset", 1}, {"type", "int"}, {"count", -1}}, ".p_pid.count must be a non-negative"},
      {{{"offset", 1}, {"type", "int"}, {"bits", {1, 2, 3}}}, ".p_pid.bits must be [start_bit"},
      {{{"offset", 1}, {"type", "int"}, {"bits", {{"a", 1}}}}, ".p_pid.bits must be [start_bit"},
      {{{"offset", 1}, {"type", "int"}, {"bits", {"1", 2}}}, ".p_pid.bits[0] must be a non-neg"},
      {{{"offset", 1}, {"type", "int"}, {"bits", {1, {2}}}}, ".p_pid.bits[1] must be a non-neg"},
      {{{"offset", 1}, {"type", "int"}, {"bits", {60, 8}}}, ".p_pid.bits must describe 1..64"},
      {{{"offset", 1}, {"type", "int"}, {"bits", {0, 0}}}, ".p_pid.bits must describe 1..64"},
  };
  for (const auto& [value, expected] : cases) {
    ordered_json doc = smallProfile();
    doc["structs"]["proc"]["fields"]["p_pid"] = value;
    const Outcome outcome = expectSameAsDom(doc.dump());
    ASSERT_TRUE(outcome.profile) << outcome.error;
    EXPECT_FALSE(outcome.profile->hasField("proc", "p_pid"));
    EXPECT_TRUE(outcome.profile->hasField("proc", "p_comm"));
    ASSERT_EQ(outcome.profile->dropped.count("proc.p_pid"), 1u) << value.dump();
    EXPECT_NE(outcome.profile->dropped.at("proc.p_pid").find(expected), std::string::npos)
        << outcome.profile->dropped.at("proc.p_pid");
  }
  // A field dropped and a "dropped" entry of the same key: the field's reason is kept.
  ordered_json doc = smallProfile();
  doc["structs"]["proc"]["fields"]["p_pid"] = 1;
  doc["dropped"]["proc.p_pid"] = "from the file";
  const Outcome outcome = expectSameAsDom(doc.dump());
  ASSERT_TRUE(outcome.profile) << outcome.error;
  EXPECT_NE(outcome.profile->dropped.at("proc.p_pid").find("must be an object"), std::string::npos);
}

TEST(NativeProfileReader, BoundsAreEnforcedInTheSamePass) {
  const std::string deep =
      std::string(kMaxProfileJsonDepth + 1, '[') + std::string(kMaxProfileJsonDepth + 1, ']');
  EXPECT_NE(errorOf(deep).find("profile t.json nests JSON deeper than 64 levels"),
            std::string::npos);
  // Exactly at the limit is fine as far as the bounds go (it is then not an object).
  const std::string atLimit =
      std::string(kMaxProfileJsonDepth, '[') + std::string(kMaxProfileJsonDepth, ']');
  EXPECT_NE(errorOf(atLimit).find("must be a JSON object"), std::string::npos);
  // Deep nesting inside an ignored member of a valid profile.
  ordered_json doc = smallProfile();
  doc["extra"] = 0;
  std::string text = doc.dump();
  text.replace(text.rfind("0}"), 1, deep);
  EXPECT_NE(errorOf(text).find("nests JSON deeper than"), std::string::npos);
  // One value more than allowed; reported before the syntax error that follows it.
  std::string many = "{\"x\": [";
  many.reserve(kMaxProfileJsonValues * 2 + 16);
  for (std::uint64_t i = 0; i < kMaxProfileJsonValues; ++i) many += "0,";
  many += "0]";  // the object, the array and these values: two more than the limit
  const std::string error = errorOf(many);
  EXPECT_NE(error.find("holds more than 8000000 JSON values"), std::string::npos) << error;
  EXPECT_NE(errorOf("{\"format\": ").find("profile t.json is not valid JSON"), std::string::npos);
  EXPECT_NE(errorOf(smallProfile().dump() + "x").find("is not valid JSON"), std::string::npos);
  EXPECT_NE(errorOf("{\"format\": 1e999}").find("is not valid JSON"), std::string::npos);
}

// Random edits of the small profile (values replaced by values of other types,
// members removed, repeated or added, at every level): both readers agree on each.
TEST(NativeProfileReader, RandomEditsReadAsTheDomReadThem) {
  const std::vector<ordered_json> replacements = {
      nullptr,
      true,
      -1,
      0,
      1,
      64,
      2.5,
      "",
      "x",
      "int",
      "0x10",
      "16",
      ordered_json::array(),
      ordered_json::array({1, 2}),
      ordered_json::array({60, 8}),
      ordered_json::object(),
      ordered_json{{"offset", 1}, {"type", "int"}},
      ordered_json{{"size", 1}, {"fields", ordered_json::object()}}};
  std::mt19937 random(16);
  const auto pick = [&](std::size_t count) {
    return std::uniform_int_distribution<std::size_t>(0, count - 1)(random);
  };
  std::size_t accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    ordered_json doc = smallProfile();
    std::string repeated;
    for (int edit = 0; edit < 3; ++edit) {
      // Walk down to a random container, then edit one of its members.
      ordered_json* node = &doc;
      while (true) {
        std::vector<ordered_json*> children;
        for (auto& child : *node) {
          if (child.is_structured() && !child.empty()) children.push_back(&child);
        }
        if (children.empty() || pick(3) == 0) break;
        node = children[pick(children.size())];
      }
      const ordered_json& replacement = replacements[pick(replacements.size())];
      if (node->is_array()) {
        (*node)[pick(node->size())] = replacement;
        continue;
      }
      auto member = std::next(node->begin(), static_cast<std::ptrdiff_t>(pick(node->size())));
      switch (pick(4)) {
        case 0:
          member.value() = replacement;
          break;
        case 1: {
          const std::string key = member.key();
          node->erase(key);
          break;
        }
        case 2:
          (*node)["k" + std::to_string(pick(3))] = replacement;
          break;
        default:
          // Repeated at the top level, before or after the original.
          repeated = "\"" + member.key() + "\": " + replacement.dump() + ", ";
          break;
      }
    }
    std::string text = doc.dump();
    if (!repeated.empty() && text.size() > 2) {
      if (pick(2) == 0) {
        text.insert(1, repeated);
      } else {
        text.insert(text.size() - 1, ", " + repeated.substr(0, repeated.size() - 2));
      }
    }
    SCOPED_TRACE(text);
    if (expectSameAsDom(text).profile) ++accepted;
    if (HasFailure()) break;
  }
  // The edits reach both outcomes.
  EXPECT_GT(accepted, 100u);
  EXPECT_LT(accepted, 2900u);
}

}  // namespace
}  // namespace xnuscope
