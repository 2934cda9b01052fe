# Static archives of the third-party libraries, for the `xnuscope` executable only.
#
# Why: a command such as `pslist` does about 10 ms of work, and loading the shared
# libraries (LIEF, Capstone, libarchive and what it pulls in: libxml2, ICU, ...)
# cost another 5 ms: symbol lookups and copy-on-write faults while relocating their
# data. (Capstone is not linked at all: src/disasm loads it on first use.) Linked from static archives, only the objects xnuscope uses are in the
# executable and their symbols are bound at link time (docs/performance.md).
#
# The Python module and the tests keep the shared libraries: a shared object needs
# position-independent code, which Debian's archives do not promise.
#
# Defines xnuscope_third_party(<out-var> <imported-target>): the link item a layer
# lists instead of the imported target. It names the static archives when the
# target being linked has the property XNUSCOPE_STATIC_THIRD_PARTY set, and the
# imported (shared) target otherwise; compiling a layer always sees the imported
# target, so its include directories apply.

option(XNUSCOPE_STATIC_CLI
       "Link the xnuscope executable against static archives of its third-party libraries"
       ON)

set(XNUSCOPE_STATIC_CLI_ACTIVE OFF)
if(XNUSCOPE_STATIC_CLI AND NOT XNUSCOPE_SANITIZE AND NOT XNUSCOPE_FUZZ)
  # Archive names, per imported target, in link order (users before what they use).
  set(_xnuscope_static_LIEF09::LIEF LIEF mbedx509 mbedcrypto)
  set(_xnuscope_static_LibDwarf::LibDwarf dwarf elf zstd z)
  set(_xnuscope_static_LibLZMA::LibLZMA lzma)
  set(_xnuscope_static_OpenSSL::Crypto crypto)
  set(_xnuscope_static_LibArchive::LibArchive archive nettle bz2 zstd lzma z)
  set(_xnuscope_static_Boost::program_options boost_program_options)
  set(_xnuscope_static_targets LIEF09::LIEF LibDwarf::LibDwarf
      LibLZMA::LibLZMA OpenSSL::Crypto LibArchive::LibArchive Boost::program_options)
  set(_xnuscope_static_missing)
  foreach(target ${_xnuscope_static_targets})
    set(archives)
    foreach(name ${_xnuscope_static_${target}})
      string(MAKE_C_IDENTIFIER "XNUSCOPE_STATIC_${name}" var)
      find_library(${var} NAMES lib${name}.a)
      mark_as_advanced(${var})
      if(${var})
        list(APPEND archives ${${var}})
      else()
        list(APPEND _xnuscope_static_missing lib${name}.a)
      endif()
    endforeach()
    set(_xnuscope_archives_${target} ${archives})
  endforeach()
  if(_xnuscope_static_missing)
    list(REMOVE_DUPLICATES _xnuscope_static_missing)
    message(STATUS "xnuscope: linking the CLI against shared libraries "
                   "(no ${_xnuscope_static_missing}; scripts/setup.sh installs them)")
  else()
    set(XNUSCOPE_STATIC_CLI_ACTIVE ON)
    message(STATUS "xnuscope: the CLI links static third-party archives")
  endif()
endif()

function(xnuscope_third_party out target)
  if(XNUSCOPE_STATIC_CLI_ACTIVE AND DEFINED _xnuscope_archives_${target})
    set(${out}
        "$<IF:$<BOOL:$<TARGET_PROPERTY:XNUSCOPE_STATIC_THIRD_PARTY>>,${_xnuscope_archives_${target}},${target}>"
        PARENT_SCOPE)
  else()
    set(${out} ${target} PARENT_SCOPE)
  endif()
endfunction()

# Marks `target` (an executable) to link the static archives, and the C++ runtime
# statically as well (its symbol lookups are the next largest start-up cost).
function(xnuscope_link_static_third_party target)
  if(XNUSCOPE_STATIC_CLI_ACTIVE)
    set_target_properties(${target} PROPERTIES XNUSCOPE_STATIC_THIRD_PARTY ON)
    target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
    target_link_libraries(${target} PRIVATE ${CMAKE_DL_LIBS} Threads::Threads)
  endif()
endfunction()
