#include <gtest/gtest.h>

#include <vector>

#include "mmu/PagedTestMemory.h"
#include "mmu/VirtualMemory.h"
#include "mmu/X86_64Translator.h"

using namespace xnuscope;
using xnuscope::test::PagedTestMemory;
using xnuscope::test::TestPageTables;

TEST(VirtualMemory, ReadsAcrossPagesThatAreNotPhysicallyContiguous) {
  PagedTestMemory memory;
  TestPageTables tables(memory, 0x10000, 0x11000);
  tables.map(0x400000, 0x8000, 4096);
  tables.map(0x401000, 0x3000, 4096);
  memory.writeString(0x8ffc, "abcd");  // 4 bytes at the end of the first page...
  memory.writeString(0x3000, "efgh");  // ...the rest on the second
  X86_64Translator translator(memory, tables.pml4());
  VirtualMemory vm(memory, translator);
  std::vector<std::uint8_t> out(8);
  EXPECT_EQ(vm.read(0x400ffc, out), 8u);
  EXPECT_EQ(std::string(out.begin(), out.end()), "abcdefgh");
  EXPECT_EQ(vm.readCString(0x400ffc, 64), "abcdefgh");
  EXPECT_EQ(vm.readCString(0x400ffc, 6), "abcdef");  // truncated at maxLength
}

TEST(VirtualMemory, StopsAtUnmappedPageAndReportsShortReads) {
  PagedTestMemory memory;
  TestPageTables tables(memory, 0x10000, 0x11000);
  tables.map(0x400000, 0x8000, 4096);
  memory.writeU64(0x8ff8, 0x1122334455667788ull);
  memory.write(0x8000, std::vector<std::uint8_t>(4096 - 8, 'x'));
  X86_64Translator translator(memory, tables.pml4());
  VirtualMemory vm(memory, translator);
  EXPECT_EQ(vm.readU64(0x400ff8), 0x1122334455667788ull);
  EXPECT_EQ(vm.readU32(0x400ffc), 0x11223344u);
  EXPECT_FALSE(vm.readU64(0x400ffc));  // straddles into the unmapped page
  std::vector<std::uint8_t> out(16);
  EXPECT_EQ(vm.read(0x400ff8, out), 8u);
  EXPECT_FALSE(vm.readCString(0x400000, 10000));  // no NUL before the hole
  EXPECT_FALSE(vm.readPointer(0x500000));
}

TEST(VirtualMemory, StopsAtPhysicalHoleBehindAMapping) {
  PagedTestMemory memory;
  TestPageTables tables(memory, 0x10000, 0x11000);
  tables.map(0xffffff8000200000ull, 0x200000, 2ull << 20);
  memory.back(0x200000, 0x1000);  // only the first 4 KiB of the large page exist
  X86_64Translator translator(memory, tables.pml4());
  VirtualMemory vm(memory, translator);
  std::vector<std::uint8_t> out(0x2000);
  EXPECT_EQ(vm.read(0xffffff8000200000ull, out), 0x1000u);
}
