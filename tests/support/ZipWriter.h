// Writes small zip files for tests (libarchive, deflate, members in order): the
// profile parser and hostile-input tests build Vol2-shaped zips with it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace xnuscope::test {

// Writes `members` (name, content) to `path`; returns `path`.
std::string writeZipFile(const std::string& path,
                         const std::vector<std::pair<std::string, std::string>>& members);

}  // namespace xnuscope::test
