#include "profile/ProfileFiles.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <sstream>

#include "core/Error.h"
#include "profile/Compression.h"
#include "profile/ProfileLimits.h"

namespace xnuscope {

namespace {

// Reads at most `limit` bytes of the profile file `path` (all of it when it is
// smaller), after the checks every profile read makes.
std::string readProfileBytes(const std::string& path, const std::string& what,
                             std::uint64_t limit) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw InputError("cannot read " + what + " " + path + ": " +
                     (std::filesystem::exists(path, ec) ? "not a regular file" : "no such file"));
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxProfileFileBytes) {
    throw InputError(what + " " + path + " is " + std::to_string(size) +
                     " bytes, more than any profile (limit " +
                     std::to_string(kMaxProfileFileBytes) + "); is it the right file?");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + what + " " + path + ": " + std::strerror(errno));
  // One read of the size the file has (it may still shrink or grow meanwhile): an
  // ostringstream copy of rdbuf() went through the stream buffer in small steps.
  std::string content(ec ? 0 : static_cast<std::size_t>(std::min<std::uint64_t>(size, limit)),
                      '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<std::size_t>(in.gcount()));
  if (in && content.size() < limit) {
    // Grown since it was sized: the rest, up to the limit.
    std::ostringstream rest;
    rest << in.rdbuf();
    content += rest.str();
    if (content.size() > kMaxProfileFileBytes) {
      throw InputError(what + " " + path + " grew past " + std::to_string(kMaxProfileFileBytes) +
                       " bytes while it was read");
    }
    if (content.size() > limit) content.resize(static_cast<std::size_t>(limit));
  }
  return content;
}

}  // namespace

std::string readWholeFile(const std::string& path, const std::string& what) {
  return readProfileBytes(path, what, kMaxProfileFileBytes);
}

std::string readFileHead(const std::string& path, const std::string& what, std::size_t bytes) {
  return readProfileBytes(path, what, bytes);
}

std::string readProfileText(const std::string& path, const std::string& what) {
  std::string bytes = readWholeFile(path, what);
  const std::span<const std::uint8_t> data(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                           bytes.size());
  if (isXz(data)) return unxz(data, path);
  if (isGzip(data)) return gunzip(data, path);
  return bytes;
}

void writeWholeFile(const std::string& path, const std::string& content) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError("cannot write " + path + ": " + std::strerror(errno));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw InputError("cannot write " + path + ": " + std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) throw InputError("cannot write " + path + ": " + ec.message());
}

std::string fileNameOf(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

}  // namespace xnuscope
