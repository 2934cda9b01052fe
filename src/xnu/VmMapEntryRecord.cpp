#include "xnu/VmMapEntryRecord.h"

namespace xnuscope {

std::string protectionLetters(std::uint32_t protection) {
  std::string letters = "---";
  if (protection & 1) letters[0] = 'r';
  if (protection & 2) letters[1] = 'w';
  if (protection & 4) letters[2] = 'x';
  return letters;
}

std::string inheritanceName(std::uint32_t inheritance) {
  switch (inheritance) {
    case 0:
      return "share";
    case 1:
      return "copy";
    case 2:
      return "none";
    case 3:
      return "donate_copy";
  }
  return std::to_string(inheritance);
}

}  // namespace xnuscope
