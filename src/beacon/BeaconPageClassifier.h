// Decides what a page carrying the beacon magic is: a Layout A page (valid or torn),
// a Layout B control or process-list page, or garbage. Only the header and the
// structural bounds are checked here; decoders interpret the payload.
#pragma once

#include <cstdint>
#include <string>

#include "beacon/BeaconScanner.h"

namespace xnuscope {

enum class BeaconPageKind {
  LayoutA,             // header plausible, version_top == version_bottom
  LayoutATorn,         // header plausible, versions differ: caught mid-write
  LayoutBControl,      // type 1, magic repeated over words 4..15
  LayoutBProcessList,  // type 2 with a plausible count/total/continuation
  Garbage,             // magic at offset 0, nothing else fits
};

struct ClassifiedBeaconPage {
  BeaconPageKind kind = BeaconPageKind::Garbage;
  const RawBeaconPage* page = nullptr;
  std::uint32_t session = 0;
  std::uint32_t category = 0;       // A: category; B: type
  std::uint32_t index = 0;          // A: category_index; B: type_index
  std::uint32_t timestamp = 0;      // A only
  std::uint32_t versionTop = 0;     // A only
  std::uint32_t versionBottom = 0;  // A only
  std::string reason;               // for Garbage: what did not fit
};

ClassifiedBeaconPage classifyBeaconPage(const RawBeaconPage& page);

}  // namespace xnuscope
