// What derivation found, field by field: the value and every independent fact
// that supports it ("proc_pid+4: mov eax, dword ptr [rdi + 0x10]", "kernproc's
// pid is 0 and every pid on allproc is distinct"), or why it could not be found.
// Nothing is filled in from a guess: an underivable field stays empty, named with
// its reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xnuscope::derive {

struct DerivedField {
  std::string name;                       // "proc.p_pid", "vm_map_entry.protection", "_allproc"
  std::optional<std::uint64_t> value;     // offset (or unslid address for symbols)
  std::optional<std::uint32_t> bitStart;  // bitfields: bits within the word at `value`
  std::optional<std::uint32_t> bitCount;
  std::vector<std::string> evidence;  // one line per independent fact
  std::string underivable;            // why there is no value (empty when derived)

  bool derived() const { return value.has_value(); }
};

struct DerivationReport {
  std::string symbolSource;  // "resident LC_SYMTAB", "kernel file PATH", ...
  std::vector<DerivedField> fields;
  std::vector<std::string> notes;
  double milliseconds = 0;

  const DerivedField* find(const std::string& name) const {
    for (const auto& f : fields) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }
  std::size_t derivedCount() const {
    std::size_t n = 0;
    for (const auto& f : fields) n += f.derived() ? 1 : 0;
    return n;
  }
  // "proc.p_pid (reason); ucred.cr_uid (reason)" for the fields not derived.
  std::string underivableSummary() const {
    std::string out;
    for (const auto& f : fields) {
      if (f.derived()) continue;
      if (!out.empty()) out += "; ";
      out += f.name + " (" + f.underivable + ")";
    }
    return out;
  }
};

}  // namespace xnuscope::derive
