// The beacon fallback over synthetic guests: beacon pages scattered at random
// physical frames, torn pages, several sessions, magic-but-garbage pages.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "BeaconTestPages.h"
#include "TestMemory.h"
#include "beacon/BeaconPageClassifier.h"
#include "beacon/BeaconReader.h"
#include "beacon/BeaconScanner.h"
#include "core/Error.h"

namespace xnuscope::test {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;

// 48 MiB in two ranges with a hole between them, like RAM split around the PCI hole.
TestMemory twoRangeMemory() {
  TestMemory memory;
  memory.addRange(0, 16 * kMiB);
  memory.addRange(64 * kMiB, 32 * kMiB);
  return memory;
}

TestSection section(std::uint32_t pid, std::uint64_t start, std::uint64_t end, std::uint32_t perms,
                    const char* path) {
  TestSection s;
  s.section.pid = pid;
  s.section.va_start = start;
  s.section.va_end = end;
  s.section.perms = perms;
  std::strncpy(s.section.path, path, sizeof s.section.path - 1);
  return s;
}

void expectProcessesEqual(const std::vector<BeaconProcess>& got,
                          const std::vector<TestProcess>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].pid, want[i].pid);
    EXPECT_EQ(got[i].ppid, want[i].ppid);
    EXPECT_EQ(got[i].uid, want[i].uid);
    EXPECT_EQ(got[i].gid, want[i].gid);
    EXPECT_EQ(got[i].name, want[i].name.substr(0, 15));
    EXPECT_EQ(got[i].rssKb, want[i].rssKb);
    EXPECT_EQ(got[i].state, want[i].state);
  }
}

bool hasWarningContaining(const BeaconSnapshot& s, const std::string& text) {
  return std::any_of(s.warnings.begin(), s.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

TEST(BeaconScanner, FindsEveryScatteredPageThroughViewAndThroughRead) {
  for (bool useView : {true, false}) {
    TestMemory memory = twoRangeMemory();
    memory.setViewEnabled(useView);
    std::mt19937_64 rng(7);
    LayoutASessionBuilder builder(900, 1700000000);
    std::vector<Page> pages = builder.pidPages(1, makeProcesses(300, 1));
    pages.push_back(builder.master());
    const auto placed = memory.scatter(pages, rng);
    const BeaconScanResult scan = BeaconScanner(memory).scan();
    EXPECT_EQ(scan.bytesScanned, 48 * kMiB);
    EXPECT_EQ(scan.magicPages, pages.size());
    std::vector<std::uint64_t> found;
    for (const auto& page : scan.pages) found.push_back(page.pa);
    std::vector<std::uint64_t> expected = placed;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(found, expected) << (useView ? "view path" : "read path");
  }
}

TEST(BeaconScanner, SkipsTheUnalignedHeadOfARangeAndReportsProgress) {
  TestMemory memory;
  memory.addRange(0x800, 8 * kMiB);  // first whole page starts at 0x1000
  Page page = LayoutASessionBuilder(1, 1).master();
  memory.place(0x1000, page);
  memory.place(0x7FF000, page);
  std::uint64_t lastDone = 0, lastTotal = 0;
  const auto scan =
      BeaconScanner(memory).scan([&](std::string_view, std::uint64_t done, std::uint64_t total) {
        EXPECT_GE(done, lastDone);
        lastDone = done;
        lastTotal = total;
      });
  EXPECT_EQ(scan.magicPages, 2u);
  EXPECT_EQ(lastTotal, memory.backedBytes());
  EXPECT_GT(lastDone, 0u);
}

TEST(BeaconClassifier, TellsLayoutsTornAndGarbageApart) {
  LayoutASessionBuilder builder(42, 1700000000);
  RawBeaconPage raw;
  raw.bytes = builder.master();
  EXPECT_EQ(classifyBeaconPage(raw).kind, BeaconPageKind::LayoutA);
  tear(raw.bytes);
  EXPECT_EQ(classifyBeaconPage(raw).kind, BeaconPageKind::LayoutATorn);

  const auto b = layoutBPages(4242, makeProcesses(50, 3));
  raw.bytes = b[0];
  EXPECT_EQ(classifyBeaconPage(raw).kind, BeaconPageKind::LayoutBControl);
  raw.bytes = b[1];
  EXPECT_EQ(classifyBeaconPage(raw).kind, BeaconPageKind::LayoutBProcessList);
  EXPECT_EQ(classifyBeaconPage(raw).session, 4242u);

  std::mt19937_64 rng(99);
  for (int i = 0; i < 200; ++i) {
    raw.bytes = magicGarbagePage(rng);
    const auto page = classifyBeaconPage(raw);
    EXPECT_EQ(page.kind, BeaconPageKind::Garbage);
    EXPECT_FALSE(page.reason.empty());
  }

  // A Layout A header whose versions match but whose payload is impossible.
  raw.bytes = builder.pidPages(1, makeProcesses(5, 1))[0];
  xb_page_begin(raw.bytes.data());
  xb_store_u32(raw.bytes.data() + 32, 85);  // pids_in_page > 84
  xb_page_end(raw.bytes.data());
  EXPECT_EQ(classifyBeaconPage(raw).kind, BeaconPageKind::Garbage);
}

TEST(BeaconReader, DecodesAScatteredLayoutASession) {
  TestMemory memory = twoRangeMemory();
  std::mt19937_64 rng(2024);
  const auto processes = makeProcesses(200, 11);  // 3 PID pages: 84 + 84 + 32
  LayoutASessionBuilder builder(501, 1700000000);
  std::vector<Page> pages{builder.master()};
  for (auto& p : builder.pidPages(4, processes)) pages.push_back(p);

  // Camera 1 watches pid 1 with enough sections to need two data pages.
  std::vector<TestSection> sections;
  for (int i = 0; i < 50; ++i) {
    sections.push_back(
        section(1, 0x100000000ull + i * 0x10000, 0x100000000ull + i * 0x10000 + 0x4000,
                XB_PERM_READ | (i % 2 ? XB_PERM_WRITE : XB_PERM_EXEC) | XB_PERM_PRIVATE,
                i == 0 ? "/sbin/launchd" : "[heap]"));
  }
  sections[3].ptes.push_back({XB_PTE_PRESENT, 0x100030000ull, 0x0200000});  // backed
  sections[3].ptes.push_back(
      {XB_PTE_PRESENT, 0x100031000ull, 0x40000000ull + 0x100031000ull});          // made up
  sections[3].ptes.push_back({XB_PTE_PRESENT, 0x100032000ull, 0x7000000000ull});  // outside memory
  const auto camera = builder.cameraPages(XB_CATEGORY_CAMERA1, 1, sections);
  ASSERT_EQ(camera.size(), 3u) << "control + two data pages";
  for (auto& p : camera) pages.push_back(p);
  memory.scatter(pages, rng);

  const auto snapshot = readBeacons(memory, std::nullopt);
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->sessionId, 501u);
  EXPECT_EQ(snapshot->layout, BeaconLayout::A);
  EXPECT_EQ(snapshot->timestamp, 1700000000u);
  EXPECT_EQ(snapshot->generation, 4u);
  EXPECT_TRUE(snapshot->complete) << (snapshot->warnings.empty() ? "" : snapshot->warnings[0]);
  EXPECT_EQ(snapshot->pages.found, pages.size());
  EXPECT_EQ(snapshot->pages.valid, pages.size());
  EXPECT_EQ(snapshot->pages.torn, 0u);
  expectProcessesEqual(snapshot->processes, processes);

  ASSERT_EQ(snapshot->regions.size(), sections.size());
  EXPECT_EQ(snapshot->regions[0].path, "/sbin/launchd");
  EXPECT_EQ(snapshot->regions[0].protection(), "r-x");
  EXPECT_EQ(snapshot->regions[1].protection(), "rw-");
  EXPECT_EQ(snapshot->regions[1].sharing(), "private");
  EXPECT_EQ(snapshot->regions[49].start, 0x100000000ull + 49 * 0x10000);

  ASSERT_EQ(snapshot->ptes.size(), 3u);
  EXPECT_TRUE(snapshot->ptes[0].verified);
  EXPECT_FALSE(snapshot->ptes[1].verified) << "made-up pa must stay unverified";
  EXPECT_NE(snapshot->ptes[1].note.find("made-up"), std::string::npos);
  EXPECT_FALSE(snapshot->ptes[2].verified);
  ASSERT_EQ(snapshot->sessions.size(), 1u);
  EXPECT_TRUE(snapshot->sessions[0].hasMaster);
  EXPECT_EQ((*snapshot->sessions[0].declaredPageCounts)[1], 16u);
}

TEST(BeaconReader, RejectsTornPagesAndFallsBackToTheNewestCompleteGeneration) {
  TestMemory memory = twoRangeMemory();
  std::mt19937_64 rng(5);
  LayoutASessionBuilder builder(77, 1700000100);
  const auto older = makeProcesses(150, 21);  // generation 8: pages 0, 1
  const auto newer = makeProcesses(160, 22);  // generation 9: pages 0, 1 (page 1 torn)
  std::vector<Page> pages{builder.master()};
  for (auto& p : builder.pidPages(8, older)) pages.push_back(p);  // stale copies, still intact
  auto fresh = builder.pidPages(9, newer);
  tear(fresh[1]);
  for (auto& p : fresh) pages.push_back(p);
  memory.scatter(pages, rng);

  const auto snapshot = readBeacons(memory, std::nullopt);
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->pages.torn, 1u);
  EXPECT_EQ(snapshot->sessions[0].pages.torn, 1u);
  EXPECT_EQ(snapshot->generation, 8u);
  expectProcessesEqual(snapshot->processes, older);
  EXPECT_TRUE(hasWarningContaining(*snapshot, "generation 9 is incomplete"));
  EXPECT_TRUE(hasWarningContaining(*snapshot, "torn"));
}

TEST(BeaconReader, UsesTheNewestPartialGenerationWhenNoneIsComplete) {
  TestMemory memory = twoRangeMemory();
  std::mt19937_64 rng(6);
  LayoutASessionBuilder builder(78, 1700000100);
  const auto processes = makeProcesses(200, 31);
  auto pid = builder.pidPages(3, processes);
  tear(pid[2]);
  std::vector<Page> pages{builder.master()};
  for (auto& p : pid) pages.push_back(p);
  memory.scatter(pages, rng);

  const auto snapshot = readBeacons(memory, std::nullopt);
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_FALSE(snapshot->complete);
  EXPECT_EQ(snapshot->processes.size(), 168u);
  EXPECT_EQ(snapshot->declaredProcessCount, 200u);
  EXPECT_TRUE(hasWarningContaining(*snapshot, "no complete PID generation"));
}

TEST(BeaconReader, PicksTheNewestSessionUnlessOneIsNamed) {
  TestMemory memory = twoRangeMemory();
  std::mt19937_64 rng(8);
  LayoutASessionBuilder oldSession(300, 1700000000), newSession(400, 1700009999);
  const auto oldProcs = makeProcesses(40, 1), newProcs = makeProcesses(90, 2);
  std::vector<Page> pages{oldSession.master(), newSession.master()};
  for (auto& p : oldSession.pidPages(1, oldProcs)) pages.push_back(p);
  for (auto& p : newSession.pidPages(1, newProcs)) pages.push_back(p);
  memory.scatter(pages, rng);

  const auto newest = readBeacons(memory, std::nullopt);
  ASSERT_TRUE(newest.has_value());
  EXPECT_EQ(newest->sessionId, 400u);
  expectProcessesEqual(newest->processes, newProcs);
  ASSERT_EQ(newest->sessions.size(), 2u);
  EXPECT_EQ(newest->sessions[1].id, 300u);
  EXPECT_TRUE(hasWarningContaining(*newest, "2 companion sessions"));

  const auto named = readBeacons(memory, 300u);
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->sessionId, 300u);
  expectProcessesEqual(named->processes, oldProcs);

  EXPECT_THROW(readBeacons(memory, 12345u), InputError);
}

TEST(BeaconReader, IgnoresMagicGarbageAndStaleCameraPages) {
  TestMemory memory = twoRangeMemory();
  std::mt19937_64 rng(9);
  LayoutASessionBuilder builder(600, 1700000000);
  const auto processes = makeProcesses(30, 4);
  std::vector<Page> pages{builder.master()};
  for (auto& p : builder.pidPages(2, processes)) pages.push_back(p);
  // An earlier, longer stream left data pages 1..3; the current one uses only 1.
  std::vector<TestSection> longStream, shortStream;
  for (int i = 0; i < 100; ++i)
    longStream.push_back(
        section(55, 0x1000 * (i + 1) * 16, 0x1000 * (i + 1) * 16 + 0x1000, 1, "old"));
  shortStream.push_back(section(55, 0x7000, 0x9000, XB_PERM_READ | XB_PERM_SHARED, "/dev/shm"));
  auto stale =
      LayoutASessionBuilder(600, 1699999000).cameraPages(XB_CATEGORY_CAMERA2, 55, longStream);
  auto current = builder.cameraPages(XB_CATEGORY_CAMERA2, 55, shortStream);
  ASSERT_EQ(stale.size(), 4u);
  ASSERT_EQ(current.size(), 2u);
  pages.push_back(current[0]);
  pages.push_back(current[1]);
  pages.push_back(stale[2]);
  pages.push_back(stale[3]);
  for (int i = 0; i < 25; ++i) pages.push_back(magicGarbagePage(rng));
  memory.scatter(pages, rng);

  const auto snapshot = readBeacons(memory, std::nullopt);
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->pages.garbage, 25u);
  EXPECT_EQ(snapshot->pages.found, pages.size());
  expectProcessesEqual(snapshot->processes, processes);
  ASSERT_EQ(snapshot->regions.size(), 1u);
  EXPECT_EQ(snapshot->regions[0].path, "/dev/shm");
  EXPECT_EQ(snapshot->regions[0].sharing(), "shared");
  EXPECT_TRUE(snapshot->complete);
}

TEST(BeaconReader, ReportsAMissingLinkInACameraChain) {
  TestMemory memory = twoRangeMemory();
  std::mt19937_64 rng(10);
  LayoutASessionBuilder builder(610, 1700000000);
  std::vector<TestSection> sections;
  for (int i = 0; i < 100; ++i)
    sections.push_back(section(9, 0x10000 * (i + 1), 0x10000 * (i + 1) + 0x1000, 3, ""));
  auto camera = builder.cameraPages(XB_CATEGORY_CAMERA1, 9, sections);
  ASSERT_EQ(camera.size(), 4u);
  tear(camera[2]);
  std::vector<Page> pages{builder.master()};
  for (auto& p : builder.pidPages(1, makeProcesses(3, 1))) pages.push_back(p);
  for (auto& p : camera) pages.push_back(p);
  memory.scatter(pages, rng);
  const auto snapshot = readBeacons(memory, std::nullopt);
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_FALSE(snapshot->complete);
  EXPECT_EQ(snapshot->regions.size(), 42u) << "only data page 1 survives";
  EXPECT_TRUE(hasWarningContaining(*snapshot, "data page 2"));
}

TEST(BeaconReader, DecodesLayoutBAndExplainsThe37EntryQuirk) {
  TestMemory memory = twoRangeMemory();
  std::mt19937_64 rng(11);
  const auto processes = makeProcesses(100, 12);  // pages of 40, 40, 20
  memory.scatter(layoutBPages(31337, processes), rng);

  const auto snapshot = readBeacons(memory, std::nullopt);
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->layout, BeaconLayout::B);
  EXPECT_EQ(snapshot->sessionId, 31337u);
  EXPECT_FALSE(snapshot->timestamp.has_value());
  EXPECT_EQ(snapshot->declaredProcessCount, 100u);
  EXPECT_FALSE(snapshot->complete);
  // Entries 37..39 of the two full pages are lost; everything else is exact.
  std::vector<TestProcess> recoverable;
  for (std::size_t i = 0; i < processes.size(); ++i) {
    if (i % 40 < 37) recoverable.push_back(processes[i]);
  }
  ASSERT_EQ(snapshot->processes.size(), 94u);
  for (std::size_t i = 0; i < recoverable.size(); ++i) {
    EXPECT_EQ(snapshot->processes[i].pid, recoverable[i].pid);
    EXPECT_EQ(snapshot->processes[i].name, recoverable[i].name);
    EXPECT_EQ(snapshot->processes[i].rssKb, recoverable[i].rssKb);
    EXPECT_EQ(snapshot->processes[i].virtualSizeKb, recoverable[i].rssKb * 3);
  }
  EXPECT_TRUE(hasWarningContaining(*snapshot, "only 37 fit"));
  EXPECT_TRUE(snapshot->sessions[0].hasMaster);
  EXPECT_EQ(snapshot->pages.valid,
            4u);  // control + 3 process pages; the overflow page has no magic
}

TEST(BeaconReader, LayoutBIgnoresPagesLeftFromALargerRefresh) {
  TestMemory memory = twoRangeMemory();
  std::mt19937_64 rng(12);
  const auto before = layoutBPages(7, makeProcesses(120, 1));  // pages 1..3, total 120
  const auto now = layoutBPages(7, makeProcesses(30, 2));      // page 1, total 30
  memory.scatter({now[0], now[1], before[2], before[3]}, rng);
  const auto snapshot = readBeacons(memory, std::nullopt);
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->processes.size(), 30u);
  EXPECT_TRUE(snapshot->complete);
  EXPECT_TRUE(hasWarningContaining(*snapshot, "left over"));
}

TEST(BeaconReader, PrefersLayoutAOverLayoutBAndFindsNothingInAnEmptyImage) {
  TestMemory empty = twoRangeMemory();
  EXPECT_FALSE(readBeacons(empty, std::nullopt).has_value());
  const BeaconSnapshot nothing = BeaconReader(empty).read(std::nullopt);
  EXPECT_FALSE(nothing.hasSession());
  EXPECT_EQ(nothing.pages.found, 0u);

  TestMemory memory = twoRangeMemory();
  std::mt19937_64 rng(13);
  std::vector<Page> pages = layoutBPages(1000, makeProcesses(10, 1));
  LayoutASessionBuilder builder(2000, 1600000000);
  pages.push_back(builder.master());
  for (auto& p : builder.pidPages(1, makeProcesses(12, 2))) pages.push_back(p);
  memory.scatter(pages, rng);
  const auto snapshot = readBeacons(memory, std::nullopt);
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->layout, BeaconLayout::A);
  EXPECT_EQ(snapshot->processes.size(), 12u);
  const auto b = readBeacons(memory, 1000u);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->layout, BeaconLayout::B);
  EXPECT_EQ(b->processes.size(), 10u);
}

TEST(BeaconReader, OnlyTornPagesMeanNoUsableSession) {
  TestMemory memory = twoRangeMemory();
  std::mt19937_64 rng(14);
  LayoutASessionBuilder builder(3, 1);
  Page master = builder.master();
  tear(master);
  memory.scatter({master}, rng);
  const BeaconSnapshot snapshot = BeaconReader(memory).read(std::nullopt);
  EXPECT_FALSE(snapshot.hasSession());
  EXPECT_EQ(snapshot.pages.torn, 1u);
  ASSERT_EQ(snapshot.sessions.size(), 1u);
  EXPECT_EQ(snapshot.sessions[0].pages.valid, 0u);
  EXPECT_FALSE(readBeacons(memory, std::nullopt).has_value());
}

}  // namespace
}  // namespace xnuscope::test
