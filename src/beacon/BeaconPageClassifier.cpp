#include "beacon/BeaconPageClassifier.h"

#include "core/Hex.h"

namespace xnuscope {
namespace {

namespace a = beacon::layout_a;
namespace b = beacon::layout_b;
using beacon::loadU16;
using beacon::loadU32;

bool isLayoutBControl(beacon::Bytes p) {
  if (loadU32(p, b::kType) != b::kTypeControl || loadU32(p, b::kTypeIndex) != 0) return false;
  for (std::size_t word = 4; word < b::kControlMagicWords; ++word) {
    if (loadU32(p, 4 * word) != beacon::kMagic) return false;
  }
  return true;
}

bool isLayoutBProcessList(beacon::Bytes p) {
  if (loadU32(p, b::kType) != b::kTypeProcessList) return false;
  const std::uint32_t index = loadU32(p, b::kTypeIndex);
  const std::uint32_t count = loadU32(p, b::kCount);
  const std::uint32_t total = loadU32(p, b::kTotal);
  return index >= 1 && index <= b::kMaxTypeIndex && count >= 1 && count <= b::kEntriesWritten &&
         total >= count && total <= b::kMaxProcesses &&
         loadU32(p, b::kContinuation) == b::kContinuationValue;
}

// Category-specific bounds a genuine writer never exceeds. Returns an empty string
// when the payload is structurally sound, else what is wrong.
std::string layoutAPayloadProblem(beacon::Bytes p, std::uint32_t category, std::uint32_t index) {
  switch (category) {
    case a::kCategoryMaster:
      if (index != 0) return "master page with category_index " + std::to_string(index);
      return {};
    case a::kCategoryPid: {
      const std::uint32_t inPage = loadU32(p, a::kPidInPage);
      const std::uint32_t total = loadU32(p, a::kPidTotal);
      if (inPage > a::kMaxPidsPerPage) {
        return "PID page claims " + std::to_string(inPage) + " entries (at most 84 fit)";
      }
      if (inPage > total) return "PID page holds more entries than its generation's total";
      return {};
    }
    default: {                    // camera
      if (index == 0) return {};  // control page: three u32, nothing to bound
      const std::uint16_t entries = loadU16(p, a::kCameraEntryCount);
      const std::uint16_t continuation = loadU16(p, a::kCameraContinuation);
      if (continuation > 1) return "camera page continuation " + std::to_string(continuation);
      if (entries > a::kCameraStreamSize / a::kPteSize) {
        return "camera page claims " + std::to_string(entries) + " entries";
      }
      return {};
    }
  }
}

}  // namespace

ClassifiedBeaconPage classifyBeaconPage(const RawBeaconPage& page) {
  const beacon::Bytes p = page.bytes;
  ClassifiedBeaconPage out;
  out.page = &page;
  if (loadU32(p, 0) != beacon::kMagic) {
    out.reason = "no beacon magic";
    return out;
  }

  // Layout B's signatures are very specific (a run of magic words; a fixed
  // 0xFFFFFFFF continuation), so they are tested before Layout A's looser header.
  if (isLayoutBControl(p) || isLayoutBProcessList(p)) {
    out.kind =
        isLayoutBControl(p) ? BeaconPageKind::LayoutBControl : BeaconPageKind::LayoutBProcessList;
    out.session = loadU32(p, b::kSession);
    out.category = loadU32(p, b::kType);
    out.index = loadU32(p, b::kTypeIndex);
    return out;
  }

  const std::uint32_t category = loadU32(p, a::kCategory);
  const std::uint32_t index = loadU32(p, a::kIndex);
  if (category < a::kCategoryCount && index <= a::kMaxIndex) {
    out.session = loadU32(p, a::kSession);
    out.category = category;
    out.index = index;
    out.timestamp = loadU32(p, a::kTimestamp);
    out.versionTop = loadU32(p, a::kVersionTop);
    out.versionBottom = loadU32(p, a::kVersionBottom);
    if (out.versionTop != out.versionBottom) {
      out.kind = BeaconPageKind::LayoutATorn;
      return out;
    }
    out.reason = layoutAPayloadProblem(p, category, index);
    out.kind = out.reason.empty() ? BeaconPageKind::LayoutA : BeaconPageKind::Garbage;
    return out;
  }

  const std::uint32_t typeB = loadU32(p, b::kType);
  if (typeB == b::kTypeProcessList || typeB == b::kTypeControl) {
    out.reason = "Layout B header with an impossible process-list or control payload";
  } else {
    out.reason = "neither a Layout A category (" + hex(category) + ") nor a Layout B type (" +
                 hex(typeB) + ")";
  }
  return out;
}

}  // namespace xnuscope
