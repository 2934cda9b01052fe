#include "profile/PythonLiteral.h"

#include <cctype>

#include "core/Error.h"

namespace xnuscope {
namespace {

using nlohmann::json;

// Deep nesting would exhaust the stack; real profiles nest fewer than ten levels.
constexpr int kMaxDepth = 256;

class LiteralParser {
 public:
  LiteralParser(std::string_view text, const std::string& origin) : text_(text), origin_(origin) {}

  json parseValue(int depth) {
    if (depth > kMaxDepth) fail("literal nested deeper than " + std::to_string(kMaxDepth));
    skipSpace();
    if (atEnd()) fail("unexpected end of input, expected a value");
    const char c = text_[pos_];
    if (c == '{') return parseDict(depth);
    if (c == '[') return parseSequence(']', depth);
    if (c == '(') return parseSequence(')', depth);
    if (c == '\'' || c == '"') return parseString();
    if (c == '-' || c == '+' || std::isdigit(static_cast<unsigned char>(c))) return parseNumber();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const std::string word = parseIdentifier();
      if (word == "None") return nullptr;
      if (word == "True") return true;
      if (word == "False") return false;
      fail("\"" + word + "\" is not a literal (only None, True, False are accepted)");
    }
    fail(std::string("unexpected character '") + c + "'");
  }

  std::string parseIdentifier() {
    const std::size_t start = pos_;
    while (!atEnd() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    if (start == pos_) fail("expected a name");
    return std::string(text_.substr(start, pos_ - start));
  }

  void skipSpace() {
    while (!atEnd()) {
      const char c = text_[pos_];
      if (c == '#') {
        while (!atEnd() && text_[pos_] != '\n') ++pos_;
      } else if (c == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
        pos_ += 2;  // explicit line continuation
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else {
        break;
      }
    }
  }
  bool atEnd() const { return pos_ >= text_.size(); }
  bool consume(char c) {
    skipSpace();
    if (!atEnd() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "'");
  }

  [[noreturn]] void fail(const std::string& problem) const {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw InputError(origin_ + ":" + std::to_string(line) + ":" + std::to_string(column) +
                     ": not a Volatility 2 profile literal: " + problem);
  }

 private:
  json parseDict(int depth) {
    expect('{');
    json object = json::object();
    while (true) {
      if (consume('}')) return object;
      json key = parseValue(depth + 1);
      std::string keyText;
      if (key.is_string()) {
        keyText = key.get<std::string>();
      } else if (key.is_number_integer()) {
        keyText = key.dump();
      } else {
        fail("dict keys must be strings or integers");
      }
      expect(':');
      object[keyText] = parseValue(depth + 1);
      if (consume('}')) return object;
      expect(',');
    }
  }

  json parseSequence(char close, int depth) {
    ++pos_;  // '[' or '('
    json array = json::array();
    while (true) {
      if (consume(close)) return array;
      array.push_back(parseValue(depth + 1));
      if (consume(close)) return array;
      expect(',');
    }
  }

  json parseString() {
    const char quote = text_[pos_++];
    std::string value;
    while (true) {
      if (atEnd()) fail("unterminated string");
      const char c = text_[pos_++];
      if (c == quote) break;
      if (c == '\n') fail("newline inside a string");
      if (c != '\\') {
        value += c;
        continue;
      }
      if (atEnd()) fail("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case 'n':
          value += '\n';
          break;
        case 't':
          value += '\t';
          break;
        case 'r':
          value += '\r';
          break;
        case '0':
          value += '\0';
          break;
        case '\\':
        case '\'':
        case '"':
          value += e;
          break;
        case 'x': {
          if (pos_ + 2 > text_.size()) fail("short \\x escape");
          const std::string hexDigits(text_.substr(pos_, 2));
          pos_ += 2;
          try {
            value += static_cast<char>(std::stoi(hexDigits, nullptr, 16));
          } catch (const std::exception&) {
            fail("bad \\x escape");
          }
          break;
        }
        default:
          value += '\\';
          value += e;
          break;  // Python keeps unknown escapes
      }
    }
    return value;
  }

  json parseNumber() {
    bool negative = false;
    if (text_[pos_] == '-' || text_[pos_] == '+') {
      negative = text_[pos_] == '-';
      ++pos_;
    }
    int base = 10;
    if (pos_ + 1 < text_.size() && text_[pos_] == '0' &&
        (text_[pos_ + 1] == 'x' || text_[pos_ + 1] == 'X')) {
      base = 16;
      pos_ += 2;
    }
    const std::size_t start = pos_;
    std::uint64_t value = 0;
    bool overflow = false;
    double approximate = 0;
    while (!atEnd() && std::isxdigit(static_cast<unsigned char>(text_[pos_]))) {
      const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(text_[pos_])));
      const unsigned digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : c - 'a' + 10;
      if (digit >= static_cast<unsigned>(base)) break;
      approximate = approximate * base + digit;
      if (overflow || value > (UINT64_MAX - digit) / base) {
        overflow = true;
      } else {
        value = value * base + digit;
      }
      ++pos_;
    }
    if (start == pos_) fail("expected digits");
    if (!atEnd() && (text_[pos_] == 'L' || text_[pos_] == 'l')) ++pos_;
    if (!atEnd() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
      fail("floating-point numbers are not expected in a profile");
    }
    // Python integers are unbounded and Volatility's converter wrote some garbage
    // (bitfield bits of -18446744073709551581). Such values become an approximate
    // float so the caller can reject that one member instead of the whole file.
    if (overflow || (negative && value > static_cast<std::uint64_t>(INT64_MAX) + 1)) {
      return json(negative ? -approximate : approximate);
    }
    if (negative) {
      return json(static_cast<std::int64_t>(0 - value));
    }
    return json(value);
  }

 public:
  std::size_t pos_ = 0;

 private:
  std::string_view text_;
  const std::string& origin_;
};

}  // namespace

json parsePythonLiteral(std::string_view text, const std::string& origin) {
  LiteralParser parser(text, origin);
  json value = parser.parseValue(0);
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail("trailing text after the literal");
  return value;
}

std::map<std::string, json> parsePythonAssignments(std::string_view text,
                                                   const std::string& origin) {
  LiteralParser parser(text, origin);
  std::map<std::string, json> result;
  while (true) {
    parser.skipSpace();
    if (parser.atEnd()) break;
    const std::string name = parser.parseIdentifier();
    parser.expect('=');
    result[name] = parser.parseValue(0);
  }
  if (result.empty()) parser.fail("no `NAME = literal` assignment found");
  return result;
}

}  // namespace xnuscope
