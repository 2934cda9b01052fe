// A kernel's full symbol table (unslid address, Mach-O name), for address → name
// lookups by kext, dmesg and hook checks. Stored per build as
// symbols/<profile>.txt.xz, sorted by address then name, after a header line.
//   version 2: "# xnuscope-symbols 2 <name>", then one line per symbol
//              "ffffff8000100000 0f 0b _BootPML4"  (address, n_type, n_sect, name);
//              external means N_EXT (0x01) is set in n_type.
//   version 1: "# xnuscope-symbols 1 <name>", then "ffffff8000200000 [l ]<name>"
//              (" l " marks a local symbol); n_type/n_sect unknown. Still read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xnuscope {

struct ProfileSymbol {
  std::uint64_t address = 0;
  std::string name;  // Mach-O name, with the leading underscore
  bool external = false;
  // Mach-O nlist_64 n_type and n_sect; 0 when the source did not say (ISF, v1 files).
  std::uint8_t type = 0;
  std::uint8_t section = 0;
  bool operator==(const ProfileSymbol&) const = default;
};

class ProfileSymbolTable {
 public:
  ProfileSymbolTable() = default;
  // Sorts and removes exact duplicates.
  explicit ProfileSymbolTable(std::vector<ProfileSymbol> symbols);

  const std::vector<ProfileSymbol>& symbols() const { return symbols_; }
  std::size_t size() const { return symbols_.size(); }

  // The symbol at or below `address` (the function or object containing it), with
  // the distance from its start; nullopt below the first symbol or when the nearest
  // one is more than `maxDistance` away.
  struct Match {
    const ProfileSymbol* symbol;
    std::uint64_t offset;
  };
  std::optional<Match> containing(std::uint64_t address, std::uint64_t maxDistance = 1 << 20) const;
  // First external definition of `name`, else the first local one.
  std::optional<std::uint64_t> addressOf(const std::string& name) const;

  // Text form described above (uncompressed); `name` goes in the header line.
  std::string toText(const std::string& name) const;
  static ProfileSymbolTable fromText(const std::string& text, const std::string& origin);
  // Reads symbols/<name>.txt.xz or a plain .txt file.
  static ProfileSymbolTable load(const std::string& path);
  // Writes xz-compressed text, deterministic.
  void save(const std::string& path, const std::string& name) const;

 private:
  std::vector<ProfileSymbol> symbols_;
};

}  // namespace xnuscope
