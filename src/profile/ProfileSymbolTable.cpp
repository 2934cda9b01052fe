#include "profile/ProfileSymbolTable.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "core/Error.h"
#include "profile/Compression.h"
#include "profile/ProfileFiles.h"

namespace xnuscope {

ProfileSymbolTable::ProfileSymbolTable(std::vector<ProfileSymbol> symbols)
    : symbols_(std::move(symbols)) {
  std::sort(symbols_.begin(), symbols_.end(), [](const ProfileSymbol& a, const ProfileSymbol& b) {
    if (a.address != b.address) return a.address < b.address;
    if (a.name != b.name) return a.name < b.name;
    return a.external > b.external;
  });
  // Same address and name twice (a local and its external alias): keep one line.
  symbols_.erase(std::unique(symbols_.begin(), symbols_.end(),
                             [](const ProfileSymbol& a, const ProfileSymbol& b) {
                               return a.address == b.address && a.name == b.name;
                             }),
                 symbols_.end());
}

std::optional<ProfileSymbolTable::Match> ProfileSymbolTable::containing(
    std::uint64_t address, std::uint64_t maxDistance) const {
  auto it = std::upper_bound(
      symbols_.begin(), symbols_.end(), address,
      [](std::uint64_t value, const ProfileSymbol& s) { return value < s.address; });
  if (it == symbols_.begin()) return std::nullopt;
  --it;
  // Several names can share an address; report the first (sorted by name).
  while (it != symbols_.begin() && std::prev(it)->address == it->address) --it;
  if (address - it->address > maxDistance) return std::nullopt;
  return Match{&*it, address - it->address};
}

std::optional<std::uint64_t> ProfileSymbolTable::addressOf(const std::string& name) const {
  std::optional<std::uint64_t> local;
  for (const auto& symbol : symbols_) {
    if (symbol.name != name) continue;
    if (symbol.external) return symbol.address;
    if (!local) local = symbol.address;
  }
  return local;
}

std::string ProfileSymbolTable::toText(const std::string& name) const {
  std::string text = "# xnuscope-symbols 1 " + name + "\n";
  text.reserve(symbols_.size() * 48);
  char address[17];
  for (const auto& symbol : symbols_) {
    const auto [end, ec] = std::to_chars(address, address + sizeof address, symbol.address, 16);
    (void)ec;
    text.append(16 - (end - address), '0');
    text.append(address, end);
    text += symbol.external ? " " : " l ";
    text += symbol.name;
    text += '\n';
  }
  return text;
}

ProfileSymbolTable ProfileSymbolTable::fromText(const std::string& text,
                                                const std::string& origin) {
  std::vector<ProfileSymbol> symbols;
  std::istringstream in(text);
  std::string line;
  std::size_t lineNumber = 0;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.find(' ');
    ProfileSymbol symbol;
    const auto [ptr, ec] = std::from_chars(line.data(), line.data() + space, symbol.address, 16);
    if (space == std::string::npos || ec != std::errc() || ptr != line.data() + space) {
      throw InputError(origin + ":" + std::to_string(lineNumber) +
                       ": expected \"<hex address> [l ]<name>\"");
    }
    symbol.external = line.compare(space, 3, " l ") != 0;
    symbol.name = line.substr(space + (symbol.external ? 1 : 3));
    if (symbol.name.empty())
      throw InputError(origin + ":" + std::to_string(lineNumber) + ": empty name");
    symbols.push_back(std::move(symbol));
  }
  return ProfileSymbolTable(std::move(symbols));
}

ProfileSymbolTable ProfileSymbolTable::load(const std::string& path) {
  const std::string bytes = readWholeFile(path, "symbol table");
  const std::span<const std::uint8_t> data(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                           bytes.size());
  return fromText(isXz(data) ? unxz(data, path) : bytes, path);
}

void ProfileSymbolTable::save(const std::string& path, const std::string& name) const {
  writeWholeFile(path, xz(toText(name)));
}

}  // namespace xnuscope
