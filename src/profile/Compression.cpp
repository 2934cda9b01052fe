#include "profile/Compression.h"

#include <lzma.h>

#include <cstring>

#include "core/Error.h"
#include "profile/ArchiveReader.h"
#include "profile/ProfileLimits.h"

namespace xnuscope {
namespace {

std::string decompressStream(std::span<const std::uint8_t> input, const std::string& origin,
                             const char* what) {
  ArchiveReader reader(input, ArchiveReader::Kind::CompressedStream, origin);
  if (reader.next() == nullptr) reader.fail(std::string("empty ") + what + " data");
  return reader.readCurrent(kMaxDecompressedProfileBytes, std::string(what) + " data");
}

}  // namespace

std::string gunzip(std::span<const std::uint8_t> input, const std::string& origin) {
  return decompressStream(input, origin, "gzip");
}

bool isGzip(std::span<const std::uint8_t> input) {
  return input.size() >= 2 && input[0] == 0x1f && input[1] == 0x8b;
}

bool isXz(std::span<const std::uint8_t> input) {
  static const std::uint8_t magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
  return input.size() >= 6 && std::memcmp(input.data(), magic, 6) == 0;
}

std::string unxz(std::span<const std::uint8_t> input, const std::string& origin) {
  return decompressStream(input, origin, "xz");
}

std::string xz(const std::string& input) {
  std::string output(lzma_stream_buffer_bound(input.size()), '\0');
  std::size_t written = 0;
  const lzma_ret status = lzma_easy_buffer_encode(
      6, LZMA_CHECK_CRC64, nullptr, reinterpret_cast<const std::uint8_t*>(input.data()),
      input.size(), reinterpret_cast<std::uint8_t*>(output.data()), &written, output.size());
  if (status != LZMA_OK) {
    throw AnalysisError("xz compression failed (liblzma error " +
                        std::to_string(static_cast<int>(status)) + ")");
  }
  output.resize(written);
  return output;
}

}  // namespace xnuscope
