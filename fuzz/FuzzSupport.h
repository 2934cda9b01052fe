// Shared helpers for the libFuzzer targets (fuzz/*.cpp): fuzz bytes as guest physical
// memory, as a file on disk, and the one rule every target checks — bad input may
// only end in InputError or AnalysisError, never in a crash, hang or other exception.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <span>
#include <string>
#include <vector>

#include "core/Error.h"
#include "physmem/PhysicalMemory.h"

namespace xnuscope::fuzz {

// Physical memory whose bytes are the fuzz input, mapped at physical address 0.
class BufferMemory final : public PhysicalMemory {
 public:
  explicit BufferMemory(std::span<const std::uint8_t> bytes);
  std::size_t read(std::uint64_t pa, std::span<std::uint8_t> out) const override;
  const std::vector<PhysRange>& ranges() const override { return ranges_; }
  std::string describe() const override { return "fuzz buffer"; }
  std::string formatName() const override { return "fuzz"; }

 private:
  std::vector<std::uint8_t> bytes_;
  std::vector<PhysRange> ranges_;
};

// A memfd holding `bytes`, reachable by path as /proc/self/fd/N (for readers that
// open files by name). Closed when destroyed.
class MemoryFile {
 public:
  explicit MemoryFile(std::span<const std::uint8_t> bytes);
  ~MemoryFile();
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// Runs `body`; InputError and AnalysisError are the expected way to refuse bad
// input and are swallowed, anything else aborts (a finding).
template <typename Body>
void expectOnlyCleanErrors(Body&& body) {
  try {
    body();
  } catch (const InputError&) {
  } catch (const AnalysisError&) {
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fuzz finding: unexpected exception: %s\n", error.what());
    std::abort();
  }
}

}  // namespace xnuscope::fuzz
