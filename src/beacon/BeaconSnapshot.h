// What the beacon fallback recovered from guest physical memory: the companion
// sessions seen, page statistics, and the chosen session's processes, memory
// regions and PTEs. Produced by readBeacons() (BeaconReader.h).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xnuscope {

enum class BeaconLayout {
  A,  // versioned pages (master, PID, camera)
  B,  // the reference macOS companion's unversioned pages
};

std::string_view beaconLayoutName(BeaconLayout layout);

// Pages carrying the beacon magic, by what became of them.
struct BeaconPageCounts {
  std::uint64_t found = 0;       // magic at the page start
  std::uint64_t valid = 0;       // recognized and (Layout A) version_top == version_bottom
  std::uint64_t torn = 0;        // Layout A header but version_top != version_bottom
  std::uint64_t garbage = 0;     // magic, but no layout recognizes the rest
  std::uint64_t duplicates = 0;  // valid pages superseded by another copy of the same slot
};

struct BeaconSessionInfo {
  std::uint32_t id = 0;  // the companion's pid in both reference writers
  BeaconLayout layout = BeaconLayout::A;
  // Layout A: timestamp of the newest master page (Unix seconds); when no master
  // page survived, the newest timestamp of any of the session's pages.
  std::optional<std::uint32_t> timestamp;
  bool hasMaster = false;  // A: master page; B: control page
  // Page counts the master page declares per category (A only).
  std::optional<std::array<std::uint32_t, 4>> declaredPageCounts;
  BeaconPageCounts pages;  // garbage is never attributed to a session
};

struct BeaconProcess {
  std::uint32_t pid = 0;
  std::uint32_t ppid = 0;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::string name;
  std::uint64_t rssKb = 0;
  std::optional<std::uint64_t> virtualSizeKb;  // Layout B only
  char state = '?';
};

struct BeaconRegion {
  std::uint32_t pid = 0;
  std::uint64_t start = 0;
  std::uint64_t end = 0;    // exclusive
  std::uint32_t perms = 0;  // protocol bits: 1 r, 2 w, 4 x, 8 private, 0x10 shared
  std::string path;

  std::string protection() const;  // "r-x"
  std::string sharing() const;     // "private", "shared" or "" when not stated
};

struct BeaconPte {
  std::uint32_t pid = 0;
  std::uint64_t va = 0;
  std::uint64_t pa = 0;
  std::uint32_t flags = 0;
  // True only when the engine could confirm the entry (present, page-aligned,
  // backed by the image, not the reference writer's made-up pattern). The
  // companion's claims are never trusted on their own.
  bool verified = false;
  std::string note;  // why it is (un)verified
};

struct BeaconSnapshot {
  // Every session seen: the chosen one first, then the other usable ones in rank
  // order, then sessions of which only torn pages survived.
  std::vector<BeaconSessionInfo> sessions;
  bool sessionChosen = false;
  std::uint32_t sessionId = 0;  // the chosen session
  BeaconLayout layout = BeaconLayout::A;
  std::optional<std::uint32_t> timestamp;
  BeaconPageCounts pages;  // over the whole image, all sessions plus garbage
  std::uint64_t bytesScanned = 0;

  std::optional<std::uint32_t> generation;  // A: PID generation used
  std::uint32_t declaredProcessCount = 0;   // total the writer said it published
  std::vector<BeaconProcess> processes;     // sorted by pid
  std::vector<BeaconRegion> regions;        // sorted by pid, start
  std::vector<BeaconPte> ptes;              // sorted by pid, va

  bool complete = true;  // false when processes or regions are known to be missing
  std::vector<std::string> warnings;

  // True when a session with at least one valid page was chosen; false means the
  // scan found nothing usable (the page counts still say what it found).
  bool hasSession() const { return sessionChosen; }
};

}  // namespace xnuscope
