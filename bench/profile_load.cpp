// Loading a native profile: readNativeProfile() (one streaming SAX pass straight into
// Profile) on the largest file of xnu_profiles/, against the DOM reader it replaced
// (tests/profile/DomProfileReference.cpp: bounds pass + nlohmann DOM parse + walk),
// the DOM parse alone (parseProfileJson, still used for ISF import) and the identity
// scan the profile index does per file.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "profile/DomProfileReference.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileFiles.h"
#include "profile/ProfileIdentity.h"
#include "profile/ProfileJson.h"

namespace {

namespace fs = std::filesystem;

struct LargestProfile {
  std::string path;
  std::string text;
};

const LargestProfile& largestProfile() {
  static const LargestProfile profile = [] {
    LargestProfile largest;
    std::uintmax_t size = 0;
    for (const auto& item :
         fs::directory_iterator(fs::path(XNUSCOPE_SOURCE_DIR) / "xnu_profiles")) {
      if (item.path().extension() == ".json" && item.file_size() > size) {
        size = item.file_size();
        largest.path = item.path().string();
      }
    }
    largest.text = xnuscope::readWholeFile(largest.path, "profile");
    return largest;
  }();
  return profile;
}

void setLabel(benchmark::State& state) {
  const LargestProfile& profile = largestProfile();
  state.SetLabel(fs::path(profile.path).filename().string());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * profile.text.size()));
}

void BM_ReadNativeProfileStreaming(benchmark::State& state) {
  const LargestProfile& profile = largestProfile();
  for (auto _ : state) {
    benchmark::DoNotOptimize(xnuscope::readNativeProfile(profile.text, profile.path));
  }
  setLabel(state);
}
BENCHMARK(BM_ReadNativeProfileStreaming)->Unit(benchmark::kMillisecond);

void BM_ReadNativeProfileDomReference(benchmark::State& state) {
  const LargestProfile& profile = largestProfile();
  for (auto _ : state) {
    benchmark::DoNotOptimize(xnuscope::test::readNativeProfileWithDom(profile.text, profile.path));
  }
  setLabel(state);
}
BENCHMARK(BM_ReadNativeProfileDomReference)->Unit(benchmark::kMillisecond);

void BM_ParseProfileJsonDom(benchmark::State& state) {
  const LargestProfile& profile = largestProfile();
  for (auto _ : state) {
    benchmark::DoNotOptimize(xnuscope::parseProfileJson(profile.text, profile.path));
  }
  setLabel(state);
}
BENCHMARK(BM_ParseProfileJsonDom)->Unit(benchmark::kMillisecond);

void BM_ReadNativeProfileIdentity(benchmark::State& state) {
  const LargestProfile& profile = largestProfile();
  for (auto _ : state) {
    benchmark::DoNotOptimize(xnuscope::readNativeProfileIdentity(profile.text, profile.path));
  }
  setLabel(state);
}
BENCHMARK(BM_ReadNativeProfileIdentity)->Unit(benchmark::kMillisecond);

// The floor of any nlohmann SAX reader: the parser with a handler that does nothing.
class NothingHandler final : public nlohmann::json::json_sax_t {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
};

void BM_SaxParseNothing(benchmark::State& state) {
  const LargestProfile& profile = largestProfile();
  for (auto _ : state) {
    NothingHandler handler;
    benchmark::DoNotOptimize(nlohmann::json::sax_parse(profile.text, &handler));
  }
  setLabel(state);
}
BENCHMARK(BM_SaxParseNothing)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
