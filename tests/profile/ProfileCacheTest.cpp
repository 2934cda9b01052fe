// The binary cache of parsed native profiles: whatever it holds, a load gives the
// Profile the JSON parse gives. Every committed profile survives the round trip,
// and a damaged, foreign, truncated or unwritable entry falls back to the parse.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/Error.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileCache.h"
#include "profile/ProfileFiles.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> committedProfiles() {
  std::vector<fs::path> files;
  for (const auto& item : fs::directory_iterator(test::sourceDir() + "/xnu_profiles")) {
    if (item.path().extension() == ".json") files.push_back(item.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("xnuscope-profile-cache-" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::vector<fs::path> entries() const {
    std::vector<fs::path> out;
    if (fs::exists(path)) {
      for (const auto& item : fs::directory_iterator(path)) out.push_back(item.path());
    }
    return out;
  }
};

std::string readBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeBytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST(ProfileCache, EveryCommittedProfileSurvivesTheRoundTrip) {
  const auto files = committedProfiles();
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    const std::string text = readWholeFile(file.string(), "profile");
    const Profile parsed = readNativeProfile(text, file.string());
    const std::string bytes = ProfileCache::encode(parsed, "key");
    const auto decoded = ProfileCache::decode(bytes, "key");
    ASSERT_TRUE(decoded) << file;
    EXPECT_EQ(*decoded, parsed) << file;
    EXPECT_FALSE(ProfileCache::decode(bytes, "another key")) << file;
  }
}

TEST(ProfileCache, BitfieldsDropsAndAbsentUuidRoundTrip) {
  Profile profile;
  profile.name = "t";
  profile.banner = "Darwin Kernel Version 17.7.0";
  profile.symbols["_allproc"] = 0xffffff8000a00000ull;
  profile.structs["proc"].size = 0x400;
  profile.structs["proc"].fields["p_flag"] = Field{0x10, "unsigned int", BitField{3, 5}, 1};
  profile.structs["proc"].fields["p_comm"] = Field{0x20, "char[17]", std::nullopt, 17};
  profile.drop("proc.p_weird", "unrepresentable type");
  const auto decoded = ProfileCache::decode(ProfileCache::encode(profile, "k"), "k");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, profile);
  EXPECT_FALSE(decoded->uuid);
  profile.uuid = "";
  EXPECT_EQ(*ProfileCache::decode(ProfileCache::encode(profile, "k"), "k"), profile);
}

TEST(ProfileCache, LoadStoresAnEntryAndReadsItBack) {
  TempDir dir;
  const fs::path file = committedProfiles().front();
  const std::string text = readWholeFile(file.string(), "profile");
  const Profile parsed = readNativeProfile(text, file.string());
  const ProfileCache cache(dir.path);
  EXPECT_EQ(cache.load(text, file.string()), parsed);
  ASSERT_EQ(dir.entries().size(), 1u);
  const fs::path entry = dir.entries().front();
  const auto written = fs::last_write_time(entry);
  EXPECT_EQ(cache.load(text, file.string()), parsed);
  EXPECT_EQ(fs::last_write_time(entry), written) << "an intact entry is read, not rewritten";

  // Another path or another text is another entry.
  EXPECT_EQ(cache.load(text, file.string() + ".copy").name, parsed.name);
  std::string edited = text;
  edited.insert(edited.rfind('}'), ",\n  \"note\": \"edited\"");
  EXPECT_EQ(cache.load(edited, file.string()), parsed);
  EXPECT_EQ(dir.entries().size(), 3u);
}

TEST(ProfileCache, DamagedEntriesFallBackToTheParse) {
  TempDir dir;
  const fs::path file = committedProfiles().back();
  const std::string text = readWholeFile(file.string(), "profile");
  const Profile parsed = readNativeProfile(text, file.string());
  const ProfileCache cache(dir.path);
  cache.load(text, file.string());
  ASSERT_EQ(dir.entries().size(), 1u);
  const fs::path entry = dir.entries().front();
  const std::string good = readBytes(entry);

  std::mt19937_64 random(16);
  std::vector<std::string> damaged{"", "x", good.substr(0, good.size() / 2),
                                   good.substr(0, good.size() - 1), good + "trailing"};
  for (std::size_t cut = 0; cut < good.size(); cut += 997) damaged.push_back(good.substr(0, cut));
  for (int i = 0; i < 200; ++i) {
    std::string flipped = good;
    flipped[random() % flipped.size()] ^= static_cast<char>(1u << (random() % 8));
    damaged.push_back(flipped);
  }
  for (const std::string& bytes : damaged) {
    if (bytes == good) continue;
    EXPECT_FALSE(ProfileCache::decode(bytes, "any")) << bytes.size();
    writeBytes(entry, bytes);
    ASSERT_EQ(cache.load(text, file.string()), parsed) << bytes.size();
    EXPECT_EQ(readBytes(entry), good) << "the damaged entry is replaced";
  }
}

TEST(ProfileCache, NoDirectoryOrAnUnwritableOneStillLoads) {
  const fs::path file = committedProfiles().front();
  const std::string text = readWholeFile(file.string(), "profile");
  const Profile parsed = readNativeProfile(text, file.string());
  EXPECT_EQ(ProfileCache(std::nullopt).load(text, file.string()), parsed);

  TempDir dir;
  fs::create_directories(dir.path.parent_path());
  writeBytes(dir.path, "a file where the cache directory should be");
  EXPECT_EQ(ProfileCache(dir.path).load(text, file.string()), parsed);
  fs::remove(dir.path);
}

TEST(ProfileCache, TheParseStillRefusesABrokenProfile) {
  TempDir dir;
  EXPECT_THROW(ProfileCache(dir.path).load("{\"format\": \"xnuscope-profile\"", "broken.json"),
               InputError);
  EXPECT_TRUE(dir.entries().empty());
}

TEST(ProfileCache, DirectoryFromTheEnvironment) {
  const char* saved = std::getenv("XNUSCOPE_PROFILE_CACHE");
  const std::string restore = saved ? saved : "";
  setenv("XNUSCOPE_PROFILE_CACHE", "off", 1);
  EXPECT_FALSE(ProfileCache::defaultDirectory());
  setenv("XNUSCOPE_PROFILE_CACHE", "/somewhere/else", 1);
  EXPECT_EQ(ProfileCache::defaultDirectory(), fs::path("/somewhere/else"));
  if (saved) {
    setenv("XNUSCOPE_PROFILE_CACHE", restore.c_str(), 1);
  } else {
    unsetenv("XNUSCOPE_PROFILE_CACHE");
  }
}

}  // namespace
}  // namespace xnuscope
