#include "profile/DsymutilSymbols.h"

#include <charconv>
#include <sstream>

#include "core/Error.h"

namespace xnuscope {

DsymutilListing parseDsymutilSymbols(const std::string& text, const std::string& origin) {
  DsymutilListing listing;
  std::istringstream in(text);
  std::string line;
  std::size_t lineNumber = 0;
  std::size_t entryLines = 0;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (line.rfind("Symbol table for:", 0) == 0) {
      listing.header = line;
      continue;
    }
    if (line.empty() || line[0] != '[') continue;
    ++entryLines;
    const auto fail = [&](const std::string& problem) {
      throw InputError(origin + ":" + std::to_string(lineNumber) + ": " + problem +
                       " in a `dsymutil -s` line");
    };
    const auto open = line.find('(');
    const auto close = line.find(')', open == std::string::npos ? 0 : open);
    if (open == std::string::npos || close == std::string::npos) fail("no (type class)");
    const std::string typeClass = line.substr(open + 1, close - open - 1);
    if (typeClass.find("SECT") == std::string::npos) continue;
    // After the class: n_sect n_desc n_value 'name'
    std::istringstream rest(line.substr(close + 1));
    std::string section, desc, value;
    if (!(rest >> section >> desc >> value)) fail("missing n_sect/n_desc/n_value");
    ProfileSymbol symbol;
    const auto [ptr, ec] =
        std::from_chars(value.data(), value.data() + value.size(), symbol.address, 16);
    if (ec != std::errc() || ptr != value.data() + value.size())
      fail("bad n_value \"" + value + "\"");
    const auto firstQuote = line.find('\'', close);
    const auto lastQuote = line.rfind('\'');
    if (firstQuote == std::string::npos || lastQuote <= firstQuote) fail("no quoted name");
    symbol.name = line.substr(firstQuote + 1, lastQuote - firstQuote - 1);
    if (symbol.name.empty()) continue;
    std::istringstream tokens(typeClass);
    for (std::string token; tokens >> token;) symbol.external |= token == "EXT";
    // Before the class: "[index] n_strx n_type (": the raw n_type and, after it, n_sect.
    std::istringstream head(line.substr(0, open));
    std::string index, strx, type;
    unsigned typeValue = 0, sectionValue = 0;
    head >> index;
    if (index.back() != ']') head >> index;  // "[" and the number may be split by spaces
    if (!(head >> strx >> type) ||
        std::from_chars(type.data(), type.data() + type.size(), typeValue, 16).ec != std::errc() ||
        typeValue > 0xff)
      fail("bad n_type");
    if (std::from_chars(section.data(), section.data() + section.size(), sectionValue, 16).ec !=
            std::errc() ||
        sectionValue > 0xff)
      fail("bad n_sect \"" + section + "\"");
    symbol.type = static_cast<std::uint8_t>(typeValue);
    symbol.section = static_cast<std::uint8_t>(sectionValue);
    listing.symbols.push_back(std::move(symbol));
  }
  if (entryLines == 0) {
    throw InputError(origin +
                     " has no `dsymutil -s` symbol lines; expected the *.symbol.dsymutil "
                     "member of a Volatility 2 mac profile");
  }
  return listing;
}

}  // namespace xnuscope
