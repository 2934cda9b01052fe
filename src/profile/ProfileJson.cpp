#include "profile/ProfileJson.h"

#include "core/Error.h"
#include "profile/ProfileLimits.h"

namespace xnuscope {
namespace {

using nlohmann::json;

// A first pass over the text that builds nothing: counts values and tracks nesting,
// so the tree is only built for a document within the bounds. (nlohmann's parser
// callback would do the same but is ~200x slower on a 2 MB ISF.)
class BoundsCheck final : public nlohmann::json_sax<json> {
 public:
  explicit BoundsCheck(const std::string& what) : what_(what) {}

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t&) override { return value(); }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(); }
  bool key(string_t&) override { return true; }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& error) override {
    throw InputError(what_ + " is not valid JSON: " + error.what());
  }

 private:
  bool value() {
    if (++values_ > kMaxProfileJsonValues) {
      throw InputError(what_ + " holds more than " + std::to_string(kMaxProfileJsonValues) +
                       " JSON values; no profile is that large");
    }
    return true;
  }
  bool open() {
    if (++depth_ > kMaxProfileJsonDepth) {
      throw InputError(what_ + " nests JSON deeper than " + std::to_string(kMaxProfileJsonDepth) +
                       " levels; no profile does");
    }
    return value();
  }
  bool close() {
    --depth_;
    return true;
  }

  const std::string& what_;
  std::uint64_t values_ = 0;
  int depth_ = 0;
};

}  // namespace

json parseProfileJson(const std::string& text, const std::string& what) {
  try {
    BoundsCheck bounds(what);
    json::sax_parse(text, &bounds);
    return json::parse(text);
  } catch (const json::exception& error) {
    // out_of_range for a number no double holds (1e999), any other parser complaint.
    throw InputError(what + " is not valid JSON: " + error.what());
  }
}

}  // namespace xnuscope
