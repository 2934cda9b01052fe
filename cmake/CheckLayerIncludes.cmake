# Include boundaries per layer (run by ctest as `layers.check`):
#   cmake -DSOURCE_DIR=src -DTABLE=build/layers.table -P CheckLayerIncludes.cmake
# TABLE lines are "layer|allowed,layers|linked,libraries" (written by CMakeLists.txt).
# Fails when a file in src/<layer> includes "other/..." that its layer does not
# list, includes an external library's header its layer does not link, or when
# a layer lists a layer or library none of its files includes (the links must
# match the includes both ways). Folders of src/ missing from the table fail too.

cmake_minimum_required(VERSION 3.20)
get_filename_component(SOURCE_DIR "${SOURCE_DIR}" ABSOLUTE)

# External headers and the CMake target that provides them.
set(LIBRARY_PREFIXES
  "LIEF/=LIEF09::LIEF"
  "libdwarf/=LibDwarf::LibDwarf"
  "nlohmann/=nlohmann_json::nlohmann_json"
  "lzma.h=LibLZMA::LibLZMA"
  "zlib.h=ZLIB::ZLIB"
  "boost/=Boost::program_options"
  "pybind11/=pybind11::module"
  "Zydis/=Zydis::Zydis"
  "capstone/=Capstone::Headers"
  "openssl/=OpenSSL::Crypto"
  "archive=LibArchive::LibArchive")
# Linked for reasons no include shows (std::thread needs -pthread).
set(UNCHECKED_LIBRARIES "Threads::Threads" "dl")

file(STRINGS "${TABLE}" rows)
set(failures "")
set(known_layers "")
foreach(row ${rows})
  string(REPLACE "|" ";" fields "${row}")
  list(LENGTH fields n)
  list(GET fields 0 layer)
  set(allowed "")
  set(libraries "")
  if(n GREATER 1)
    list(GET fields 1 allowed)
    string(REPLACE "," ";" allowed "${allowed}")
  endif()
  if(n GREATER 2)
    list(GET fields 2 libraries)
    string(REPLACE "," ";" libraries "${libraries}")
  endif()
  list(APPEND known_layers ${layer})

  file(GLOB_RECURSE files "${SOURCE_DIR}/${layer}/*.h" "${SOURCE_DIR}/${layer}/*.cpp")
  set(used_layers "")
  set(used_libraries "")
  foreach(file ${files})
    file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    file(RELATIVE_PATH shown "${SOURCE_DIR}/.." "${file}")
    foreach(line ${includes})
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]+)[>\"].*$" "\\1" header "${line}")
      if(line MATCHES "#[ \t]*include[ \t]*\"")
        # Project header: "layer/File.h".
        if(header MATCHES "^([A-Za-z0-9_]+)/")
          set(target_layer "${CMAKE_MATCH_1}")
          if(NOT target_layer STREQUAL layer)
            list(FIND allowed "${target_layer}" at)
            if(at EQUAL -1)
              string(APPEND failures "  ${shown}: includes \"${header}\"; layer ${layer} may include only: ${allowed}\n")
            endif()
            list(APPEND used_layers "${target_layer}")
          endif()
        endif()
      else()
        foreach(pair ${LIBRARY_PREFIXES})
          string(REPLACE "=" ";" kv "${pair}")
          list(GET kv 0 prefix)
          list(GET kv 1 library)
          string(LENGTH "${prefix}" plen)
          string(SUBSTRING "${header}" 0 ${plen} start)
          if(start STREQUAL prefix)
            list(FIND libraries "${library}" at)
            if(at EQUAL -1)
              string(APPEND failures "  ${shown}: includes <${header}> but layer ${layer} does not link ${library}\n")
            endif()
            list(APPEND used_libraries "${library}")
          endif()
        endforeach()
      endif()
    endforeach()
  endforeach()
  foreach(dep ${allowed})
    list(FIND used_layers "${dep}" at)
    if(at EQUAL -1)
      string(APPEND failures "  layer ${layer} links ${dep} but none of its files includes it\n")
    endif()
  endforeach()
  foreach(library ${libraries})
    list(FIND used_libraries "${library}" at)
    list(FIND UNCHECKED_LIBRARIES "${library}" unchecked)
    if(at EQUAL -1 AND unchecked EQUAL -1)
      string(APPEND failures "  layer ${layer} links ${library} but none of its files includes it\n")
    endif()
  endforeach()
endforeach()

file(GLOB folders LIST_DIRECTORIES true RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/*")
foreach(folder ${folders})
  if(IS_DIRECTORY "${SOURCE_DIR}/${folder}")
    list(FIND known_layers "${folder}" at)
    if(at EQUAL -1)
      string(APPEND failures "  src/${folder}: not in the layer table (CMakeLists.txt xnuscope_layer)\n")
    endif()
  endif()
endforeach()

if(failures)
  message(FATAL_ERROR "layer include boundaries violated:\n${failures}")
endif()
list(LENGTH known_layers count)
message(STATUS "layers.check: ${count} layers, every include within its layer's table row")
