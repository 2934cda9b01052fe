#include "profile/Compression.h"

#include <lzma.h>
#include <zlib.h>

#include <cstring>

#include "core/Error.h"

namespace xnuscope {
namespace {

// Decompressed profile data above this is not a profile (largest real ISF: ~60 MB).
constexpr std::uint64_t kMaxDecompressed = 1ull << 30;

std::string zlibInflate(std::span<const std::uint8_t> input, int windowBits, std::uint64_t limit,
                        const std::string& origin, const char* what) {
  z_stream stream{};
  if (inflateInit2(&stream, windowBits) != Z_OK) {
    throw InputError(origin + ": zlib could not start " + what);
  }
  std::string output;
  stream.next_in = const_cast<Bytef*>(input.data());
  stream.avail_in = static_cast<uInt>(input.size());
  char buffer[1 << 16];
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) {
      inflateEnd(&stream);
      throw InputError(origin + ": corrupt " + what +
                       " data (zlib: " + (stream.msg ? stream.msg : std::to_string(status)) + ")");
    }
    output.append(buffer, sizeof buffer - stream.avail_out);
    if (output.size() > limit) {
      inflateEnd(&stream);
      throw InputError(origin + ": " + what + " data expands beyond the expected " +
                       std::to_string(limit) + " bytes");
    }
    if (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      throw InputError(origin + ": truncated " + what + " data");
    }
  }
  inflateEnd(&stream);
  return output;
}

}  // namespace

std::string inflateRaw(std::span<const std::uint8_t> input, std::uint64_t expectedSize,
                       const std::string& origin) {
  return zlibInflate(input, -MAX_WBITS, expectedSize, origin, "deflate");
}

std::string gunzip(std::span<const std::uint8_t> input, const std::string& origin) {
  return zlibInflate(input, MAX_WBITS + 16, kMaxDecompressed, origin, "gzip");
}

bool isGzip(std::span<const std::uint8_t> input) {
  return input.size() >= 2 && input[0] == 0x1f && input[1] == 0x8b;
}

bool isXz(std::span<const std::uint8_t> input) {
  static const std::uint8_t magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
  return input.size() >= 6 && std::memcmp(input.data(), magic, 6) == 0;
}

std::string unxz(std::span<const std::uint8_t> input, const std::string& origin) {
  lzma_stream stream = LZMA_STREAM_INIT;
  if (lzma_stream_decoder(&stream, kMaxDecompressed * 2, 0) != LZMA_OK) {
    throw InputError(origin + ": liblzma could not start the xz decoder");
  }
  std::string output;
  stream.next_in = input.data();
  stream.avail_in = input.size();
  std::uint8_t buffer[1 << 16];
  lzma_ret status = LZMA_OK;
  while (status != LZMA_STREAM_END) {
    stream.next_out = buffer;
    stream.avail_out = sizeof buffer;
    status = lzma_code(&stream, stream.avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
    if (status != LZMA_OK && status != LZMA_STREAM_END) {
      lzma_end(&stream);
      throw InputError(origin + ": corrupt or truncated xz data (liblzma error " +
                       std::to_string(static_cast<int>(status)) + ")");
    }
    output.append(reinterpret_cast<const char*>(buffer), sizeof buffer - stream.avail_out);
    if (output.size() > kMaxDecompressed) {
      lzma_end(&stream);
      throw InputError(origin + ": xz data expands beyond 1 GiB; not a profile");
    }
  }
  lzma_end(&stream);
  return output;
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
