#include "qemu/MemoryTreeParser.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "core/Error.h"

namespace xnuscope {
namespace {

struct FlatViewBlock {
  std::vector<std::string_view> addressSpaces;  // AS "name"
  std::string_view root;
  std::vector<std::string_view> lines;
};

std::vector<std::string_view> splitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::uint64_t> parseHex(std::string_view s) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value, 16);
  if (error != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

// "START-END (prio P, KIND): NAME [@OFFSET] [...]"
std::optional<MemoryTreeRange> parseRangeLine(std::string_view line) {
  line = trim(line);
  const auto dash = line.find('-');
  const auto open = line.find(" (");
  const auto close = line.find("): ");
  if (dash == std::string_view::npos || open == std::string_view::npos ||
      close == std::string_view::npos || !(dash < open && open < close)) {
    return std::nullopt;
  }
  const auto start = parseHex(line.substr(0, dash));
  const auto last = parseHex(line.substr(dash + 1, open - dash - 1));
  if (!start || !last || *last < *start) return std::nullopt;
  const std::string_view attributes = line.substr(open + 2, close - open - 2);  // prio P, KIND
  const auto comma = attributes.rfind(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  MemoryTreeRange range;
  range.start = *start;
  range.end = *last + 1;  // inclusive in the text; 2^64-1 never holds RAM
  range.kind = std::string(trim(attributes.substr(comma + 2)));
  std::string_view rest = trim(line.substr(close + 3));
  const auto space = rest.find(' ');
  range.name = std::string(rest.substr(0, space));
  if (space != std::string_view::npos) {
    std::string_view tail = trim(rest.substr(space + 1));
    if (!tail.empty() && tail.front() == '@') {
      const auto offset =
          parseHex(tail.substr(1, tail.find(' ') == std::string_view::npos ? std::string_view::npos
                                                                           : tail.find(' ') - 1));
      if (!offset) return std::nullopt;
      range.offset = *offset;
    }
  }
  return range;
}

}  // namespace

std::vector<MemoryTreeRange> parseMemoryTreeRam(std::string_view text) {
  std::vector<FlatViewBlock> blocks;
  for (const std::string_view raw : splitLines(text)) {
    const std::string_view line = trim(raw);
    if (line.rfind("FlatView #", 0) == 0) {
      blocks.emplace_back();
    } else if (blocks.empty() || line.empty()) {
      continue;
    } else if (line.rfind("AS \"", 0) == 0) {
      const auto close = line.find('"', 4);
      if (close != std::string_view::npos)
        blocks.back().addressSpaces.push_back(line.substr(4, close - 4));
    } else if (line.rfind("Root memory region: ", 0) == 0) {
      blocks.back().root = line.substr(20);
    } else {
      blocks.back().lines.push_back(line);
    }
  }
  const FlatViewBlock* chosen = nullptr;
  for (const auto& block : blocks) {
    if (std::find(block.addressSpaces.begin(), block.addressSpaces.end(), "memory") !=
        block.addressSpaces.end()) {
      chosen = &block;
      break;
    }
  }
  for (const auto& block : blocks) {
    if (!chosen && block.root == "system") chosen = &block;
  }
  if (!chosen) {
    throw AnalysisError(
        "QEMU's 'info mtree -f' output has no flat view for the \"memory\" address space; "
        "cannot tell where guest RAM is (is this an x86 QEMU?)");
  }
  std::vector<MemoryTreeRange> ranges;
  for (const auto line : chosen->lines) {
    auto range = parseRangeLine(line);
    if (!range || range->kind == "i/o") continue;
    ranges.push_back(std::move(*range));
  }
  std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) {
    return a.start != b.start ? a.start < b.start : a.name < b.name;
  });
  ranges.erase(std::unique(ranges.begin(), ranges.end(),
                           [](const auto& a, const auto& b) {
                             return a.start == b.start && a.end == b.end && a.name == b.name &&
                                    a.offset == b.offset && a.kind == b.kind;
                           }),
               ranges.end());
  return ranges;
}

std::vector<MemoryTreeRange> rangesOfRegion(const std::vector<MemoryTreeRange>& ranges,
                                            std::string_view name) {
  std::vector<MemoryTreeRange> selected;
  for (const auto& range : ranges) {
    if (range.name == name) selected.push_back(range);
  }
  return selected;
}

}  // namespace xnuscope
