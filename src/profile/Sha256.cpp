#include "profile/Sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "core/Error.h"

namespace xnuscope {
namespace {

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

DigestContext startSha256() {
  DigestContext context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    throw AnalysisError("OpenSSL could not start a SHA-256 digest");
  }
  return context;
}

void update(EVP_MD_CTX* context, const void* data, std::size_t size) {
  if (EVP_DigestUpdate(context, data, size) != 1) {
    throw AnalysisError("OpenSSL SHA-256 update failed");
  }
}

std::string finishHex(EVP_MD_CTX* context) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context, digest, &length) != 1) {
    throw AnalysisError("OpenSSL SHA-256 final step failed");
  }
  static const char* digits = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < length; ++i) {
    text += digits[digest[i] >> 4];
    text += digits[digest[i] & 15];
  }
  return text;
}

}  // namespace

std::string sha256Hex(std::string_view data) {
  DigestContext context = startSha256();
  update(context.get(), data.data(), data.size());
  return finishHex(context.get());
}

std::string sha256FileHex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path + ": " + std::strerror(errno));
  DigestContext context = startSha256();
  char buffer[1 << 16];
  while (in) {
    in.read(buffer, sizeof buffer);
    update(context.get(), buffer, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw InputError("cannot read " + path + ": I/O error");
  return finishHex(context.get());
}

}  // namespace xnuscope
