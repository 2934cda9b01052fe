#include "profile/ProfileJson.h"

#include "core/Error.h"
#include "profile/ProfileLimits.h"

namespace xnuscope {
namespace {

using nlohmann::json;

// Builds the tree with nlohmann's own DOM builder (the one json::parse uses) while
// counting values and tracking nesting, so a document beyond the bounds stops the
// parse as soon as it crosses them. One pass: the bounds used to be checked by a
// separate SAX pass before json::parse. (nlohmann's parser callback would do the
// same but is ~200x slower on a 2 MB ISF.)
class BoundedDomBuilder final : public nlohmann::json_sax<json> {
 public:
  BoundedDomBuilder(const std::string& what, json& result) : what_(what), dom_(result) {}

  bool null() override { return value() && dom_.null(); }
  bool boolean(bool flag) override { return value() && dom_.boolean(flag); }
  bool number_integer(number_integer_t number) override {
    return value() && dom_.number_integer(number);
  }
  bool number_unsigned(number_unsigned_t number) override {
    return value() && dom_.number_unsigned(number);
  }
  bool number_float(number_float_t number, const string_t& text) override {
    return value() && dom_.number_float(number, text);
  }
  bool string(string_t& text) override { return value() && dom_.string(text); }
  bool binary(binary_t& bytes) override { return value() && dom_.binary(bytes); }
  bool start_object(std::size_t size) override { return open() && dom_.start_object(size); }
  bool key(string_t& name) override { return dom_.key(name); }
  bool end_object() override { return close() && dom_.end_object(); }
  bool start_array(std::size_t size) override { return open() && dom_.start_array(size); }
  bool end_array() override { return close() && dom_.end_array(); }
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
  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::uint64_t values_ = 0;
  int depth_ = 0;
};

}  // namespace

json parseProfileJson(const std::string& text, const std::string& what) {
  try {
    json result;
    BoundedDomBuilder builder(what, result);
    json::sax_parse(text, &builder);
    return result;
  } catch (const json::exception& error) {
    // out_of_range for a number no double holds (1e999), any other parser complaint.
    throw InputError(what + " is not valid JSON: " + error.what());
  }
}

}  // namespace xnuscope
