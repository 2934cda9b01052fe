# Debian's liblief-dev (0.9) ships libLIEF.a / libLIEF.so and headers but no CMake
# config. This module provides the imported target LIEF09::LIEF.
find_path(LIEF09_INCLUDE_DIR LIEF/LIEF.hpp)
find_library(LIEF09_LIBRARY NAMES libLIEF.a LIEF)
# The static libLIEF.a references mbedTLS, whose unversioned linker names are not
# installed by liblief-dev; link the shared library when it is there.
find_library(LIEF09_SHARED_LIBRARY NAMES libLIEF.so)
if(LIEF09_SHARED_LIBRARY)
  set(LIEF09_LIBRARY ${LIEF09_SHARED_LIBRARY})
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LIEF09 REQUIRED_VARS LIEF09_LIBRARY LIEF09_INCLUDE_DIR)
if(LIEF09_FOUND AND NOT TARGET LIEF09::LIEF)
  add_library(LIEF09::LIEF UNKNOWN IMPORTED)
  set_target_properties(LIEF09::LIEF PROPERTIES
    IMPORTED_LOCATION "${LIEF09_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIEF09_INCLUDE_DIR}")
endif()
mark_as_advanced(LIEF09_INCLUDE_DIR LIEF09_LIBRARY)
