#include "xnu/ProcessMemoryDumper.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/Error.h"
#include "core/Hex.h"
#include "mmu/VirtualMemory.h"

namespace xnuscope {

MemoryDumpResult ProcessMemoryDumper::dump(std::uint64_t start, std::uint64_t end,
                                           const std::string& path) const {
  if (end <= start) {
    throw InputError("dump: --end " + hex(end) + " must be above --start " + hex(start));
  }
  if (end - start > kMaxDumpBytes) {
    throw InputError("dump: range " + hex(start) + "-" + hex(end) + " is larger than " +
                     std::to_string(kMaxDumpBytes >> 30) + " GiB; dump it in pieces");
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw InputError("dump: cannot write " + path + "; check the directory exists");

  const VirtualMemory memory(memory_, translator_);
  MemoryDumpResult result;
  std::vector<std::uint8_t> page(4096);
  auto addHole = [&](std::uint64_t from, std::uint64_t to) {
    if (!result.holes.empty() && result.holes.back().end == from) {
      result.holes.back().end = to;
    } else {
      result.holes.push_back(VirtualRange{from, to});
    }
  };
  std::uint64_t va = start;
  while (va < end) {
    // One page (or the part of it inside the range) at a time.
    const std::uint64_t pageEnd = std::min<std::uint64_t>(end, (va | 0xfffull) + 1);
    const std::size_t length = static_cast<std::size_t>(pageEnd - va);
    const std::size_t got = memory.read(va, std::span<std::uint8_t>(page.data(), length));
    if (got > 0) {
      out.seekp(static_cast<std::streamoff>(va - start));
      out.write(reinterpret_cast<const char*>(page.data()), static_cast<std::streamsize>(got));
      result.bytesPresent += got;
    }
    if (got < length) addHole(va + got, pageEnd);  // left as a sparse zero run
    va = pageEnd;
    if (pageEnd == 0) break;  // wrapped at the top of the address space
  }
  out.close();
  if (!out) throw InputError("dump: writing " + path + " failed (disk full?)");
  std::filesystem::resize_file(path, end - start);  // trailing holes still count
  result.bytesWritten = end - start;
  return result;
}

}  // namespace xnuscope
