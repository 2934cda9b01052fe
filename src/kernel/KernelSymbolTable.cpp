#include "kernel/KernelSymbolTable.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "core/LittleEndian.h"
#include "core/MachO.h"

namespace xnuscope {
namespace {

// A release kernel has ~25k symbols and a ~1 MiB string table; these bounds only
// stop a corrupt LC_SYMTAB from allocating gigabytes.
constexpr std::uint32_t kMaxSymbols = 1u << 21;
constexpr std::uint32_t kMaxStringBytes = 64u << 20;

// nlist_64: n_strx (u32), n_type (u8), n_sect (u8), n_desc (u16), n_value (u64).
constexpr std::size_t kNlistSize = 16;
constexpr std::size_t kNlistType = 4;
constexpr std::size_t kNlistValue = 8;

}  // namespace

std::optional<KernelSymbolTable> KernelSymbolTable::readResident(const KernelMachO& image,
                                                                 std::uint64_t linkeditSlide,
                                                                 const KernelReader& readKernel) {
  if (!image.symtab) return std::nullopt;
  const MachOSymtab& symtab = *image.symtab;
  const MachOSegment* linkedit = image.segment("__LINKEDIT");
  if (!linkedit || symtab.nsyms == 0 || symtab.nsyms > kMaxSymbols || symtab.strsize == 0 ||
      symtab.strsize > kMaxStringBytes) {
    return std::nullopt;
  }
  // File offsets inside __LINKEDIT → VAs of the loaded segment.
  auto vaOf = [&](std::uint64_t fileOffset, std::uint64_t length) -> std::optional<std::uint64_t> {
    if (fileOffset < linkedit->fileoff ||
        fileOffset + length > linkedit->fileoff + std::max(linkedit->filesize, linkedit->vmsize)) {
      return std::nullopt;
    }
    return linkedit->vmaddr + linkeditSlide + (fileOffset - linkedit->fileoff);
  };
  const std::uint64_t symbolBytes = std::uint64_t{symtab.nsyms} * kNlistSize;
  const auto symbolsVa = vaOf(symtab.symoff, symbolBytes);
  const auto stringsVa = vaOf(symtab.stroff, symtab.strsize);
  if (!symbolsVa || !stringsVa) return std::nullopt;

  // A jettisoned __LINKEDIT (10.x without keepsyms) is zeros or reused pages: one
  // page of each table tells before the whole table (often over 1 MiB) is read.
  std::array<std::uint8_t, 4096> sample;
  const std::size_t sampled =
      readKernel(*symbolsVa, std::span(sample).first(std::min<std::size_t>(symbolBytes, 4096)));
  bool anyName = false;
  for (std::size_t at = 0; at + kNlistSize <= sampled && !anyName; at += kNlistSize) {
    const auto strx = loadLittleEndianOr<std::uint32_t>(std::span(sample).first(sampled), at);
    anyName = strx != 0 && strx < symtab.strsize;
  }
  if (!anyName) return std::nullopt;
  const std::size_t sampledStrings =
      readKernel(*stringsVa, std::span(sample).first(std::min<std::size_t>(symtab.strsize, 4096)));
  if (std::all_of(sample.begin(), sample.begin() + sampledStrings,
                  [](std::uint8_t byte) { return byte == 0; })) {
    return std::nullopt;
  }

  std::vector<std::uint8_t> entries(symbolBytes);
  std::vector<char> strings(symtab.strsize + 1, '\0');
  if (readKernel(*symbolsVa, entries) != symbolBytes ||
      readKernel(*stringsVa,
                 std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(strings.data()),
                                         symtab.strsize)) != symtab.strsize) {
    return std::nullopt;
  }
  std::map<std::string, std::uint64_t> symbols;
  for (std::size_t at = 0; at < entries.size(); at += kNlistSize) {
    const auto strx = loadLittleEndianOr<std::uint32_t>(entries, at);
    if (strx == 0 || strx >= symtab.strsize) continue;
    const char* name = strings.data() + strx;
    macho::collectAddressSymbol(
        symbols, std::string_view(name, strnlen(name, symtab.strsize - strx)),
        entries[at + kNlistType], loadLittleEndianOr<std::uint64_t>(entries, at + kNlistValue));
  }
  if (symbols.empty()) return std::nullopt;
  return KernelSymbolTable(std::move(symbols));
}

std::optional<std::uint64_t> KernelSymbolTable::find(const std::string& name) const {
  const auto it = symbols_.find(name);
  if (it == symbols_.end()) return std::nullopt;
  return it->second;
}

void KernelSymbolTable::unslide(std::uint64_t delta) {
  for (auto& [name, value] : symbols_) value -= delta;
}

}  // namespace xnuscope
