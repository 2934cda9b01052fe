# Debian's libdwarf-dev (20210528) has headers in include/libdwarf and no CMake
# config. Provides LibDwarf::LibDwarf (links libelf and zlib, which it needs).
find_path(LIBDWARF_INCLUDE_DIR libdwarf.h PATH_SUFFIXES libdwarf)
find_library(LIBDWARF_LIBRARY NAMES dwarf)
find_library(LIBELF_LIBRARY NAMES elf)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LibDwarf REQUIRED_VARS LIBDWARF_LIBRARY LIBDWARF_INCLUDE_DIR LIBELF_LIBRARY)
if(LibDwarf_FOUND AND NOT TARGET LibDwarf::LibDwarf)
  add_library(LibDwarf::LibDwarf UNKNOWN IMPORTED)
  set_target_properties(LibDwarf::LibDwarf PROPERTIES
    IMPORTED_LOCATION "${LIBDWARF_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBDWARF_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${LIBELF_LIBRARY};z")
endif()
mark_as_advanced(LIBDWARF_INCLUDE_DIR LIBDWARF_LIBRARY LIBELF_LIBRARY)
