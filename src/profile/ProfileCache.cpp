#include "profile/ProfileCache.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>

#include "profile/NativeProfileFormat.h"
#include "profile/ProfileLimits.h"

namespace xnuscope {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMagic = "xnuscope-profile-cache\n";
constexpr std::uint32_t kVersion = 1;

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (const unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

class Writer {
 public:
  void u8(std::uint8_t value) { out_.push_back(static_cast<char>(value)); }
  void u32(std::uint32_t value) {
    for (int i = 0; i < 4; ++i) u8(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  void u64(std::uint64_t value) {
    for (int i = 0; i < 8; ++i) u8(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  void string(std::string_view text) {
    u32(static_cast<std::uint32_t>(text.size()));
    out_.append(text);
  }
  void raw(std::string_view bytes) { out_.append(bytes); }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

// Reads what Writer wrote; every read is bounds-checked and a failed one leaves
// the reader failed (and returning zeros) for good.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool ok() const { return ok_; }
  bool atEnd() const { return at_ == bytes_.size(); }
  std::uint8_t u8() { return static_cast<std::uint8_t>(take(1)[0]); }
  std::uint32_t u32() {
    const std::string_view b = take(4);
    std::uint32_t value = 0;
    for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(b[i]);
    return value;
  }
  std::uint64_t u64() {
    const std::string_view b = take(8);
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(b[i]);
    return value;
  }
  std::string string() {
    const std::uint32_t size = u32();
    return std::string(take(size));
  }
  std::string_view raw(std::size_t size) { return take(size); }
  // A count of items that each take at least `minBytes`: more than the bytes left
  // could hold is damage (and would otherwise size a loop by garbage).
  std::uint32_t count(std::size_t minBytes) {
    const std::uint32_t n = u32();
    if (ok_ && n > (bytes_.size() - at_) / minBytes) ok_ = false;
    return ok_ ? n : 0;
  }

 private:
  std::string_view take(std::size_t size) {
    static constexpr char kZeros[8] = {};
    if (!ok_ || size > bytes_.size() - at_) {
      ok_ = false;
      return std::string_view(kZeros, size <= sizeof kZeros ? size : 0);
    }
    const std::string_view out = bytes_.substr(at_, size);
    at_ += size;
    return out;
  }

  std::string_view bytes_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

// 128 bits over the path and the text, eight bytes at a time (SHA-256 through
// OpenSSL cost more than the parse it saves: its provider set-up alone). Not a
// defence against crafted collisions: whoever can write the profile directory or
// the cache can change what xnuscope reads anyway.
std::string contentKey(const std::string& origin, const std::string& text) {
  std::uint64_t a = 0x9e3779b97f4a7c15ull ^ text.size();
  std::uint64_t b = 0xc2b2ae3d27d4eb4full ^ origin.size();
  auto mix = [&](std::uint64_t word) {
    a = (a ^ word) * 0xff51afd7ed558ccdull;
    a ^= a >> 32;
    b = (b + word) * 0xc4ceb9fe1a85ec53ull;
    b ^= b >> 29;
  };
  for (const std::string* part : {&origin, &text}) {
    std::size_t at = 0;
    for (; at + 8 <= part->size(); at += 8) {
      std::uint64_t word;
      std::memcpy(&word, part->data() + at, 8);
      mix(word);
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, part->data() + at, part->size() - at);
    mix(tail ^ (std::uint64_t{0x80} << 56));
  }
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return hex;
}

fs::path entryPath(const fs::path& directory, const std::string& key) {
  return directory / (key + ".bin");
}

std::optional<std::string> readEntry(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || size > kMaxProfileFileBytes) return std::nullopt;
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<std::size_t>(in.gcount()) != bytes.size()) return std::nullopt;
  return bytes;
}

// Written to a temporary name and renamed, so a reader never sees half an entry;
// any failure leaves the cache as it was.
void writeEntry(const fs::path& directory, const fs::path& path, const std::string& bytes) {
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) return;
  const fs::path temporary = path.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return;
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      out.close();
      fs::remove(temporary, ec);
      return;
    }
  }
  fs::rename(temporary, path, ec);
  if (ec) fs::remove(temporary, ec);
}

}  // namespace

std::optional<fs::path> ProfileCache::defaultDirectory() {
  if (const char* own = std::getenv("XNUSCOPE_PROFILE_CACHE"); own && *own) {
    if (std::strcmp(own, "off") == 0) return std::nullopt;
    return fs::path(own);
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    return fs::path(xdg) / "xnuscope" / "profiles";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return fs::path(home) / ".cache" / "xnuscope" / "profiles";
  }
  return std::nullopt;
}

ProfileCache::ProfileCache(std::optional<fs::path> directory) : directory_(std::move(directory)) {}

Profile ProfileCache::load(const std::string& text, const std::string& origin) const {
  if (!directory_) return readNativeProfile(text, origin);
  const std::string key = contentKey(origin, text);
  const fs::path path = entryPath(*directory_, key);
  if (const auto bytes = readEntry(path)) {
    if (auto profile = decode(*bytes, key)) return std::move(*profile);
  }
  Profile profile = readNativeProfile(text, origin);
  writeEntry(*directory_, path, encode(profile, key));
  return profile;
}

std::string ProfileCache::encode(const Profile& profile, const std::string& key) {
  Writer out;
  out.raw(kMagic);
  out.u32(kVersion);
  out.string(key);
  for (const std::string* text :
       {&profile.name, &profile.macos, &profile.build, &profile.xnu, &profile.arch, &profile.banner,
        &profile.layoutSource, &profile.provenance.source, &profile.provenance.sha256,
        &profile.provenance.tool}) {
    out.string(*text);
  }
  out.u8(profile.uuid ? 1 : 0);
  out.string(profile.uuid.value_or(""));
  out.u32(static_cast<std::uint32_t>(profile.symbols.size()));
  for (const auto& [name, address] : profile.symbols) {
    out.string(name);
    out.u64(address);
  }
  out.u32(static_cast<std::uint32_t>(profile.structs.size()));
  for (const auto& [name, layout] : profile.structs) {
    out.string(name);
    out.u64(layout.size);
    out.u32(static_cast<std::uint32_t>(layout.fields.size()));
    for (const auto& [fieldName, field] : layout.fields) {
      out.string(fieldName);
      out.u64(field.offset);
      out.string(field.type);
      out.u64(field.elementCount);
      out.u8(field.bits ? 1 : 0);
      out.u32(field.bits ? field.bits->start : 0);
      out.u32(field.bits ? field.bits->count : 0);
    }
  }
  out.u32(static_cast<std::uint32_t>(profile.dropped.size()));
  for (const auto& [what, reason] : profile.dropped) {
    out.string(what);
    out.string(reason);
  }
  out.u64(fnv1a(out.bytes()));
  return std::move(out.bytes());
}

std::optional<Profile> ProfileCache::decode(const std::string& bytes, const std::string& key) {
  if (bytes.size() < kMagic.size() + 8) return std::nullopt;
  const std::string_view body(bytes.data(), bytes.size() - 8);
  Reader trailer(std::string_view(bytes).substr(body.size()));
  if (trailer.u64() != fnv1a(body)) return std::nullopt;

  Reader in(body);
  if (in.raw(kMagic.size()) != kMagic || in.u32() != kVersion || in.string() != key) {
    return std::nullopt;
  }
  Profile profile;
  for (std::string* text :
       {&profile.name, &profile.macos, &profile.build, &profile.xnu, &profile.arch, &profile.banner,
        &profile.layoutSource, &profile.provenance.source, &profile.provenance.sha256,
        &profile.provenance.tool}) {
    *text = in.string();
  }
  const bool hasUuid = in.u8() != 0;
  std::string uuid = in.string();
  if (hasUuid) profile.uuid = std::move(uuid);
  // Entries are written in key order, so each insert goes at the end.
  for (std::uint32_t n = in.count(12); n > 0 && in.ok(); --n) {
    std::string name = in.string();
    const std::uint64_t address = in.u64();
    profile.symbols.emplace_hint(profile.symbols.end(), std::move(name), address);
  }
  for (std::uint32_t n = in.count(16); n > 0 && in.ok(); --n) {
    std::string name = in.string();
    StructLayout layout;
    layout.size = in.u64();
    for (std::uint32_t f = in.count(37); f > 0 && in.ok(); --f) {
      std::string fieldName = in.string();
      Field field;
      field.offset = in.u64();
      field.type = in.string();
      field.elementCount = in.u64();
      const bool hasBits = in.u8() != 0;
      const std::uint32_t start = in.u32();
      const std::uint32_t count = in.u32();
      if (hasBits) {
        // What readNativeProfile() accepts; anything else is not its output.
        if (count == 0 || std::uint64_t{start} + count > 64) return std::nullopt;
        field.bits = BitField{start, count};
      }
      layout.fields.emplace_hint(layout.fields.end(), std::move(fieldName), std::move(field));
    }
    profile.structs.emplace_hint(profile.structs.end(), std::move(name), std::move(layout));
  }
  for (std::uint32_t n = in.count(8); n > 0 && in.ok(); --n) {
    std::string what = in.string();
    std::string reason = in.string();
    profile.dropped.emplace_hint(profile.dropped.end(), std::move(what), std::move(reason));
  }
  if (!in.ok() || !in.atEnd()) return std::nullopt;
  return profile;
}

}  // namespace xnuscope
