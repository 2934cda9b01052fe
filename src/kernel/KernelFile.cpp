#include "kernel/KernelFile.h"

#include <LIEF/MachO.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/Error.h"
#include "core/MachO.h"

namespace xnuscope {
namespace {

// Checks the magic (and, for a thin file, the file type) before LIEF sees the file:
// LIEF 0.9 predates MH_FILESET and its errors on garbage do not say what was expected.
void checkMagic(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw InputError("kernel file " + path + " does not exist or is not a file; pass --kernel " +
                     "the guest's kernel (e.g. from the build's KDK)");
  }
  std::ifstream in(path, std::ios::binary);
  std::uint32_t header[4] = {};
  in.read(reinterpret_cast<char*>(header), sizeof header);
  const bool fat = header[0] == macho::kFatCigam;
  if (!in || (header[0] != macho::kMagic64 && !fat)) {
    throw InputError("kernel file " + path +
                     " is not a 64-bit Mach-O (bad magic); pass the guest's kernel file");
  }
  if (!fat && header[3] == macho::kFileTypeFileset) {
    throw InputError("kernel file " + path +
                     " is a kernel collection (MH_FILESET); pass the kernel itself (the KDK's "
                     "kernel, or com.apple.kernel extracted from the collection)");
  }
}

}  // namespace

KernelFile KernelFile::load(const std::string& path) {
  checkMagic(path);
  std::unique_ptr<LIEF::MachO::FatBinary> fat;
  try {
    fat = LIEF::MachO::Parser::parse(path);
  } catch (const std::exception& error) {
    throw InputError("cannot parse kernel file " + path + " as Mach-O: " + error.what());
  }
  if (!fat || fat->size() == 0) throw InputError("kernel file " + path + " holds no Mach-O image");

  const LIEF::MachO::Binary* kernel = nullptr;
  for (std::size_t i = 0; i < fat->size() && !kernel; ++i) {
    const LIEF::MachO::Binary& candidate = fat->at(i);
    if (candidate.header().cpu_type() == LIEF::MachO::CPU_TYPES::CPU_TYPE_X86_64) {
      kernel = &candidate;
    }
  }
  if (!kernel) throw InputError("kernel file " + path + " has no x86_64 image");
  if (kernel->header().file_type() != LIEF::MachO::FILE_TYPES::MH_EXECUTE) {
    throw InputError("kernel file " + path +
                     " is not a kernel executable (Mach-O file type is not MH_EXECUTE)");
  }

  KernelFile file;
  file.path_ = path;
  for (const auto& segment : kernel->segments()) {
    if (!segment.name().empty()) file.segments_[segment.name()] = segment.virtual_address();
  }
  if (!file.segments_.count("__TEXT")) {
    throw InputError("kernel file " + path + " has no __TEXT segment; is it the kernel?");
  }
  for (const auto& symbol : kernel->symbols()) {
    macho::collectAddressSymbol(file.symbols_, symbol.name(),
                                static_cast<std::uint8_t>(symbol.type()), symbol.value());
  }
  if (kernel->has_uuid()) file.uuid_ = macho::uuidText(kernel->uuid().uuid());
  return file;
}

}  // namespace xnuscope
