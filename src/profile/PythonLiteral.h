// A safe reader for the Python literals Volatility 2 profiles are written in
// (`mac_types = {...}`): dicts, lists, tuples, strings, integers (with Python 2's
// `L` suffix), None/True/False. It evaluates nothing — anything else is an error.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace xnuscope {

// Parses one literal. Dict keys become JSON object keys (integers as decimal text);
// tuples become arrays; integers beyond 64 bits become (approximate) floats. Throws InputError
// naming `origin`, line and column.
nlohmann::json parsePythonLiteral(std::string_view text, const std::string& origin);

// Parses a file of `NAME = literal` statements (comments and blank lines allowed).
std::map<std::string, nlohmann::json> parsePythonAssignments(std::string_view text,
                                                             const std::string& origin);

}  // namespace xnuscope
