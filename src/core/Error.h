// Error types shared by every layer. Each carries a message a user can act on;
// the CLI maps InputError to exit code 2 and AnalysisError to exit code 1.
#pragma once

#include <stdexcept>
#include <string>

namespace xnuscope {

// The input cannot be used at all: unreadable, truncated, unknown format, bad
// option or malformed profile file. CLI exit code 2.
class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

// The input was read but the analysis could not reach an answer (no kernel found,
// profile does not match, ...). CLI exit code 1.
class AnalysisError : public std::runtime_error {
 public:
  explicit AnalysisError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace xnuscope
