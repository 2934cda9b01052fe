// Guest RAM layout from captured QEMU 7.2 "info mtree -f" text (q35, -m 3G,
// memory-backend-file id=mem, a 64 KiB -bios ROM): which ranges are the backend's
// and at which file offsets. No QEMU needed.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/Error.h"
#include "qemu/MemoryTreeParser.h"
#include "qemu/QemuRamLayout.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

std::string capturedMtree() {
  std::ifstream in(test::sourceDir() + "/tests/data/live/mtree_q35_3g_64k_bios.txt");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << "missing tests/data/live/mtree_q35_3g_64k_bios.txt";
  return text.str();
}

MemoryBackend memBackend(std::uint64_t fileOffset = 0) {
  MemoryBackend backend;
  backend.id = "mem";
  backend.memPath = "/dev/shm/x";
  backend.size = 3ull << 30;
  backend.share = true;
  backend.fileOffset = fileOffset;
  return backend;
}

TEST(QemuRamLayoutTest, RamAbove4GiBSitsAtFileOffsetBelow4g) {
  const auto segments = backendFileSegments(parseMemoryTreeRam(capturedMtree()), memBackend());
  ASSERT_EQ(segments.size(), 4u);
  // Low RAM up to the VGA hole, the BIOS shadow gap left by the ROM at 0xf0000.
  EXPECT_EQ(segments[0].pa, 0u);
  EXPECT_EQ(segments[0].size, 0xc0000u);
  EXPECT_EQ(segments[0].fileOffset, 0u);
  EXPECT_EQ(segments[1].pa, 0xe0000u);
  EXPECT_EQ(segments[1].fileOffset, 0xe0000u);
  EXPECT_EQ(segments[1].size, 0x10000u);
  EXPECT_EQ(segments[2].pa, 0x100000u);
  EXPECT_EQ(segments[2].fileOffset, 0x100000u);
  EXPECT_EQ(segments[2].size, 0x80000000u - 0x100000u);
  // q35 with >= 0xB0000000 of RAM: 2 GiB below 4 GiB, the remaining 1 GiB at 4 GiB
  // and file offset 2 GiB — not at file offset 4 GiB.
  EXPECT_EQ(segments[3].pa, 0x100000000u);
  EXPECT_EQ(segments[3].fileOffset, 0x80000000u);
  EXPECT_EQ(segments[3].size, 0x40000000u);
}

TEST(QemuRamLayoutTest, FirmwareRomsAndDevicesAreNotGuestRam) {
  const auto segments = backendFileSegments(parseMemoryTreeRam(capturedMtree()), memBackend());
  for (const auto& segment : segments) {
    const bool coversBios = segment.pa <= 0xffff0000u && 0xffff0000u < segment.pa + segment.size;
    const bool coversHpet = segment.pa <= 0xfed00000u && 0xfed00000u < segment.pa + segment.size;
    const bool coversOptionRom = segment.pa <= 0xc0000u && 0xc0000u < segment.pa + segment.size;
    EXPECT_FALSE(coversBios || coversHpet || coversOptionRom) << std::hex << segment.pa;
  }
}

TEST(QemuRamLayoutTest, BackendOffsetPropertyShiftsEveryFileOffset) {
  const auto segments =
      backendFileSegments(parseMemoryTreeRam(capturedMtree()), memBackend(0x1000000));
  ASSERT_EQ(segments.size(), 4u);
  EXPECT_EQ(segments[3].fileOffset, 0x81000000u);
}

TEST(QemuRamLayoutTest, BackendThatBacksNothingIsAClearError) {
  MemoryBackend other = memBackend();
  other.id = "numa1";
  try {
    backendFileSegments(parseMemoryTreeRam(capturedMtree()), other);
    FAIL() << "expected AnalysisError";
  } catch (const AnalysisError& e) {
    EXPECT_NE(std::string(e.what()).find("numa1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace xnuscope
