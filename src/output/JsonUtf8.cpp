#include "output/JsonUtf8.h"

#include <string>
#include <utility>
#include <vector>

#include "core/Utf8.h"

namespace xnuscope {

std::size_t repairJsonUtf8(nlohmann::ordered_json& document) {
  using Json = nlohmann::ordered_json;
  std::size_t repaired = 0;
  // Explicit stack: a deeply nested document must not overflow the call stack.
  std::vector<Json*> pending{&document};
  while (!pending.empty()) {
    Json* value = pending.back();
    pending.pop_back();
    if (value->is_string()) {
      auto& text = value->get_ref<std::string&>();
      if (!isValidUtf8(text)) {
        text = toValidUtf8(text);
        ++repaired;
      }
    } else if (value->is_array()) {
      for (auto& element : *value) pending.push_back(&element);
    } else if (value->is_object()) {
      bool badKey = false;
      for (const auto& [key, member] : value->items()) badKey = badKey || !isValidUtf8(key);
      if (badKey) {
        // Keys cannot be renamed in place: rebuild the object in the same order.
        Json rebuilt = Json::object();
        for (auto& [key, member] : value->items()) {
          if (!isValidUtf8(key)) ++repaired;
          rebuilt[toValidUtf8(key)] = std::move(member);
        }
        *value = std::move(rebuilt);
      }
      for (auto& [key, member] : value->items()) pending.push_back(&member);
    }
  }
  return repaired;
}

bool isValidJsonUtf8(const nlohmann::ordered_json& document) {
  using Json = nlohmann::ordered_json;
  std::vector<const Json*> pending{&document};
  while (!pending.empty()) {
    const Json* value = pending.back();
    pending.pop_back();
    if (value->is_string()) {
      if (!isValidUtf8(value->get_ref<const std::string&>())) return false;
    } else if (value->is_array()) {
      for (const auto& element : *value) pending.push_back(&element);
    } else if (value->is_object()) {
      for (const auto& [key, member] : value->items()) {
        if (!isValidUtf8(key)) return false;
        pending.push_back(&member);
      }
    }
  }
  return true;
}

}  // namespace xnuscope
