#include "physmem/ImageFormat.h"

#include <elf.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace xnuscope {
namespace {

struct Signature {
  std::string_view magic;
  std::size_t offset;
  const char* what;
  const char* advice;
};

using namespace std::string_view_literals;

// Formats that are not memory images (or not ones we read) but are often handed
// in as if they were. Matched at their fixed offset.
constexpr Signature kForeignSignatures[] = {
    {"\x1f\x8b"sv, 0, "a gzip-compressed file", "decompress it first (gunzip)"},
    {"\xfd"
     "7zXZ\x00"sv,
     0, "an xz-compressed file", "decompress it first (unxz)"},
    {"BZh"sv, 0, "a bzip2-compressed file", "decompress it first (bunzip2)"},
    {"\x28\xb5\x2f\xfd"sv, 0, "a zstd-compressed file", "decompress it first (unzstd)"},
    {"7z\xbc\xaf\x27\x1c"sv, 0, "a 7-Zip archive", "extract the image from it first"},
    {"PK\x03\x04"sv, 0, "a zip archive (or AFF4 container)", "extract the raw image from it first"},
    {"KDUMP   "sv, 0, "a kdump-compressed dump (QEMU dump-guest-memory format=kdump-*)",
     "dump again with QEMU dump-guest-memory in ELF format (the default)"},
    {"makedumpfile"sv, 0, "a flattened makedumpfile dump",
     "rearrange it with `makedumpfile -R` and convert to ELF, or dump again as ELF"},
    {"PAGEDU64"sv, 0, "a 64-bit Windows crash dump", "xnuscope reads macOS guests only"},
    {"PAGEDUMP"sv, 0, "a 32-bit Windows crash dump", "xnuscope reads macOS guests only"},
    {"hibr"sv, 0, "a Windows hibernation file", "xnuscope reads macOS guests only"},
    {"HIBR"sv, 0, "a Windows hibernation file", "xnuscope reads macOS guests only"},
    {"wake"sv, 0, "a Windows hibernation file", "xnuscope reads macOS guests only"},
    {"WAKE"sv, 0, "a Windows hibernation file", "xnuscope reads macOS guests only"},
    {"EVF\x09\x0d\x0a\xff\x00"sv, 0, "an EnCase/EWF evidence file",
     "export the raw image first (ewfexport)"},
    {"QEVM"sv, 0, "a QEMU migration/savevm stream",
     "take a memory image with QEMU dump-guest-memory instead"},
    {"\xd2\xbe\xd2\xbe"sv, 0, "a VMware suspend/snapshot state file (.vmss/.vmsn)",
     "use the .vmem file beside it (raw memory)"},
    {"\xd0\xbe\xd2\xbe"sv, 0, "a VMware suspend/snapshot state file (.vmss/.vmsn)",
     "use the .vmem file beside it (raw memory)"},
    {"\xd3\xbe\xd3\xbe"sv, 0, "a VMware suspend/snapshot state file (.vmss/.vmsn)",
     "use the .vmem file beside it (raw memory)"},
    {"\xd1\xba\xd1\xba"sv, 0, "a VMware suspend/snapshot state file (.vmss/.vmsn)",
     "use the .vmem file beside it (raw memory)"},
    {"\xcf\xfa\xed\xfe"sv, 0, "a 64-bit Mach-O binary (a kernel or kext?)",
     "give a kernel binary with --kernel, and the memory image with --image"},
    {"\xce\xfa\xed\xfe"sv, 0, "a 32-bit Mach-O binary",
     "give a kernel binary with --kernel, and the memory image with --image"},
    {"\xca\xfe\xba\xbe"sv, 0, "a universal (fat) Mach-O binary",
     "give a kernel binary with --kernel, and the memory image with --image"},
    {"koly"sv, 0, "an Apple disk image trailer", "give a memory image, not a disk image"},
    {"ustar"sv, 257, "a tar archive", "extract the image from it first"},
};

bool startsWith(std::span<const std::uint8_t> head, std::size_t offset, std::string_view magic) {
  return head.size() >= offset + magic.size() &&
         std::memcmp(head.data() + offset, magic.data(), magic.size()) == 0;
}

// Guest RAM at physical 0 holds the real-mode interrupt table; a first page of
// nothing but printable text means a text file (a profile, a log) was given instead.
bool looksLikeText(std::span<const std::uint8_t> head) {
  if (head.size() < 512) return false;
  const bool printable = std::all_of(head.begin(), head.end(), [](std::uint8_t c) {
    return c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f) || c >= 0x80;
  });
  // UTF-8 text has some high bytes, but not mostly.
  const auto high =
      std::count_if(head.begin(), head.end(), [](std::uint8_t c) { return c >= 0x80; });
  return printable && static_cast<std::size_t>(high) < head.size() / 8;
}

}  // namespace

const char* acceptedImageFormats() {
  return "accepted: raw physical memory (at least 4 KiB), an x86 ELF core from QEMU "
         "dump-guest-memory, or a LiME image";
}

std::string hexPreview(std::span<const std::uint8_t> head, std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < std::min(count, head.size()); ++i) {
    char byte[4];
    std::snprintf(byte, sizeof byte, "%02x", head[i]);
    if (!text.empty()) text += ' ';
    text += byte;
  }
  return text;
}

DetectedFormat detectImageFormat(std::span<const std::uint8_t> head, std::uint64_t fileSize) {
  if (startsWith(head, 0, ELFMAG)) {
    // Non-core ELFs and other machines are reported by ElfCoreImage itself, with
    // the detail of what the ELF is.
    return {ImageFormat::ElfCore, {}, {}};
  }
  if (startsWith(head, 0, "EMiL")) return {ImageFormat::Lime, {}, {}};
  for (const auto& signature : kForeignSignatures) {
    if (startsWith(head, signature.offset, signature.magic)) {
      return {ImageFormat::Rejected, signature.what, signature.advice};
    }
  }
  if (fileSize < kMinimumImageSize) {
    return {ImageFormat::Rejected, "too small to be a memory image (less than one 4 KiB page)",
            "check that the acquisition finished"};
  }
  if (looksLikeText(head)) {
    return {ImageFormat::Rejected, "a text file", "give the memory image, not a profile or log"};
  }
  return {ImageFormat::Raw, {}, {}};
}

}  // namespace xnuscope
