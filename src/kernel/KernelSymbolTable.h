// The kernel's own symbol table (nlist_64 + string table) read from a resident
// __LINKEDIT (boot-arg keepsyms=1) — or given from a profile. Addresses are
// unslid, as linked.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "kernel/KernelMachO.h"

namespace xnuscope {

class KernelSymbolTable {
 public:
  KernelSymbolTable() = default;
  explicit KernelSymbolTable(std::map<std::string, std::uint64_t> unslid)
      : symbols_(std::move(unslid)) {}

  // Reads LC_SYMTAB through `readKernel` (runtime VA → bytes read). `slide` is the
  // __LINKEDIT segment's slide (runtime − unslid). Returns nullopt when the
  // symbol or string table is not resident or is implausible.
  using KernelReader = std::function<std::size_t(std::uint64_t va, std::span<std::uint8_t>)>;
  static std::optional<KernelSymbolTable> readResident(const KernelMachO& image,
                                                       std::uint64_t linkeditSlide,
                                                       const KernelReader& readKernel);

  // Unslid address of `name` (Mach-O spelling with the leading underscore).
  std::optional<std::uint64_t> find(const std::string& name) const;
  const std::map<std::string, std::uint64_t>& all() const { return symbols_; }
  bool empty() const { return symbols_.empty(); }
  std::size_t size() const { return symbols_.size(); }

  // Shifts every address by -delta (symbol tables whose values were slid in place).
  void unslide(std::uint64_t delta);

 private:
  std::map<std::string, std::uint64_t> symbols_;
};

}  // namespace xnuscope
