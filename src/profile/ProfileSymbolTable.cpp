#include "profile/ProfileSymbolTable.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>

#include "core/Error.h"
#include "core/MachO.h"
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

namespace {

constexpr std::uint8_t kNlistExternal = macho::kExternal;
constexpr std::uint8_t kNlistSection = macho::kTypeSection;

void appendHex(std::string& text, std::uint64_t value, int width) {
  char digits[17];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value, 16);
  (void)ec;
  text.append(static_cast<std::size_t>(std::max<long>(0, width - (end - digits))), '0');
  text.append(digits, end);
}

template <typename T>
bool parseHex(std::string_view token, T& value) {
  const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value, 16);
  return !token.empty() && ec == std::errc() && ptr == token.data() + token.size();
}

}  // namespace

std::string ProfileSymbolTable::toText(const std::string& name) const {
  std::string text = "# xnuscope-symbols 2 " + name + "\n";
  text.reserve(symbols_.size() * 52);
  for (const auto& symbol : symbols_) {
    // A source without n_type (ISF) still only holds section-defined symbols.
    const std::uint8_t type =
        symbol.type != 0
            ? symbol.type
            : static_cast<std::uint8_t>(kNlistSection | (symbol.external ? kNlistExternal : 0));
    appendHex(text, symbol.address, 16);
    text += ' ';
    appendHex(text, type, 2);
    text += ' ';
    appendHex(text, symbol.section, 2);
    text += ' ';
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
  int version = 1;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (line.rfind("# xnuscope-symbols ", 0) == 0) {
        const char* digits = line.c_str() + 19;
        version = std::atoi(digits);
        if (version != 1 && version != 2) {
          throw InputError(origin + ":" + std::to_string(lineNumber) +
                           ": symbol table format version " + std::string(digits, 1) +
                           " is not 1 or 2; is this xnuscope too old for the file?");
        }
      }
      continue;
    }
    const std::string_view view(line);
    const auto fail = [&](const char* expected) {
      throw InputError(origin + ":" + std::to_string(lineNumber) + ": expected \"" + expected +
                       "\"");
    };
    ProfileSymbol symbol;
    if (version == 2) {
      const auto first = view.find(' ');
      const auto second = first == std::string_view::npos ? first : view.find(' ', first + 1);
      const auto third = second == std::string_view::npos ? second : view.find(' ', second + 1);
      if (third == std::string_view::npos || !parseHex(view.substr(0, first), symbol.address) ||
          !parseHex(view.substr(first + 1, second - first - 1), symbol.type) ||
          !parseHex(view.substr(second + 1, third - second - 1), symbol.section)) {
        fail("<hex address> <hex n_type> <hex n_sect> <name>");
      }
      symbol.external = (symbol.type & kNlistExternal) != 0;
      symbol.name = line.substr(third + 1);
    } else {
      const auto space = view.find(' ');
      if (space == std::string_view::npos || !parseHex(view.substr(0, space), symbol.address))
        fail("<hex address> [l ]<name>");
      symbol.external = line.compare(space, 3, " l ") != 0;
      symbol.name = line.substr(space + (symbol.external ? 1 : 3));
    }
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
