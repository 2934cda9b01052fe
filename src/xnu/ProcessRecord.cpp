#include "xnu/ProcessRecord.h"

namespace xnuscope {

std::string procSourceName(ProcSource source) {
  switch (source) {
    case ProcSource::Allproc:
      return "allproc";
    case ProcSource::Zombproc:
      return "zombproc";
    case ProcSource::Tasks:
      return "tasks";
    case ProcSource::PidHash:
      return "pid_hash";
  }
  return "unknown";
}

}  // namespace xnuscope
