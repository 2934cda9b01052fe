#include "profile/ProfileIdentity.h"

#include <array>
#include <nlohmann/json.hpp>

#include "core/Error.h"
#include "profile/NativeProfileFormat.h"

namespace xnuscope {
namespace {

using nlohmann::json;

// Top-level members a native profile is identified by. The writer puts them first
// (NativeProfileFormat.cpp), so the scan normally stops after a few hundred bytes.
enum Member : std::size_t {
  kFormat,
  kFormatVersion,
  kName,
  kMacos,
  kBuild,
  kXnu,
  kBanner,
  kUuid,
  kLayoutSource,
  kMemberCount
};
constexpr std::array<const char*, kMemberCount> kMemberNames = {
    "format", "format_version", "name", "macos", "build", "xnu", "banner", "uuid", "layout_source"};

// SAX events of the top-level object only; nested values are counted past, never
// built. Returns false (stops the parser) once every identifying member was seen.
class IdentityScan final : public json::json_sax_t {
 public:
  explicit IdentityScan(const std::string& origin) : origin_(origin) {}

  bool null() override { return scalar(Scalar::Null, {}); }
  bool boolean(bool) override { return scalar(Scalar::Other, {}); }
  bool number_integer(number_integer_t value) override {
    return scalar(value >= 0 ? Scalar::Unsigned : Scalar::Other, {},
                  static_cast<std::uint64_t>(value));
  }
  bool number_unsigned(number_unsigned_t value) override {
    return scalar(Scalar::Unsigned, {}, value);
  }
  bool number_float(number_float_t, const string_t&) override { return scalar(Scalar::Other, {}); }
  bool string(string_t& value) override { return scalar(Scalar::String, value); }
  bool binary(binary_t&) override { return scalar(Scalar::Other, {}); }
  bool start_object(std::size_t) override { return open(true); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(false); }
  bool end_array() override { return close(); }
  bool key(string_t& name) override {
    if (depth_ == 1) {
      member_ = kMemberCount;
      for (std::size_t i = 0; i < kMemberCount; ++i) {
        if (name == kMemberNames[i]) member_ = static_cast<Member>(i);
      }
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& error) override {
    throw InputError("profile " + origin_ + " is not valid JSON: " + error.what());
  }

  bool complete() const { return seen_ == (1u << kMemberCount) - 1; }
  bool seen(Member member) const { return (seen_ & (1u << member)) != 0; }
  const ProfileIdentity& identity() const { return identity_; }
  std::uint64_t formatVersion() const { return formatVersion_; }
  const std::string& format() const { return format_; }
  bool sawTopLevelObject() const { return sawTopLevelObject_; }

  [[noreturn]] void fail(Member member, const std::string& problem) const {
    throw InputError("profile " + origin_ + ": $." + kMemberNames[member] + " " + problem +
                     " (see docs/profiles.md for the format)");
  }

 private:
  enum class Scalar { Null, String, Unsigned, Other };

  bool open(bool object) {
    if (depth_ == 0) sawTopLevelObject_ = object;
    if (depth_ == 1 && member_ != kMemberCount) {
      // An object or array where a string (or the version number) belongs.
      take(Scalar::Other, {}, 0);
    }
    ++depth_;
    return !complete();
  }
  bool close() {
    --depth_;
    return !complete();
  }
  bool scalar(Scalar kind, const std::string& text, std::uint64_t number = 0) {
    if (depth_ == 1 && member_ != kMemberCount) take(kind, text, number);
    return !complete();
  }
  void take(Scalar kind, const std::string& text, std::uint64_t number) {
    const Member member = member_;
    member_ = kMemberCount;
    seen_ |= 1u << member;
    if (member == kFormatVersion) {
      if (kind != Scalar::Unsigned) fail(member, "must be a non-negative integer");
      formatVersion_ = number;
      return;
    }
    const bool optional = member == kMacos || member == kBuild || member == kXnu || member == kUuid;
    if (kind == Scalar::Null && optional) return;
    if (kind != Scalar::String) fail(member, "must be a string");
    switch (member) {
      case kFormat:
        format_ = text;
        break;
      case kName:
        identity_.name = text;
        break;
      case kMacos:
        identity_.macos = text;
        break;
      case kBuild:
        identity_.build = text;
        break;
      case kXnu:
        identity_.xnu = text;
        break;
      case kBanner:
        identity_.banner = text;
        break;
      case kUuid:
        if (!text.empty()) identity_.uuid = text;
        break;
      case kLayoutSource:
        identity_.layoutSource = text;
        break;
      default:
        break;
    }
  }

  const std::string& origin_;
  ProfileIdentity identity_;
  std::string format_;
  std::uint64_t formatVersion_ = 0;
  int depth_ = 0;
  Member member_ = kMemberCount;
  unsigned seen_ = 0;
  bool sawTopLevelObject_ = false;
};

}  // namespace

std::optional<ProfileIdentity> readNativeProfileIdentity(const std::string& text,
                                                         const std::string& origin) {
  if (!looksLikeNativeProfile(text)) return std::nullopt;
  IdentityScan scan(origin);
  try {
    json::sax_parse(text, &scan);
  } catch (const json::exception& error) {
    throw InputError("profile " + origin + " is not valid JSON: " + error.what());
  }
  if (!scan.sawTopLevelObject()) {
    throw InputError("profile " + origin + ": $ must be an object (see docs/profiles.md)");
  }
  // Checked in the order readNativeProfile() checks them, so both report alike.
  if (!scan.seen(kFormat)) scan.fail(kFormat, "is missing");
  if (scan.format() != kNativeProfileFormat) {
    scan.fail(kFormat, "is \"" + scan.format() + "\", expected \"" + kNativeProfileFormat + "\"");
  }
  if (!scan.seen(kFormatVersion)) scan.fail(kFormatVersion, "is missing");
  if (scan.formatVersion() != static_cast<std::uint64_t>(kNativeProfileFormatVersion)) {
    scan.fail(kFormatVersion, "is " + std::to_string(scan.formatVersion()) +
                                  "; this xnuscope reads version " +
                                  std::to_string(kNativeProfileFormatVersion));
  }
  for (const Member required : {kName, kBanner, kLayoutSource}) {
    if (!scan.seen(required)) scan.fail(required, "is missing");
  }
  return scan.identity();
}

}  // namespace xnuscope
