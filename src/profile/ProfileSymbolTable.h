// A kernel's full symbol table (unslid address, Mach-O name), for address → name
// lookups by kext, dmesg and hook checks. Stored per build as
// symbols/<profile>.txt.xz: one "ffffff8000200000 __mh_execute_header" line per
// symbol (" l " between address and name marks a local, non-external symbol),
// sorted by address then name, after a "# xnuscope-symbols 1 <name>" line.
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
