#include <gtest/gtest.h>

#include <vector>

#include "mmu/PagedTestMemory.h"
#include "mmu/X86_64Translator.h"

using namespace xnuscope;
using xnuscope::test::PagedTestMemory;
using xnuscope::test::TestPageTables;

namespace {

constexpr std::uint64_t kKernelVa = 0xffffff8000200000ull;

struct Fixture {
  PagedTestMemory memory;
  TestPageTables tables{memory, 0x10000, 0x11000};
};

}  // namespace

TEST(X86_64Translator, Translates4KPageWithOffsetAndPermissions) {
  Fixture f;
  f.tables.map(0x400000, 0x7000, 4096, TestPageTables::P | TestPageTables::U);
  X86_64Translator translator(f.memory, f.tables.pml4());
  const auto t = translator.translate(0x400123);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->pa, 0x7123u);
  EXPECT_EQ(t->pageSize, 4096u);
  EXPECT_FALSE(t->writable);
  EXPECT_TRUE(t->user);
  EXPECT_TRUE(t->executable);
  EXPECT_FALSE(translator.translate(0x401000));
}

TEST(X86_64Translator, Translates2MiBAnd1GiBPagesInTheUpperHalf) {
  Fixture f;
  f.tables.map(kKernelVa, 0x200000, 2ull << 20,
               TestPageTables::P | TestPageTables::W | TestPageTables::NX);
  f.tables.map(0xffffff8040000000ull, 0x40000000, 1ull << 30);
  X86_64Translator translator(f.memory, f.tables.pml4());
  auto t = translator.translate(kKernelVa + 0x12345);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->pa, 0x212345u);
  EXPECT_EQ(t->pageSize, 2ull << 20);
  EXPECT_TRUE(t->writable);
  EXPECT_FALSE(t->user);  // the leaf lacks U even though the upper levels grant it
  EXPECT_FALSE(t->executable);
  t = translator.translate(0xffffff8040000000ull + 0x3fffffffull);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->pa, 0x7fffffffull);
  EXPECT_EQ(t->pageSize, 1ull << 30);
}

TEST(X86_64Translator, StripsPcidAndHighCr3Bits) {
  Fixture f;
  f.tables.map(0x1000, 0x5000, 4096);
  X86_64Translator translator(f.memory, f.tables.pml4() | 0x8000000000000000ull | 0x5);
  EXPECT_EQ(translator.rootTable(), f.tables.pml4());
  EXPECT_EQ(translator.translate(0x1abc)->pa, 0x5abcu);
}

TEST(X86_64Translator, RejectsNonCanonicalAndAbsentTables) {
  Fixture f;
  f.tables.map(0x1000, 0x5000, 4096);
  X86_64Translator translator(f.memory, f.tables.pml4());
  EXPECT_FALSE(translator.translate(0x0000800000000000ull));
  EXPECT_FALSE(translator.translate(0xfff0000000000000ull));
  // A PML4 entry that points at physical memory the image does not have.
  f.memory.writeU64(f.tables.pml4() + 8 * 5, 0x7ff00000000ull | 3);
  EXPECT_FALSE(translator.translate(5ull << 39));
  X86_64Translator missingRoot(f.memory, 0x123456000ull);
  EXPECT_FALSE(missingRoot.translate(0x1000));
}

TEST(X86_64Translator, CacheServesRepeatsAndClearCacheSeesChanges) {
  Fixture f;
  f.tables.map(0x1000, 0x5000, 4096);
  X86_64Translator translator(f.memory, f.tables.pml4());
  EXPECT_EQ(translator.translate(0x1010)->pa, 0x5010u);
  EXPECT_EQ(translator.translate(0x1020)->pa, 0x5020u);
  EXPECT_EQ(translator.cacheStats().hits, 1u);
  EXPECT_EQ(translator.cacheStats().misses, 1u);
  f.tables.map(0x1000, 0x9000, 4096);                    // the guest remaps the page
  EXPECT_EQ(translator.translate(0x1010)->pa, 0x5010u);  // stale until cleared
  translator.clearCache();
  EXPECT_EQ(translator.translate(0x1010)->pa, 0x9010u);
}

TEST(X86_64Translator, EnumeratesMergedRangesInVaOrder) {
  Fixture f;
  f.tables.mapRange(0x400000, 0x100000, 0x3000);              // 3 contiguous pages
  f.tables.map(0x403000, 0x200000, 4096);                     // PA discontinuity
  f.tables.map(0x404000, 0x201000, 4096, TestPageTables::P);  // permission change
  f.tables.map(kKernelVa, 0x400000, 2ull << 20);
  f.tables.map(kKernelVa + (2ull << 20), 0x600000, 2ull << 20);  // merges with previous
  X86_64Translator translator(f.memory, f.tables.pml4());
  std::vector<MappedRange> ranges;
  translator.mappedRanges(0, UINT64_MAX, [&](const MappedRange& r) {
    ranges.push_back(r);
    return true;
  });
  ASSERT_EQ(ranges.size(), 4u);
  EXPECT_EQ(ranges[0].va, 0x400000u);
  EXPECT_EQ(ranges[0].size, 0x3000u);
  EXPECT_EQ(ranges[1].va, 0x403000u);
  EXPECT_EQ(ranges[1].pa, 0x200000u);
  EXPECT_EQ(ranges[1].size, 0x1000u);
  EXPECT_FALSE(ranges[2].writable);
  EXPECT_EQ(ranges[3].va, kKernelVa);
  EXPECT_EQ(ranges[3].pa, 0x400000u);
  EXPECT_EQ(ranges[3].size, 4ull << 20);
}

TEST(X86_64Translator, EnumerationClipsAndHonoursLimitAndCallbackStop) {
  Fixture f;
  f.tables.map(kKernelVa, 0x400000, 2ull << 20);
  f.tables.map(0x1000, 0x5000, 4096);
  f.tables.map(0x3000, 0x9000, 4096);
  X86_64Translator translator(f.memory, f.tables.pml4());
  std::vector<MappedRange> ranges;
  auto collect = [&](const MappedRange& r) {
    ranges.push_back(r);
    return true;
  };
  translator.mappedRanges(kKernelVa + 0x1000, kKernelVa + 0x1fff, collect);
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].va, kKernelVa + 0x1000);
  EXPECT_EQ(ranges[0].pa, 0x401000u);
  EXPECT_EQ(ranges[0].size, 0x1000u);
  ranges.clear();
  EXPECT_EQ(translator.mappedRanges(0, UINT64_MAX, collect, 2), 2u);
  ranges.clear();
  EXPECT_EQ(translator.mappedRanges(0, UINT64_MAX, [&](const MappedRange&) { return false; }), 1u);
}

TEST(X86_64Translator, SelfReferencingTablesStayBounded) {
  // Every PML4 entry points back at the PML4 itself: a hostile (or recursive)
  // layout. Translation must terminate and enumeration must stop at its limit.
  PagedTestMemory memory;
  const std::uint64_t pml4 = 0x10000;
  for (unsigned i = 0; i < 512; ++i) memory.writeU64(pml4 + i * 8, pml4 | 3);
  X86_64Translator translator(memory, pml4);
  const auto t = translator.translate(0x12345678);
  ASSERT_TRUE(t);  // the recursive walk lands on the PML4 page itself
  EXPECT_EQ(t->pa, pml4 + 0x678);
  const std::size_t n = translator.mappedRanges(
      0, UINT64_MAX, [](const MappedRange&) { return true; }, 100000);
  EXPECT_EQ(n, 100000u);
}
