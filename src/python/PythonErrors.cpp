// The engine's two error kinds as Python exceptions under one base class, so a
// script can catch xnuscope.Error or tell bad input from a failed analysis.
#include "core/Error.h"
#include "python/PythonBindings.h"

namespace py = pybind11;

namespace xnuscope::python {

void bindErrors(py::module_& module) {
  static py::exception<std::runtime_error> base(module, "Error", PyExc_Exception);
  base.doc() = "Base class of every xnuscope error.";
  static py::exception<InputError> input(module, "InputError", base.ptr());
  input.doc() =
      "The input or an argument cannot be used: unreadable or unknown image, bad profile "
      "file, no such process, QEMU not reachable.";
  static py::exception<AnalysisError> analysis(module, "AnalysisError", base.ptr());
  analysis.doc() =
      "The input was read but gave no answer: no kernel found, no profile fits, a "
      "profile of another build, memory not mapped.";
  py::register_exception_translator([](std::exception_ptr error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const InputError& e) {
      PyErr_SetString(input.ptr(), e.what());
    } catch (const AnalysisError& e) {
      PyErr_SetString(analysis.ptr(), e.what());
    }
  });
}

}  // namespace xnuscope::python
