// The decoder of the binary profile cache (profile/ProfileCache): any bytes, and the
// same bytes sealed with a valid checksum so that the decoder's body is reached.
// Whatever decodes must survive encode → decode unchanged.
#include <cstdlib>

#include "FuzzSupport.h"
#include "profile/ProfileCache.h"

namespace {

// The cache's trailer: FNV-1a 64 of everything before it, little-endian.
std::string sealed(std::string body) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const unsigned char byte : body) {
    hash ^= byte;
    hash *= 0x100000001b3ull;
  }
  for (int i = 0; i < 8; ++i) body.push_back(static_cast<char>(hash >> (8 * i)));
  return body;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xnuscope;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  for (const std::string& candidate : {bytes, sealed(bytes)}) {
    // The key is the one an entry written for it carries (any key is refused alike).
    for (const char* key : {"k", "a5277a78d2cf3bc143c62d94afaa1ed6"}) {
      const auto profile = ProfileCache::decode(candidate, key);
      if (!profile) continue;
      const auto again = ProfileCache::decode(ProfileCache::encode(*profile, key), key);
      if (!again || !(*again == *profile)) std::abort();
    }
  }
  return 0;
}
