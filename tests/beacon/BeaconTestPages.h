// Builders for beacon pages as companions write them. Layout A goes through the
// project's portable encoder (agent/common/beacon_encoder.h); Layout B emulates the
// reference macOS companion byte for byte, including its 40-entries-per-page
// overflow into the next virtual page.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "TestMemory.h"
#include "beacon_encoder.h"

namespace xnuscope::test {

struct TestProcess {
  std::uint32_t pid = 0;
  std::uint32_t ppid = 0;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint64_t rssKb = 0;
  std::string name;
  char state = 'S';
};

// `count` processes with distinct pids (1 is launchd), seeded names/ids.
std::vector<TestProcess> makeProcesses(std::size_t count, std::uint64_t seed);

struct TestSection {
  xb_section section{};
  std::vector<xb_pte> ptes;
};

class LayoutASessionBuilder {
 public:
  LayoutASessionBuilder(std::uint32_t session, std::uint32_t timestamp)
      : session_(session), timestamp_(timestamp) {}

  Page master() const;
  // ceil(n/84) pages (at least one) starting at category_index `firstIndex`.
  std::vector<Page> pidPages(std::uint32_t generation, const std::vector<TestProcess>& processes,
                             std::uint32_t firstIndex = 0) const;
  // Control page (index 0) then data pages 1.. holding the sections, each followed
  // by its PTEs, chained with continuation = 1.
  std::vector<Page> cameraPages(std::uint32_t category, std::uint32_t targetPid,
                                const std::vector<TestSection>& sections) const;

 private:
  std::uint32_t session_;
  std::uint32_t timestamp_;
};

// Re-opens the seqlock bracket (version_top bumped, version_bottom not): the page
// as a reader sees it while the writer is in the middle of it.
void tear(Page& page);

// The reference macOS companion's area for `processes`: control page + process
// pages, as the physical pages a scan finds (the overflow of entries 37..39 lands
// in the next virtual page and is then overwritten by that page's own writes).
std::vector<Page> layoutBPages(std::uint32_t session, const std::vector<TestProcess>& processes);

// The magic at offset 0 and seeded random bytes everywhere else.
Page magicGarbagePage(std::mt19937_64& rng);

}  // namespace xnuscope::test
