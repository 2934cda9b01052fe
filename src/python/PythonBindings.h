// The pieces of the `xnuscope` Python module, one per file: the exceptions, the
// result rows, and the Target with open()/open_qemu().
#pragma once

#include <pybind11/pybind11.h>

namespace xnuscope::python {

// xnuscope.Error, with InputError and AnalysisError below it.
void bindErrors(pybind11::module_& module);
// Process, ProcessList, MapEntry, MapList, Kext, ResolutionStep, KernelFact, Info.
void bindRows(pybind11::module_& module);
// Target, open(), open_qemu().
void bindTarget(pybind11::module_& module);

}  // namespace xnuscope::python
