// Profile files as --profile reads them: native xnuscope JSON (and its identifying
// members, as the profile directory index reads them), Volatility 3 ISF,
// either possibly gzip/xz-compressed (libarchive), and the walker layout built from
// whatever loaded. The native reader is also checked against the DOM reader it
// replaced (tests/profile/DomProfileReference.cpp).
#include <optional>
#include <utility>

#include "FuzzSupport.h"
#include "profile/DomProfileReference.h"
#include "profile/IsfProfile.h"
#include "profile/NativeProfileFormat.h"
#include "profile/ProfileFiles.h"
#include "profile/ProfileIdentity.h"
#include "profile/ProfileRepository.h"
#include "xnu/XnuLayout.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xnuscope;
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::expectOnlyCleanErrors([&] { readNativeProfile(text, "fuzz.json"); });
  // The streaming reader must agree with the DOM reader it replaced: the same profile
  // or the same first error, word for word.
  const auto outcome = [&](auto read) -> std::pair<std::optional<Profile>, std::string> {
    try {
      return {read(text, "fuzz.json"), {}};
    } catch (const InputError& error) {
      return {std::nullopt, error.what()};
    }
  };
  if (outcome(readNativeProfile) != outcome(test::readNativeProfileWithDom)) {
    std::fprintf(stderr, "readNativeProfile and the DOM reference disagree\n");
    std::abort();
  }
  // What the profile directory index reads of each file (auto-selection).
  fuzz::expectOnlyCleanErrors([&] { readNativeProfileIdentity(text, "fuzz.json"); });
  fuzz::expectOnlyCleanErrors([&] { importIsfText(text, "fuzz.isf.json"); });
  fuzz::MemoryFile file({data, size});
  fuzz::expectOnlyCleanErrors([&] {
    const Profile profile = loadProfileFile(file.path());
    XnuLayout::fromProfile(profile);
  });
  return 0;
}
