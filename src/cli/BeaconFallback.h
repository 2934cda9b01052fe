// The beacon fallback for pslist/pstree/maps: when no kernel can be located or no
// profile serves it, answer from the pages an in-guest companion published.
// Rows carry "source": "beacon"; the first warning says why the kernel path failed
// and that the data is the companion's claim.
//
// Wiring in a command (sketch):
//   try { XnuContext context(session); ... }
//   catch (const AnalysisError& error) {
//     auto report = beaconProcessReport(session, error.what());
//     if (!report) throw;           // no beacons either: the original error stands
//     session.emit(*report);
//     return 0;
//   }
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "output/Report.h"

namespace xnuscope::cli {

class Session;

// Scans for beacons (honouring --beacon-session); nullopt when the image holds no
// usable beacon session. Rows under "processes".
std::optional<Report> beaconProcessReport(Session& session, const std::string& whyNoKernel);

// The regions the companion published for `pid`, under "maps"; nullopt when the
// image holds no usable beacon session.
std::optional<Report> beaconMapsReport(Session& session, std::uint32_t pid,
                                       const std::string& whyNoKernel);

class XnuContext;

// Opens the kernel path for a process listing. When no kernel or profile serves
// and the image holds beacons, emits the beacon process report and returns null
// (the command is done); when neither serves, the kernel path's error propagates.
std::unique_ptr<XnuContext> openXnuContextOrEmitBeaconProcesses(Session& session);

}  // namespace xnuscope::cli
