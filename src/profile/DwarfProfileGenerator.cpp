#include "profile/DwarfProfileGenerator.h"

#include <libdwarf/dwarf.h>
#include <libdwarf/libdwarf.h>

#include <LIEF/MachO.hpp>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "core/Error.h"
#include "core/MachO.h"
#include "core/Utf8.h"
#include "profile/BitFieldPlacement.h"
#include "profile/DwarfFileBounds.h"
#include "profile/ProfileFiles.h"
#include "profile/Sha256.h"

namespace xnuscope {
namespace fs = std::filesystem;
namespace {

// Owns one libdwarf session.
class DwarfSession {
 public:
  explicit DwarfSession(const std::string& path) : path_(path) {
    Dwarf_Error error = nullptr;
    char truePath[1024];
    const int status =
        dwarf_init_path(path.c_str(), truePath, sizeof truePath, DW_DLC_READ, DW_GROUPNUMBER_ANY,
                        nullptr, nullptr, &dbg_, nullptr, 0, nullptr, &error);
    if (status != DW_DLV_OK) {
      const std::string why = status == DW_DLV_ERROR ? dwarf_errmsg(error) : "no debug information";
      // Without a Dwarf_Debug, libdwarf's error is the caller's to free (found by fuzz_dwarf).
      if (error) dwarf_dealloc_error(dbg_, error);
      throw InputError("cannot read DWARF from " + path + ": " + why +
                       " (give the .dSYM bundle of the kernel, from its Kernel Debug Kit)");
    }
  }
  ~DwarfSession() { dwarf_finish(dbg_, nullptr); }
  DwarfSession(const DwarfSession&) = delete;
  DwarfSession& operator=(const DwarfSession&) = delete;
  Dwarf_Debug get() const { return dbg_; }

 private:
  std::string path_;
  Dwarf_Debug dbg_ = nullptr;
};

class DieWalker {
 public:
  explicit DieWalker(Dwarf_Debug dbg) : dbg_(dbg) {}

  void walkAll(Profile& profile) {
    Dwarf_Error error = nullptr;
    Dwarf_Unsigned nextHeader = 0;
    Dwarf_Half headerType = 0;
    // One pass over the compile units; each unit's DIE tree is visited once.
    for (int unit = 0; unit < 1'000'000; ++unit) {
      const int status =
          dwarf_next_cu_header_d(dbg_, true, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                 nullptr, nullptr, &nextHeader, &headerType, &error);
      if (status != DW_DLV_OK) break;
      Dwarf_Die cu = nullptr;
      if (dwarf_siblingof_b(dbg_, nullptr, true, &cu, &error) != DW_DLV_OK) continue;
      visitChildren(cu, profile, 0);
      dwarf_dealloc(dbg_, cu, DW_DLA_DIE);
    }
  }

 private:
  void visitChildren(Dwarf_Die parent, Profile& profile, int depth) {
    if (depth > 64) return;
    Dwarf_Error error = nullptr;
    Dwarf_Die child = nullptr;
    if (dwarf_child(parent, &child, &error) != DW_DLV_OK) return;
    while (child) {
      Dwarf_Half tag = 0;
      dwarf_tag(child, &tag, &error);
      if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type) recordStruct(child, profile);
      if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_namespace) {
        visitChildren(child, profile, depth + 1);
      }
      Dwarf_Die next = nullptr;
      const int status = dwarf_siblingof_b(dbg_, child, true, &next, &error);
      dwarf_dealloc(dbg_, child, DW_DLA_DIE);
      child = status == DW_DLV_OK ? next : nullptr;
    }
  }

  std::string name(Dwarf_Die die) {
    char* text = nullptr;
    Dwarf_Error error = nullptr;
    if (dwarf_diename(die, &text, &error) == DW_DLV_OK && text) return text;
    return {};
  }

  std::optional<Dwarf_Unsigned> unsignedAttribute(Dwarf_Die die, Dwarf_Half attribute) {
    Dwarf_Attribute attr = nullptr;
    Dwarf_Error error = nullptr;
    if (dwarf_attr(die, attribute, &attr, &error) != DW_DLV_OK) return std::nullopt;
    Dwarf_Unsigned value = 0;
    Dwarf_Signed signedValue = 0;
    std::optional<Dwarf_Unsigned> result;
    if (dwarf_formudata(attr, &value, &error) == DW_DLV_OK) {
      result = value;
    } else if (dwarf_formsdata(attr, &signedValue, &error) == DW_DLV_OK && signedValue >= 0) {
      result = static_cast<Dwarf_Unsigned>(signedValue);
    }
    dwarf_dealloc(dbg_, attr, DW_DLA_ATTR);
    return result;
  }

  std::string structName(Dwarf_Die die) {
    const std::string given = name(die);
    if (!given.empty()) return given;
    Dwarf_Off offset = 0;
    Dwarf_Error error = nullptr;
    dwarf_dieoffset(die, &offset, &error);
    return "__unnamed_" + std::to_string(offset);
  }

  // The DIE that `die`'s DW_AT_type names, or nullptr (void).
  Dwarf_Die typeOf(Dwarf_Die die) {
    Dwarf_Attribute attr = nullptr;
    Dwarf_Error error = nullptr;
    if (dwarf_attr(die, DW_AT_type, &attr, &error) != DW_DLV_OK) return nullptr;
    Dwarf_Off offset = 0;
    const Dwarf_Bool isInfo = true;
    const int status = dwarf_global_formref(attr, &offset, &error);
    dwarf_dealloc(dbg_, attr, DW_DLA_ATTR);
    if (status != DW_DLV_OK) return nullptr;
    Dwarf_Die target = nullptr;
    if (dwarf_offdie_b(dbg_, offset, isInfo, &target, &error) != DW_DLV_OK) return nullptr;
    return target;
  }

  // Profile type text for a type DIE (takes ownership of `die`).
  std::string typeText(Dwarf_Die die, int depth = 0) {
    if (!die) return "void";
    std::unique_ptr<Dwarf_Die_s, std::function<void(Dwarf_Die)>> owner(
        die, [this](Dwarf_Die d) { dwarf_dealloc(dbg_, d, DW_DLA_DIE); });
    if (depth > 32) return "void";
    Dwarf_Half tag = 0;
    Dwarf_Error error = nullptr;
    dwarf_tag(die, &tag, &error);
    switch (tag) {
      case DW_TAG_base_type:
        return name(die);
      case DW_TAG_pointer_type:
      case DW_TAG_reference_type:
        return typeText(typeOf(die), depth + 1) + " *";
      case DW_TAG_typedef:
      case DW_TAG_const_type:
      case DW_TAG_volatile_type:
      case DW_TAG_restrict_type:
      case DW_TAG_atomic_type:
        return typeText(typeOf(die), depth + 1);
      case DW_TAG_structure_type:
      case DW_TAG_union_type:
      case DW_TAG_class_type:
        return structName(die);
      case DW_TAG_enumeration_type: {
        Dwarf_Die base = typeOf(die);
        return base ? typeText(base, depth + 1) : "int";
      }
      case DW_TAG_subroutine_type:
        return "void";
      case DW_TAG_array_type: {
        std::string text = typeText(typeOf(die), depth + 1);
        // Subranges list dimensions outermost first; the notation applies
        // constructors innermost first, so append them in reverse.
        std::vector<std::string> dimensions;
        Dwarf_Die sub = nullptr;
        if (dwarf_child(die, &sub, &error) == DW_DLV_OK) {
          while (sub) {
            Dwarf_Half subTag = 0;
            dwarf_tag(sub, &subTag, &error);
            if (subTag == DW_TAG_subrange_type) {
              if (const auto count = unsignedAttribute(sub, DW_AT_count)) {
                dimensions.push_back(*count ? "[" + std::to_string(*count) + "]" : "[]");
              } else if (const auto upper = unsignedAttribute(sub, DW_AT_upper_bound)) {
                dimensions.push_back("[" + std::to_string(*upper + 1) + "]");
              } else {
                dimensions.push_back("[]");
              }
            }
            Dwarf_Die next = nullptr;
            const int status = dwarf_siblingof_b(dbg_, sub, true, &next, &error);
            dwarf_dealloc(dbg_, sub, DW_DLA_DIE);
            sub = status == DW_DLV_OK ? next : nullptr;
          }
        }
        for (auto it = dimensions.rbegin(); it != dimensions.rend(); ++it) text += *it;
        return text;
      }
      default:
        return "void";
    }
  }

  void recordStruct(Dwarf_Die die, Profile& profile) {
    const auto size = unsignedAttribute(die, DW_AT_byte_size);
    if (!size) return;  // a declaration only
    const std::string structName = this->structName(die);
    if (profile.structs.count(structName)) return;  // first definition wins
    if (!isValidUtf8(structName)) {
      profile.drop(printableForMessage(structName), "the struct name is not UTF-8 text");
      return;
    }
    StructLayout layout;
    layout.size = *size;
    Dwarf_Error error = nullptr;
    Dwarf_Die member = nullptr;
    if (dwarf_child(die, &member, &error) == DW_DLV_OK) {
      while (member) {
        Dwarf_Half tag = 0;
        dwarf_tag(member, &tag, &error);
        if (tag == DW_TAG_member) addMember(member, structName, layout, profile);
        Dwarf_Die next = nullptr;
        const int status = dwarf_siblingof_b(dbg_, member, true, &next, &error);
        dwarf_dealloc(dbg_, member, DW_DLA_DIE);
        member = status == DW_DLV_OK ? next : nullptr;
      }
    }
    profile.structs[structName] = std::move(layout);
  }

  // Adds one member; a member that cannot be represented is recorded in
  // `profile.dropped` with the reason instead.
  void addMember(Dwarf_Die member, const std::string& structName, StructLayout& layout,
                 Profile& profile) {
    Field field;
    const std::uint64_t location =
        unsignedAttribute(member, DW_AT_data_member_location).value_or(0);
    const std::string type = typeText(typeOf(member));
    std::string fieldName = name(member);
    if (fieldName.empty()) fieldName = type;  // anonymous struct/union member
    const std::string key = structName + "." + printableForMessage(fieldName);
    if (!isValidUtf8(fieldName) || !isValidUtf8(type)) {
      profile.drop(key, "the member's name or type is not UTF-8 text");
      return;
    }
    if (const auto bitSize = unsignedAttribute(member, DW_AT_bit_size)) {
      if (*bitSize == 0 || *bitSize > 64) {
        profile.drop(key, "bitfield of " + std::to_string(*bitSize) + " bits");
        return;
      }
      std::uint64_t absoluteBit = location * 8;
      if (const auto dataBitOffset = unsignedAttribute(member, DW_AT_data_bit_offset)) {
        absoluteBit = *dataBitOffset;
      } else if (const auto bitOffset = unsignedAttribute(member, DW_AT_bit_offset)) {
        // DWARF 2/3: counted from the most significant bit of the storage unit.
        const std::uint64_t unitBytes = unsignedAttribute(member, DW_AT_byte_size).value_or(4);
        absoluteBit = location * 8 + unitBytes * 8 - *bitOffset - *bitSize;
      }
      const PlacedBitField placed =
          placeBitField(absoluteBit, static_cast<std::uint32_t>(*bitSize), layout.size, type);
      if (placed.bits.start + placed.bits.count > 64) {
        profile.drop(key, "bitfield of " + std::to_string(placed.bits.count) + " bits at bit " +
                              std::to_string(placed.bits.start) + " spans two 64-bit words");
        return;
      }
      field.offset = placed.offset;
      field.type = placed.storageType;
      field.bits = placed.bits;
    } else {
      field.offset = location;
      field.type = type;
      const auto bracket = type.rfind('[');
      if (bracket != std::string::npos && type.back() == ']') {
        const std::string digits = type.substr(bracket + 1, type.size() - bracket - 2);
        try {
          field.elementCount = digits.empty() ? 0 : std::stoull(digits);
        } catch (const std::exception&) {
          profile.drop(key, "array count \"" + digits + "\" is not a 64-bit number");
          return;
        }
      }
    }
    layout.fields[fieldName] = field;
  }

  Dwarf_Debug dbg_;
};

std::string dwarfFileOf(const std::string& dsymPath) {
  std::error_code ec;
  if (fs::is_directory(dsymPath, ec)) {
    const fs::path dir = fs::path(dsymPath) / "Contents" / "Resources" / "DWARF";
    if (fs::is_directory(dir, ec)) {
      for (const auto& item : fs::directory_iterator(dir, ec)) {
        if (item.is_regular_file()) return item.path().string();
      }
    }
    throw InputError(dsymPath +
                     " is a directory but not a .dSYM bundle (no Contents/Resources/DWARF/*)");
  }
  return dsymPath;
}

}  // namespace

ImportedProfile generateProfileFromDwarf(const std::string& dsymPath, const std::string& kernelPath,
                                         const DwarfGenerateOptions& options) {
  ImportedProfile result;
  Profile& profile = result.profile;
  const std::string dwarfFile = dwarfFileOf(dsymPath);
  profile.name = !options.name.empty() ? options.name
                                       : fileNameOf(kernelPath.empty() ? dwarfFile : kernelPath);
  profile.banner = options.banner;
  profile.layoutSource = "dwarf";
  profile.provenance = {fileNameOf(dwarfFile), sha256FileHex(dwarfFile),
                        "xnuscope profile generate --dsym"};
  checkDwarfFileBounds(dwarfFile);  // before libdwarf allocates by the header's counts
  {
    const DwarfSession session(dwarfFile);
    DieWalker(session.get()).walkAll(profile);
  }
  if (profile.structs.empty()) {
    throw InputError(dsymPath + " holds no struct definitions; is it the kernel's dSYM?");
  }
  if (!kernelPath.empty()) {
    std::unique_ptr<LIEF::MachO::FatBinary> fat;
    try {
      fat = LIEF::MachO::Parser::parse(kernelPath);
    } catch (const std::exception& error) {
      throw InputError("cannot parse kernel Mach-O " + kernelPath + ": " + error.what());
    }
    if (!fat || fat->size() == 0) throw InputError(kernelPath + " is not a Mach-O file");
    const LIEF::MachO::Binary& binary = fat->at(0);
    if (binary.has_uuid()) profile.uuid = macho::uuidText(binary.uuid().uuid());
    std::vector<ProfileSymbol> symbols;
    for (const auto& symbol : binary.symbols()) {
      const auto type = static_cast<std::uint8_t>(symbol.type());
      if (!macho::isAddressSymbol(type) || symbol.name().empty()) continue;
      symbols.push_back({symbol.value(), symbol.name(), macho::isExternalSymbol(type), type,
                         static_cast<std::uint8_t>(symbol.numberof_sections())});
    }
    result.symbolTable = ProfileSymbolTable(std::move(symbols));
    for (const auto& symbol : result.symbolTable.symbols()) {
      if (!isValidUtf8(symbol.name)) {
        profile.drop("symbol " + printableForMessage(symbol.name), "the name is not UTF-8 text");
        continue;
      }
      if (!profile.symbols.count(symbol.name) || symbol.external) {
        profile.symbols[symbol.name] = *result.symbolTable.addressOf(symbol.name);
      }
    }
  }
  for (const auto& [key, reason] : profile.dropped) {
    result.warnings.push_back(dsymPath + ": dropped " + key + ": " + reason);
  }
  return result;
}

}  // namespace xnuscope
