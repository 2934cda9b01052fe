#include "kernel/BuildIdentification.h"

#include <array>

#include "core/LittleEndian.h"
#include "kernel/KernelInfo.h"
#include "kernel/LowGlobals.h"

namespace xnuscope {
namespace {

constexpr std::size_t kMaxBuildLength = 64;

}  // namespace

std::string identifyBuild(const KernelMemoryView& kernel, std::optional<std::uint64_t> osversionVa,
                          std::optional<std::uint64_t> lowGlobalsPa, const PhysicalScanner& scanner,
                          const std::string& bannerBuildTag) {
  std::optional<std::string> build;
  if (osversionVa) build = kernel.readString(*osversionVa, kMaxBuildLength);
  if ((!build || build->empty()) && lowGlobalsPa) {
    std::array<std::uint8_t, 8> bytes{};
    if (scanner.read(*lowGlobalsPa + LowGlobals::kOsVersionOffset, bytes) == bytes.size()) {
      const std::uint64_t pointer = loadLittleEndianOr<std::uint64_t>(bytes, 0);
      if (pointer >= kKernelStaticMapBase) build = kernel.readString(pointer, kMaxBuildLength);
    }
  }
  if (build && !build->empty()) return *build;
  return bannerBuildTag;
}

}  // namespace xnuscope
