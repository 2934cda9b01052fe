#include "disasm/Capstone.h"

#include <dlfcn.h>

#include <string>

#include "core/Error.h"

namespace xnuscope::disasm {
namespace {

// The library's versioned name, from the build (CMakeLists: the target of the
// libcapstone.so link), then the unversioned one.
constexpr const char* kLibraryNames[] = {XNUSCOPE_CAPSTONE_SONAME, "libcapstone.so"};

template <typename Function>
void resolve(void* library, const char* name, Function& out) {
  out = reinterpret_cast<Function>(dlsym(library, name));
  if (!out) {
    throw AnalysisError(std::string("Capstone (") + XNUSCOPE_CAPSTONE_SONAME + ") has no " + name +
                        "; install the Capstone 4 library (Debian: libcapstone4)");
  }
}

CapstoneApi load() {
  void* library = nullptr;
  std::string why;
  for (const char* name : kLibraryNames) {
    library = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (library) break;
    if (const char* error = dlerror()) why = error;
  }
  if (!library) {
    throw AnalysisError("Capstone could not be loaded (" + why +
                        "); install the Capstone 4 library (Debian: libcapstone4)");
  }
  CapstoneApi api;
  resolve(library, "cs_open", api.open);
  resolve(library, "cs_option", api.option);
  resolve(library, "cs_disasm", api.disasm);
  resolve(library, "cs_free", api.free);
  resolve(library, "cs_close", api.close);
  return api;  // the library stays loaded for the rest of the process
}

}  // namespace

const CapstoneApi& capstone() {
  static const CapstoneApi api = load();
  return api;
}

CapstoneX86_64::CapstoneX86_64(bool withDetail) : api_(capstone()) {
  if (api_.open(CS_ARCH_X86, CS_MODE_64, &handle_) != CS_ERR_OK) {
    throw AnalysisError("Capstone could not open an x86_64 disassembler");
  }
  if (withDetail) api_.option(handle_, CS_OPT_DETAIL, CS_OPT_ON);
}

CapstoneX86_64::~CapstoneX86_64() { api_.close(&handle_); }

}  // namespace xnuscope::disasm
