// Sequential read throughput of the physical memory sources against plain read(2)
// of the same file, page cache warm. Prints MiB/s per chunk size and the ratio
// source / read(). The images (1 GiB raw, ELF core of the same bytes) are generated
// once into ~/.cache/xnuscope/bench/. XNUSCOPE_BENCH_MIB overrides the size.
#include <elf.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "physmem/ElfCoreImage.h"
#include "physmem/RawImage.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// Cheap consumer so that every variant actually touches every byte it delivers,
// as a scanner would; without it view() would "read" nothing.
std::uint64_t fold(const std::uint8_t* data, std::size_t size) {
  std::uint64_t acc = 0;
  for (std::size_t i = 0; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, 8);
    acc ^= word;
  }
  return acc;
}

void fillPattern(std::vector<std::uint8_t>& chunk, std::uint64_t seed) {
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  for (std::size_t i = 0; i + 8 <= chunk.size(); i += 8) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    std::memcpy(chunk.data() + i, &state, 8);
  }
}

void writeAll(int fd, const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n <= 0) {
      std::perror("write");
      std::exit(1);
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// Raw image and an ELF core (two PT_LOADs, q35-like split at 3/4 of the size) with
// the same bytes, so the ELF read path crosses a segment boundary like real dumps.
void generate(const fs::path& raw, const fs::path& elf, std::uint64_t size) {
  std::fprintf(stderr, "generating %s and %s (%llu MiB each, once)...\n", raw.c_str(), elf.c_str(),
               static_cast<unsigned long long>(size >> 20));
  const std::uint64_t split = (size / 4 * 3) & ~0xfffull;
  const std::uint64_t headerSize = 0x1000;
  Elf64_Ehdr header{};
  std::memcpy(header.e_ident, ELFMAG, SELFMAG);
  header.e_ident[EI_CLASS] = ELFCLASS64;
  header.e_ident[EI_DATA] = ELFDATA2LSB;
  header.e_ident[EI_VERSION] = EV_CURRENT;
  header.e_type = ET_CORE;
  header.e_machine = EM_X86_64;
  header.e_version = EV_CURRENT;
  header.e_phoff = sizeof header;
  header.e_ehsize = sizeof header;
  header.e_phentsize = sizeof(Elf64_Phdr);
  header.e_phnum = 2;
  Elf64_Phdr low{}, high{};
  low.p_type = high.p_type = PT_LOAD;
  low.p_offset = headerSize;
  low.p_paddr = 0;
  low.p_filesz = low.p_memsz = split;
  high.p_offset = headerSize + split;
  high.p_paddr = 0x100000000ull;  // above 4 GiB, as q35 puts the rest
  high.p_filesz = high.p_memsz = size - split;
  std::vector<std::uint8_t> elfHeader(headerSize, 0);
  std::memcpy(elfHeader.data(), &header, sizeof header);
  std::memcpy(elfHeader.data() + sizeof header, &low, sizeof low);
  std::memcpy(elfHeader.data() + sizeof header + sizeof low, &high, sizeof high);

  const fs::path rawTmp = raw.string() + ".tmp", elfTmp = elf.string() + ".tmp";
  const int rawFd = ::open(rawTmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  const int elfFd = ::open(elfTmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (rawFd < 0 || elfFd < 0) {
    std::perror("open");
    std::exit(1);
  }
  writeAll(elfFd, elfHeader.data(), elfHeader.size());
  std::vector<std::uint8_t> chunk(1 << 20);
  for (std::uint64_t at = 0; at < size; at += chunk.size()) {
    fillPattern(chunk, at);
    writeAll(rawFd, chunk.data(), chunk.size());
    writeAll(elfFd, chunk.data(), chunk.size());
  }
  ::close(rawFd);
  ::close(elfFd);
  fs::rename(rawTmp, raw);
  fs::rename(elfTmp, elf);
}

struct Result {
  double mibPerSecond;
  std::uint64_t checksum;
};

// Best of `rounds` passes over `size` bytes in `chunk`-sized steps.
Result measure(std::uint64_t size, std::size_t chunk, int rounds,
               const std::function<std::uint64_t(std::uint64_t, std::size_t)>& step) {
  double best = 0;
  std::uint64_t checksum = 0;
  for (int round = 0; round < rounds; ++round) {
    checksum = 0;
    const auto start = Clock::now();
    for (std::uint64_t at = 0; at < size; at += chunk) {
      checksum ^= step(at, static_cast<std::size_t>(std::min<std::uint64_t>(chunk, size - at)));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    best = std::max(best, static_cast<double>(size) / (1 << 20) / seconds);
  }
  return {best, checksum};
}

}  // namespace

int main() {
  const char* mibText = std::getenv("XNUSCOPE_BENCH_MIB");
  const std::uint64_t size = (mibText ? std::strtoull(mibText, nullptr, 10) : 1024) << 20;
  const char* home = std::getenv("HOME");
  const fs::path dir = fs::path(home ? home : "/tmp") / ".cache/xnuscope/bench";
  fs::create_directories(dir);
  const std::string stem = "physmem-" + std::to_string(size >> 20) + "m";
  const fs::path rawPath = dir / (stem + ".raw"), elfPath = dir / (stem + ".elf");
  if (!fs::exists(rawPath) || !fs::exists(elfPath) || fs::file_size(rawPath) != size) {
    generate(rawPath, elfPath, size);
  }

  xnuscope::RawImage raw(rawPath.string());
  xnuscope::ElfCoreImage elf(elfPath.string());
  const std::uint64_t split = elf.ranges()[0].size;
  // ELF physical address of raw offset `at`.
  auto elfAddress = [&](std::uint64_t at) { return at < split ? at : 0x100000000ull + at - split; };
  const int fd = ::open(rawPath.c_str(), O_RDONLY);

  std::printf(
      "Sequential read of %llu MiB, page cache warm, best of 3, MiB/s "
      "(ratio = source / plain read())\n",
      static_cast<unsigned long long>(size >> 20));
  std::printf("%-8s %12s %12s %12s %12s %10s %10s %10s\n", "chunk", "read(2)", "Raw::read",
              "Raw::view", "Elf::read", "raw/read", "view/read", "elf/read");
  for (const std::size_t chunk :
       {std::size_t{4} << 10, std::size_t{64} << 10, std::size_t{1} << 20}) {
    std::vector<std::uint8_t> buffer(chunk);
    auto plain = [&](std::uint64_t at, std::size_t n) {
      if (::pread(fd, buffer.data(), n, static_cast<off_t>(at)) != static_cast<ssize_t>(n))
        std::exit(1);
      return fold(buffer.data(), n);
    };
    auto rawRead = [&](std::uint64_t at, std::size_t n) {
      if (raw.read(at, {buffer.data(), n}) != n) std::exit(1);
      return fold(buffer.data(), n);
    };
    auto rawView = [&](std::uint64_t at, std::size_t n) {
      const auto bytes = raw.view(at, n);
      if (!bytes) std::exit(1);
      return fold(bytes->data(), n);
    };
    auto elfRead = [&](std::uint64_t at, std::size_t n) {
      if (elf.read(elfAddress(at), {buffer.data(), n}) != n) std::exit(1);
      return fold(buffer.data(), n);
    };
    measure(size, chunk, 1, plain);  // warm the page cache and the mappings
    measure(size, chunk, 1, rawRead);
    measure(size, chunk, 1, elfRead);
    const Result a = measure(size, chunk, 3, plain);
    const Result b = measure(size, chunk, 3, rawRead);
    const Result c = measure(size, chunk, 3, rawView);
    const Result d = measure(size, chunk, 3, elfRead);
    if (a.checksum != b.checksum || a.checksum != c.checksum || a.checksum != d.checksum) {
      std::fprintf(stderr, "checksum mismatch: the sources delivered different bytes\n");
      return 1;
    }
    std::printf("%-8s %12.0f %12.0f %12.0f %12.0f %10.2f %10.2f %10.2f\n",
                (std::to_string(chunk >> 10) + "K").c_str(), a.mibPerSecond, b.mibPerSecond,
                c.mibPerSecond, d.mibPerSecond, b.mibPerSecond / a.mibPerSecond,
                c.mibPerSecond / a.mibPerSecond, d.mibPerSecond / a.mibPerSecond);
  }
  ::close(fd);
  return 0;
}
