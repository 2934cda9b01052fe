// The kernel Mach-O / kernel-collection header parser and the resident symbol table
// reader: the fuzz input is the kernel image as it lies in memory, header first.
#include <cstring>

#include "FuzzSupport.h"
#include "kernel/KernelMachO.h"
#include "kernel/KernelSymbolTable.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace xnuscope;
  const std::span<const std::uint8_t> bytes(data, size);
  looksLikeKernelHeader(bytes);
  if (size >= 32) kernelHeaderExtent(bytes.first(32));
  std::string whyNot;
  const auto image = parseKernelMachO(bytes, &whyNot);
  if (!image) return 0;
  image->uuidString();
  image->segment("__TEXT");
  image->filesetEntry("com.apple.kernel");
  // The kernel "in memory" is the input itself, __TEXT's vmaddr at offset 0.
  const MachOSegment* text = image->segment("__TEXT");
  const std::uint64_t base = text ? text->vmaddr : 0;
  const auto reader = [&](std::uint64_t va, std::span<std::uint8_t> out) -> std::size_t {
    if (va < base || va - base >= size) return 0;
    const std::size_t n = std::min<std::uint64_t>(out.size(), size - (va - base));
    std::memcpy(out.data(), data + (va - base), n);
    return n;
  };
  fuzz::expectOnlyCleanErrors([&] { KernelSymbolTable::readResident(*image, 0, reader); });
  return 0;
}
