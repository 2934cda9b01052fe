// The portable Layout A encoder (agent/common) that the macOS companion uses.
#include <gtest/gtest.h>

#include <cstring>

#include "beacon/BeaconFormat.h"
#include "beacon_encoder.h"

namespace {

using xnuscope::beacon::loadU16;
using xnuscope::beacon::loadU32;
using xnuscope::beacon::loadU64;

TEST(BeaconEncoder, SeqlockBracketOpensAndClosesTheVersionPair) {
  alignas(4096) std::uint8_t page[4096] = {};
  xb_page_begin(page);
  EXPECT_NE(loadU32(page, 4), loadU32(page, 4092)) << "a page being written must look torn";
  xb_write_header(page, 77, XB_CATEGORY_MASTER, 0, 1700000000);
  xb_page_end(page);
  EXPECT_EQ(loadU32(page, 4), loadU32(page, 4092));
  const std::uint32_t first = loadU32(page, 4);

  xb_page_begin(page);  // rewriting bumps the version again
  EXPECT_NE(loadU32(page, 4), loadU32(page, 4092));
  xb_page_end(page);
  EXPECT_EQ(loadU32(page, 4), first + 1);
  EXPECT_EQ(loadU32(page, 4092), first + 1);
}

TEST(BeaconEncoder, VersionWrapsAroundWithoutMatchingMidWrite) {
  alignas(4096) std::uint8_t page[4096] = {};
  xb_store_u32(page + 4, 0xFFFFFFFFu);
  xb_store_u32(page + 4092, 0xFFFFFFFFu);
  xb_page_begin(page);
  EXPECT_EQ(loadU32(page, 4), 0u);
  EXPECT_NE(loadU32(page, 4), loadU32(page, 4092));
  xb_page_end(page);
  EXPECT_EQ(loadU32(page, 4092), 0u);
}

TEST(BeaconEncoder, HeaderAndMasterFieldsAreLittleEndianAtTheDocumentedOffsets) {
  alignas(4096) std::uint8_t page[4096];
  std::memset(page, 0xAB, sizeof page);
  const std::uint32_t counts[4] = {1, 16, 200, 200};
  xb_page_begin(page);
  xb_write_header(page, 0x1234, XB_CATEGORY_MASTER, 0, 0x65000000);
  xb_write_master(page, counts);
  xb_page_end(page);
  EXPECT_EQ(page[0], 0xCE);
  EXPECT_EQ(page[1], 0xFA);
  EXPECT_EQ(page[2], 0x42);
  EXPECT_EQ(page[3], 0x31);
  EXPECT_EQ(loadU32(page, 8), 0x1234u);
  EXPECT_EQ(loadU32(page, 12), 0u);
  EXPECT_EQ(loadU32(page, 16), 0u);
  EXPECT_EQ(loadU32(page, 20), 0x65000000u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(loadU32(page, 24 + 16 * i + 4), counts[i]);
  EXPECT_EQ(page[100], 0) << "padding must not keep stale bytes";
}

TEST(BeaconEncoder, PidPageHoldsAtMost84EntriesAndTruncatesNames) {
  alignas(4096) std::uint8_t page[4096] = {};
  std::vector<xb_pid_entry> entries(100);
  for (std::uint32_t i = 0; i < entries.size(); ++i) {
    entries[i].pid = 100 + i;
    entries[i].ppid = 1;
    entries[i].rss_kb = 0x1122334455ull;
    std::strcpy(entries[i].comm, "0123456789abcde");  // 15 chars + NUL
    entries[i].state = 'R';
  }
  std::memcpy(entries[0].comm, "exactly16chars!!", sizeof entries[0].comm);  // no NUL
  xb_page_begin(page);
  xb_write_header(page, 5, XB_CATEGORY_PID, 0, 1);
  EXPECT_EQ(xb_write_pid_page(page, 3, 100, entries.data(), 100), 84u);
  xb_page_end(page);
  EXPECT_EQ(loadU32(page, 24), 3u);
  EXPECT_EQ(loadU32(page, 28), 100u);
  EXPECT_EQ(loadU32(page, 32), 84u);
  const std::size_t last = 36 + 48 * 83;
  EXPECT_EQ(last + 48, 4068u) << "84 entries end 24 bytes before version_bottom";
  EXPECT_EQ(loadU32(page, last + 4), 183u);
  EXPECT_EQ(loadU64(page, last + 20), 0x1122334455ull);
  EXPECT_EQ(page[last + 44], 'R');
  const std::uint8_t* first = page + 36;
  EXPECT_EQ(first[28 + 15], 0) << "comm is always NUL-terminated";
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(first + 28)), "exactly16chars!");
  EXPECT_EQ(loadU32(page, 4), loadU32(page, 4092));
}

TEST(BeaconEncoder, CameraStreamNeverOverflowsTheStreamArea) {
  alignas(4096) std::uint8_t page[4096] = {};
  xb_camera_stream stream;
  xb_page_begin(page);
  xb_write_header(page, 5, XB_CATEGORY_CAMERA1, 1, 1);
  xb_camera_stream_start(&stream, page, 42);
  xb_section section{};
  section.pid = 42;
  section.va_start = 0x1000;
  section.va_end = 0x3000;
  section.perms = XB_PERM_READ | XB_PERM_PRIVATE;
  std::strcpy(section.path, "/usr/lib/dyld");
  int sections = 0;
  while (xb_camera_add_section(&stream, &section)) ++sections;
  EXPECT_EQ(sections, 4060 / 96);  // 42 sections; 28 bytes left
  xb_pte pte{XB_PTE_PRESENT, 0x1000, 0x5000};
  EXPECT_EQ(xb_camera_add_pte(&stream, &pte), 1);  // 24 of the 28 bytes
  EXPECT_EQ(xb_camera_add_pte(&stream, &pte), 0);
  xb_camera_stream_finish(&stream, 1);
  xb_page_end(page);
  EXPECT_EQ(loadU32(page, 24), 42u);
  EXPECT_EQ(loadU16(page, 28), 43u);
  EXPECT_EQ(loadU16(page, 30), 1u);
  EXPECT_EQ(page[32], XB_ENTRY_SECTION);
  EXPECT_EQ(loadU64(page, 32 + 8), 0x1000u);
  EXPECT_EQ(page[32 + 42 * 96], XB_ENTRY_PTE);
  EXPECT_EQ(page[32 + 42 * 96 + 24], XB_ENTRY_END);
  EXPECT_EQ(loadU32(page, 4), loadU32(page, 4092)) << "stream must not touch version_bottom";
}

}  // namespace
