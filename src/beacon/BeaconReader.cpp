#include "beacon/BeaconReader.h"

#include <algorithm>
#include <map>

#include "beacon/BeaconPageClassifier.h"
#include "beacon/LayoutADecoder.h"
#include "beacon/LayoutBDecoder.h"
#include "core/Error.h"
#include "core/Hex.h"

namespace xnuscope {
namespace {

namespace a = beacon::layout_a;

struct SessionPages {
  BeaconSessionInfo info;
  std::vector<ClassifiedBeaconPage> pages;  // valid pages only
  std::uint32_t newestPageTimestamp = 0;
  std::uint32_t masterVersion = 0;
};

BeaconLayout layoutOf(BeaconPageKind kind) {
  return kind == BeaconPageKind::LayoutBControl || kind == BeaconPageKind::LayoutBProcessList
             ? BeaconLayout::B
             : BeaconLayout::A;
}

std::string sessionLabel(const BeaconSessionInfo& info) {
  return std::to_string(info.id) + " (layout " + std::string(beaconLayoutName(info.layout)) + ")";
}

// Newest first: Layout A sessions by timestamp (they carry one), then Layout B
// sessions (no timestamps) by how much of them survived.
bool ranksBefore(const SessionPages& l, const SessionPages& r) {
  if (l.info.layout != r.info.layout) return l.info.layout == BeaconLayout::A;
  if (l.info.layout == BeaconLayout::A) {
    const auto lt = l.info.timestamp.value_or(0), rt = r.info.timestamp.value_or(0);
    if (lt != rt) return lt > rt;
    if (l.info.hasMaster != r.info.hasMaster) return l.info.hasMaster;
  }
  if (l.info.pages.valid != r.info.pages.valid) return l.info.pages.valid > r.info.pages.valid;
  return l.info.id < r.info.id;
}

template <typename SessionMap>
void appendTornOnlySessions(const SessionMap& sessions, BeaconSnapshot& snapshot) {
  for (const auto& [key, session] : sessions) {
    if (session.info.pages.valid == 0) snapshot.sessions.push_back(session.info);
  }
}

}  // namespace

std::string_view beaconLayoutName(BeaconLayout layout) {
  return layout == BeaconLayout::A ? "A" : "B";
}

BeaconSnapshot BeaconReader::read(std::optional<std::uint32_t> sessionId,
                                  const ProgressFn& progress) const {
  return assemble(BeaconScanner(memory_).scan(progress), sessionId);
}

BeaconSnapshot BeaconReader::assemble(const BeaconScanResult& scan,
                                      std::optional<std::uint32_t> sessionId) const {
  BeaconSnapshot snapshot;
  snapshot.bytesScanned = scan.bytesScanned;
  snapshot.pages.found = scan.magicPages;
  snapshot.pages.garbage = 0;
  if (scan.pagesDropped != 0) {
    snapshot.warnings.push_back(std::to_string(scan.magicPages) +
                                " pages carry the beacon magic; only the first " +
                                std::to_string(scan.pages.size()) + " were examined");
  }
  if (scan.unreadableBytes != 0) {
    snapshot.warnings.push_back(std::to_string(scan.unreadableBytes) +
                                " bytes of the image's physical ranges could not be read");
  }

  std::map<std::pair<BeaconLayout, std::uint32_t>, SessionPages> sessions;
  std::uint64_t garbage = 0;
  for (const RawBeaconPage& raw : scan.pages) {
    ClassifiedBeaconPage page = classifyBeaconPage(raw);
    if (page.kind == BeaconPageKind::Garbage) {
      ++garbage;
      continue;
    }
    const BeaconLayout layout = layoutOf(page.kind);
    SessionPages& session = sessions[{layout, page.session}];
    session.info.id = page.session;
    session.info.layout = layout;
    ++session.info.pages.found;
    if (page.kind == BeaconPageKind::LayoutATorn) {
      ++session.info.pages.torn;
      continue;
    }
    ++session.info.pages.valid;
    if (page.kind == BeaconPageKind::LayoutBControl) session.info.hasMaster = true;
    if (page.kind == BeaconPageKind::LayoutA) {
      session.newestPageTimestamp = std::max(session.newestPageTimestamp, page.timestamp);
      const bool newerMaster =
          !session.info.hasMaster || page.timestamp > *session.info.timestamp ||
          (page.timestamp == *session.info.timestamp && page.versionTop >= session.masterVersion);
      if (page.category == a::kCategoryMaster && newerMaster) {
        session.info.hasMaster = true;
        session.info.timestamp = page.timestamp;
        session.masterVersion = page.versionTop;
        std::array<std::uint32_t, 4> counts{};
        for (std::size_t i = 0; i < counts.size(); ++i) {
          counts[i] = beacon::loadU32(raw.bytes, a::kMasterSlots + a::kMasterSlotSize * i + 4);
        }
        session.info.declaredPageCounts = counts;
      }
    }
    session.pages.push_back(std::move(page));
  }
  // Pages of a session arrive in physical order, which decoders rely on for
  // "last one wins"; the map keeps the insertion order per session.
  snapshot.pages.garbage = garbage;

  std::vector<SessionPages*> ranked;
  for (auto& [key, session] : sessions) {
    snapshot.pages.valid += session.info.pages.valid;
    snapshot.pages.torn += session.info.pages.torn;
    if (session.info.layout == BeaconLayout::A && !session.info.hasMaster &&
        session.info.pages.valid != 0) {
      session.info.timestamp = session.newestPageTimestamp;
    }
    if (session.info.pages.valid != 0) ranked.push_back(&session);
  }
  std::sort(ranked.begin(), ranked.end(),
            [](const SessionPages* l, const SessionPages* r) { return ranksBefore(*l, *r); });

  if (garbage != 0) {
    snapshot.warnings.push_back(std::to_string(garbage) +
                                " pages carry the beacon magic but match no layout (ignored)");
  }
  if (snapshot.pages.torn != 0) {
    snapshot.warnings.push_back(std::to_string(snapshot.pages.torn) +
                                " torn beacon pages (version_top != version_bottom) were rejected");
  }

  SessionPages* chosen = nullptr;
  if (sessionId) {
    for (SessionPages* session : ranked) {
      if (session->info.id == *sessionId) {
        chosen = session;
        break;
      }
    }
    if (chosen == nullptr) {
      std::string available;
      for (const SessionPages* session : ranked) {
        available += (available.empty() ? "" : ", ") + sessionLabel(session->info);
      }
      throw InputError("--beacon-session " + std::to_string(*sessionId) +
                       ": no beacon session with that id in this image (sessions found: " +
                       (available.empty() ? std::string("none") : available) +
                       "); run `xnuscope beacons` to list them");
    }
  } else if (!ranked.empty()) {
    chosen = ranked.front();
    if (ranked.size() > 1) {
      snapshot.warnings.push_back(
          std::to_string(ranked.size()) + " companion sessions found; using session " +
          sessionLabel(chosen->info) +
          (chosen->info.layout == BeaconLayout::A ? ", the newest"
                                                  : ", the Layout B session with the most pages") +
          " (choose another with --beacon-session ID)");
    }
  }
  if (chosen == nullptr) {
    appendTornOnlySessions(sessions, snapshot);
    snapshot.complete = false;
    snapshot.warnings.push_back(
        snapshot.pages.found == 0
            ? "no beacon pages in this image: no companion was running in the guest"
            : "beacon pages were found but none is usable (all torn or garbage)");
    return snapshot;
  }

  snapshot.sessionChosen = true;
  snapshot.sessionId = chosen->info.id;
  snapshot.layout = chosen->info.layout;
  snapshot.timestamp = chosen->info.timestamp;
  if (chosen->info.layout == BeaconLayout::A && !chosen->info.hasMaster) {
    snapshot.warnings.push_back("session " + std::to_string(chosen->info.id) +
                                " has no valid master page: its timestamp is the newest page's");
  }
  const std::uint64_t duplicates = chosen->info.layout == BeaconLayout::A
                                       ? LayoutADecoder(memory_).decode(chosen->pages, snapshot)
                                       : LayoutBDecoder().decode(chosen->pages, snapshot);
  chosen->info.pages.duplicates = duplicates;
  snapshot.pages.duplicates = duplicates;

  snapshot.sessions.push_back(chosen->info);
  for (const SessionPages* session : ranked) {
    if (session != chosen) snapshot.sessions.push_back(session->info);
  }
  appendTornOnlySessions(sessions, snapshot);
  return snapshot;
}

std::optional<BeaconSnapshot> readBeacons(const PhysicalMemory& memory,
                                          std::optional<std::uint32_t> sessionId,
                                          const ProgressFn& progress) {
  BeaconSnapshot snapshot = BeaconReader(memory).read(sessionId, progress);
  if (!snapshot.hasSession()) return std::nullopt;
  return snapshot;
}

}  // namespace xnuscope
