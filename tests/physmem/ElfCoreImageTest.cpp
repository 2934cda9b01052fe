#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "ImageBuilders.h"
#include "core/Error.h"
#include "physmem/ElfCoreImage.h"
#include "physmem/ImageOpener.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

using test::Bytes;

std::string writeCore(const std::string& name, const Bytes& bytes) {
  const std::string path = test::scratchDir() + "/" + name;
  test::writeFile(path, bytes);
  return path;
}

std::string errorOf(const std::string& path) {
  try {
    openPhysicalMemory(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// The q35 shape: RAM below 4 GiB split around the legacy hole, RAM above 4 GiB.
test::ElfCoreSpec q35Spec() {
  test::ElfCoreSpec spec;
  spec.loads = {{0x0, test::patternBytes(0xa0000, 1), 0},
                {0x100000, test::patternBytes(0x300000, 2), 0},
                {0x100000000ull, test::patternBytes(0x200000, 3), 0}};
  spec.cpus = {
      {0xffffff8000212345ull, 0xffffff80aaaa0000ull, 0x8005003bull, 0x1a2b3000ull, 0x3606e0ull},
      {0xffffff8000299999ull, 0xffffff80bbbb0000ull, 0x8005003bull, 0x77000ull, 0x3606e0ull}};
  return spec;
}

TEST(ElfCoreImage, LoadsMappedByPhysicalAddressIncludingAboveFourGiB) {
  const auto spec = q35Spec();
  auto image = openPhysicalMemory(writeCore("q35.elf", test::buildElfCore(spec)));
  ASSERT_EQ(image->formatName(), "elf-core");
  ASSERT_EQ(image->ranges().size(), 3u);
  EXPECT_EQ(image->ranges()[2].start, 0x100000000ull);
  EXPECT_EQ(image->ranges()[2].size, 0x200000u);

  std::array<std::uint8_t, 0x40> buffer{};
  ASSERT_EQ(image->read(0x100000000ull + 0x1234, buffer), buffer.size());
  EXPECT_EQ(0, std::memcmp(buffer.data(), spec.loads[2].data.data() + 0x1234, buffer.size()));
  ASSERT_EQ(image->read(0x200000, buffer), buffer.size());
  EXPECT_EQ(0, std::memcmp(buffer.data(), spec.loads[1].data.data() + 0x100000, buffer.size()));
  // The legacy hole 0xa0000..0x100000 and the gap up to 4 GiB are absent.
  EXPECT_EQ(image->read(0xa0000 - 8, buffer), 8u);
  EXPECT_EQ(image->read(0xc0000, buffer), 0u);
  EXPECT_EQ(image->read(0x400000, buffer), 0u);
  auto view = image->view(0x100000000ull, 0x200000);
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(0, std::memcmp(view->data(), spec.loads[2].data.data(), 0x200000));
  EXPECT_FALSE(image->view(0x9f000, 0x2000).has_value());
}

TEST(ElfCoreImage, LargeReadsMatchSmallReadsAndStopAtHoles) {
  const auto spec = q35Spec();
  auto image = openPhysicalMemory(writeCore("large.elf", test::buildElfCore(spec)));
  // Large copies take the pread(2) path, small ones the mapping: same bytes.
  std::vector<std::uint8_t> whole(0x300000);
  ASSERT_EQ(image->read(0x100000, whole), whole.size());
  EXPECT_TRUE(std::equal(whole.begin(), whole.end(), spec.loads[1].data.begin()));
  std::vector<std::uint8_t> tail(0x40000);
  EXPECT_EQ(image->read(0x80000, tail), 0x20000u);  // 0x80000..0xa0000, then the hole
  EXPECT_TRUE(
      std::equal(tail.begin(), tail.begin() + 0x20000, spec.loads[0].data.begin() + 0x80000));
  std::array<std::uint8_t, 0x100> small{};
  ASSERT_EQ(image->read(0x100000 + 0x2ff00, small), small.size());
  EXPECT_TRUE(std::equal(small.begin(), small.end(), whole.begin() + 0x2ff00));
}

TEST(ElfCoreImage, CpuNotesGiveControlRegistersPerCpu) {
  const auto spec = q35Spec();
  ElfCoreImage image(writeCore("cpus.elf", test::buildElfCore(spec)));
  EXPECT_EQ(image.machine(), "x86_64");
  const auto cpus = image.cpus();
  ASSERT_EQ(cpus.size(), 2u);
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    EXPECT_EQ(cpus[i].index, static_cast<int>(i));
    EXPECT_EQ(cpus[i].cr3, spec.cpus[i].cr3);
    EXPECT_EQ(cpus[i].rip, spec.cpus[i].rip);
    EXPECT_EQ(cpus[i].rsp, spec.cpus[i].rsp);
    EXPECT_EQ(cpus[i].cr0, spec.cpus[i].cr0);
    EXPECT_EQ(cpus[i].cr4, spec.cpus[i].cr4);
  }
  EXPECT_NE(image.describe().find("2 CPU(s)"), std::string::npos) << image.describe();
}

TEST(ElfCoreImage, PrstatusOnlyGivesRipAndRspButNoCr3) {
  auto spec = q35Spec();
  spec.qemuNotes = false;
  const auto cpus = ElfCoreImage(writeCore("prstatus.elf", test::buildElfCore(spec))).cpus();
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[1].rip, spec.cpus[1].rip);
  EXPECT_EQ(cpus[1].rsp, spec.cpus[1].rsp);
  EXPECT_FALSE(cpus[1].cr3.has_value());
}

TEST(ElfCoreImage, Elf32I386CoreAsQemuWritesForAGuestNotInLongMode) {
  test::ElfCoreSpec spec;
  spec.class64 = false;
  spec.machine = 3;  // EM_386
  spec.loads = {{0x0, test::patternBytes(0x80000, 9), 0}};
  spec.cpus = {{0xfff0, 0x6f00, 0x60000010, 0, 0}};
  ElfCoreImage image(writeCore("i386.elf", test::buildElfCore(spec)));
  EXPECT_EQ(image.machine(), "i386");
  ASSERT_EQ(image.cpus().size(), 1u);
  EXPECT_EQ(image.cpus()[0].rip, 0xfff0u);
  EXPECT_EQ(image.cpus()[0].cr0, 0x60000010u);
  EXPECT_EQ(image.cpus()[0].cr3, 0u);
  EXPECT_EQ(image.readU32(0x40), std::optional<std::uint32_t>(
                                     spec.loads[0].data[0x40] | spec.loads[0].data[0x41] << 8 |
                                     spec.loads[0].data[0x42] << 16 |
                                     static_cast<std::uint32_t>(spec.loads[0].data[0x43]) << 24));
}

TEST(ElfCoreImage, ExtendedProgramHeaderCount) {
  auto spec = q35Spec();
  spec.extendedPhnum = true;
  ElfCoreImage image(writeCore("xnum.elf", test::buildElfCore(spec)));
  EXPECT_EQ(image.ranges().size(), 3u);
  EXPECT_EQ(image.cpus().size(), 2u);
}

TEST(ElfCoreImage, FileSizeShorterThanMemorySizeLeavesTheTailAbsent) {
  test::ElfCoreSpec spec;
  spec.loads = {{0x10000, test::patternBytes(0x1000, 1), 0x4000}};
  ElfCoreImage image(writeCore("short.elf", test::buildElfCore(spec)));
  ASSERT_EQ(image.ranges().size(), 1u);
  EXPECT_EQ(image.ranges()[0].size, 0x1000u);
  std::array<std::uint8_t, 0x20> buffer{};
  EXPECT_EQ(image.read(0x11000 - 0x10, buffer), 0x10u);
}

TEST(ElfCoreImage, SegmentsAdjacentInMemoryButNotInFileReadAcross) {
  test::ElfCoreSpec spec;
  // Written in file order high first, so the file order differs from PA order.
  spec.loads = {{0x20000, test::patternBytes(0x1000, 2), 0},
                {0x1f000, test::patternBytes(0x1000, 1), 0}};
  ElfCoreImage image(writeCore("crossing.elf", test::buildElfCore(spec)));
  ASSERT_EQ(image.ranges().size(), 1u);
  std::array<std::uint8_t, 0x20> buffer{};
  ASSERT_EQ(image.read(0x20000 - 0x10, buffer), buffer.size());
  EXPECT_EQ(0, std::memcmp(buffer.data(), spec.loads[1].data.data() + 0xff0, 0x10));
  EXPECT_EQ(0, std::memcmp(buffer.data() + 0x10, spec.loads[0].data.data(), 0x10));
}

TEST(ElfCoreImage, TruncatedSegmentIsAnError) {
  Bytes bytes = test::buildElfCore(q35Spec());
  bytes.resize(bytes.size() - 0x1000);
  const std::string message = errorOf(writeCore("truncated.elf", bytes));
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  EXPECT_NE(message.find("0x100000000"), std::string::npos) << message;
}

TEST(ElfCoreImage, TruncatedProgramHeadersAreAnError) {
  Bytes bytes = test::buildElfCore(q35Spec());
  bytes.resize(64 + 56);  // the ELF header and one program header
  bytes.resize(4096, 0);  // still a page long
  const std::uint16_t many = 500;
  std::memcpy(bytes.data() + 56, &many, 2);
  const std::string message = errorOf(writeCore("phdrs.elf", bytes));
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

TEST(ElfCoreImage, OverlappingSegmentsAreAnError) {
  test::ElfCoreSpec spec;
  spec.loads = {{0x0, test::patternBytes(0x2000, 1), 0},
                {0x1000, test::patternBytes(0x2000, 2), 0}};
  EXPECT_NE(errorOf(writeCore("overlap.elf", test::buildElfCore(spec))).find("overlap"),
            std::string::npos);
}

TEST(ElfCoreImage, CorruptNoteSizeIsAnError) {
  auto spec = q35Spec();
  Bytes bytes = test::buildElfCore(spec);
  // The first note's n_descsz sits right after the headers (notes follow phdrs).
  const std::size_t notes = 64 + 56 * 4;
  const std::uint32_t huge = 0x7fffffff;
  std::memcpy(bytes.data() + notes + 4, &huge, 4);
  EXPECT_NE(errorOf(writeCore("badnote.elf", bytes)).find("note"), std::string::npos);
}

TEST(ElfCoreImage, NonCoreElfAndOtherMachinesAreRejectedWithWhatTheyAre) {
  auto exec = q35Spec();
  exec.type = 2;  // ET_EXEC
  std::string message = errorOf(writeCore("exec.elf", test::buildElfCore(exec)));
  EXPECT_NE(message.find("executable, not a core dump"), std::string::npos) << message;

  auto arm = q35Spec();
  arm.machine = 183;  // EM_AARCH64
  message = errorOf(writeCore("arm.elf", test::buildElfCore(arm)));
  EXPECT_NE(message.find("machine 183"), std::string::npos) << message;

  Bytes bigEndian = test::buildElfCore(q35Spec());
  bigEndian[5] = 2;
  EXPECT_NE(errorOf(writeCore("be.elf", bigEndian)).find("big-endian"), std::string::npos);
}

}  // namespace
}  // namespace xnuscope
