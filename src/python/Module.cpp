// `import xnuscope`: read macOS/XNU guest memory from Python.
#include <pybind11/pybind11.h>

#include "python/PythonBindings.h"

PYBIND11_MODULE(xnuscope, module) {
  module.doc() =
      "Read a macOS (XNU) guest's memory: a snapshot file (raw, QEMU ELF core, LiME) or a\n"
      "running QEMU VM.\n\n"
      "    import xnuscope\n"
      "    t = xnuscope.open('mem.raw')            # or xnuscope.open_qemu(mem, qmp)\n"
      "    print(t.info())                         # kernel base, slide, DTB, build, profile\n"
      "    for p in t.processes(): print(p.pid, p.name)\n"
      "    t.maps(1)                               # vm_map entries of pid 1\n"
      "    t.read_virtual(1, 0x100000000, 4096)    # bytes through pid 1's page tables\n\n"
      "Errors: xnuscope.InputError (the input or an argument cannot be used) and\n"
      "xnuscope.AnalysisError (read, but no answer), both subclasses of xnuscope.Error.";
  module.attr("__version__") = XNUSCOPE_VERSION;
  xnuscope::python::bindErrors(module);
  xnuscope::python::bindRows(module);
  xnuscope::python::bindTarget(module);
}
