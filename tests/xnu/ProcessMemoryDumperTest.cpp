#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/Error.h"
#include "mmu/PagedTestMemory.h"
#include "mmu/X86_64Translator.h"
#include "support/TestPaths.h"
#include "xnu/ProcessMemoryDumper.h"

namespace xnuscope::test {
namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class ProcessMemoryDumperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // User pages 0x10000000 and 0x10002000 present; 0x10001000 unmapped; 0x10003000
    // mapped to a physical page the image lacks.
    tables.map(0x10000000, 0x800000, 4096, TestPageTables::P | TestPageTables::U);
    tables.map(0x10002000, 0x801000, 4096, TestPageTables::P | TestPageTables::U);
    tables.map(0x10003000, 0x9990000, 4096, TestPageTables::P | TestPageTables::U);
    memory.write(0x800000,
                 std::span<const std::uint8_t>(
                     reinterpret_cast<const std::uint8_t*>(std::string(4096, 'A').data()), 4096));
    memory.write(0x801000,
                 std::span<const std::uint8_t>(
                     reinterpret_cast<const std::uint8_t*>(std::string(4096, 'C').data()), 4096));
  }
  PagedTestMemory memory;
  TestPageTables tables{memory, 0x100000, 0x101000};
};

TEST_F(ProcessMemoryDumperTest, WritesPresentPagesAndReportsHoles) {
  X86_64Translator translator(memory, 0x100000);
  const std::string path = scratchDir() + "/dump.bin";
  const MemoryDumpResult result =
      ProcessMemoryDumper(memory, translator).dump(0x10000800, 0x10003800, path);
  EXPECT_EQ(result.bytesWritten, 0x3000u);
  EXPECT_EQ(result.bytesPresent, 0x800u + 0x1000u);
  ASSERT_EQ(result.holes.size(), 2u);
  EXPECT_EQ(result.holes[0].start, 0x10001000u);
  EXPECT_EQ(result.holes[0].end, 0x10002000u);
  EXPECT_EQ(result.holes[1].start, 0x10003000u);
  EXPECT_EQ(result.holes[1].end, 0x10003800u);
  const std::string bytes = readFile(path);
  ASSERT_EQ(bytes.size(), 0x3000u);
  EXPECT_EQ(bytes.substr(0, 0x800), std::string(0x800, 'A'));
  EXPECT_EQ(bytes.substr(0x800, 0x1000), std::string(0x1000, '\0'));
  EXPECT_EQ(bytes.substr(0x1800, 0x1000), std::string(0x1000, 'C'));
  EXPECT_EQ(bytes.substr(0x2800), std::string(0x800, '\0'));
}

TEST_F(ProcessMemoryDumperTest, RefusesEmptyRangesAndUnwritablePaths) {
  X86_64Translator translator(memory, 0x100000);
  ProcessMemoryDumper dumper(memory, translator);
  EXPECT_THROW(dumper.dump(0x2000, 0x1000, scratchDir() + "/x"), InputError);
  EXPECT_THROW(dumper.dump(0, 1ull << 40, scratchDir() + "/x"), InputError);
  EXPECT_THROW(dumper.dump(0x10000000, 0x10001000, "/nonexistent-dir/x"), InputError);
}

}  // namespace
}  // namespace xnuscope::test
