// One kernel build's profile: what turns raw memory into processes. Struct sizes,
// field offsets (bitfields included) and unslid symbols, plus the identity of the
// build (banner, UUID) used to check that the profile fits the kernel in memory.
// Every loader (native JSON, Volatility 2 zip, Volatility 3 ISF, KDK DWARF)
// produces this one model.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xnuscope {

// A bitfield, normalised to the storage word at the field's offset: `start` is the
// bit number within the 32-bit (or, when start + count > 32, 64-bit) little-endian
// word, `count` the number of bits. Volatility 2's 10.13 converter writes some
// fields as byte 0x49 bits 2..4; that is stored here as word 0x48 bits 10..12.
struct BitField {
  std::uint32_t start = 0;
  std::uint32_t count = 0;
  bool operator==(const BitField&) const = default;
};

// One member of a struct or union.
//   type: the member's type as text. A base or struct name ("unsigned int",
//     "proc", "__unnamed_1234"), followed by constructors applied left to right:
//     " *" makes a pointer, "[N]" an array of N ("[]" when the count is unknown).
//     "proc *" is a pointer to proc, "char[17]" an array of 17 chars,
//     "proc *[4]" an array of 4 pointers. For a bitfield, the storage type.
//   elementCount: 1 for a non-array, N for an array of N, 0 when the source lost
//     the count (the 10.11–10.13 Volatility 2 profiles).
struct Field {
  std::uint64_t offset = 0;
  std::string type;
  std::optional<BitField> bits;
  std::uint64_t elementCount = 1;
  bool operator==(const Field&) const = default;
};

struct StructLayout {
  std::uint64_t size = 0;
  std::map<std::string, Field> fields;
  bool operator==(const StructLayout&) const = default;
};

// Where a profile came from, so a user can tell two profiles of one build apart.
struct Provenance {
  std::string source;  // file name the profile was made from (no directory)
  std::string sha256;  // of that file, lower-case hex; empty when not known
  std::string tool;    // "xnuscope 0.1.0 vol2-import", "... dwarf-generate", ...
  bool operator==(const Provenance&) const = default;
};

class Profile {
 public:
  std::string name;   // "HighSierra_10.13.6_17G65"
  std::string macos;  // "10.13.6"; empty when unknown
  std::string build;  // "17G65"
  std::string xnu;    // "xnu-4570.71.2"
  std::string arch = "x86_64";
  std::string banner;               // the kernel's `_version` string
  std::optional<std::string> uuid;  // LC_UUID "8-4-4-4-12" upper-case; none in Vol2 zips
  // "real" (DWARF of the shipped kernel, via a Volatility profile or ISF),
  // "xnu-source" (worked out from the public XNU source), "dwarf" (generated here).
  std::string layoutSource = "real";
  Provenance provenance;
  std::map<std::string, StructLayout> structs;
  // Unslid addresses keyed by Mach-O name, WITH the leading underscore ("_allproc").
  std::map<std::string, std::uint64_t> symbols;
  // Members, types and symbols of the source that could not be represented and were
  // left out at import, keyed "struct.member" (or "struct", or "symbol _name"), each
  // with the reason. A walker that needs one of them is refused, naming it.
  std::map<std::string, std::string> dropped;

  bool operator==(const Profile&) const = default;

  // Records that `key` ("struct.member", "struct" or "symbol _name") was left out.
  void drop(const std::string& key, const std::string& reason);

  // Throws AnalysisError naming the profile and struct when it is missing.
  const StructLayout& structure(const std::string& structName) const;
  bool hasStruct(const std::string& structName) const { return structs.count(structName) != 0; }

  // `fieldPath` is a member name or a dotted path through embedded structs
  // ("cr_posix.cr_uid"), resolved by the members' type names.
  const Field& field(const std::string& structName, const std::string& fieldPath) const;
  std::uint64_t offset(const std::string& structName, const std::string& fieldPath) const;
  bool hasField(const std::string& structName, const std::string& fieldPath) const;
  // The first of `fieldNames` the struct has (e.g. {"vme_object", "object"}), for
  // members renamed between releases. Throws AnalysisError listing all when none.
  std::string firstFieldOf(const std::string& structName,
                           const std::vector<std::string>& fieldNames) const;

  // Symbol names with the leading underscore ("_allproc").
  std::optional<std::uint64_t> symbol(const std::string& symbolName) const;
  std::uint64_t requireSymbol(const std::string& symbolName) const;

  // "HighSierra_10.13.6_17G65 (17G65, xnu-4570.71.2)" for messages.
  std::string describe() const;

 private:
  const Field* findField(const std::string& structName, const std::string& fieldPath,
                         std::string* failure) const;
};

// The struct a member's type names when it is embedded (not a pointer or a base
// type): "posix_cred" for "posix_cred", "queue_entry" for "queue_entry[2]"; empty
// for "proc *" or "unsigned int".
std::string embeddedStructName(const std::string& type);

}  // namespace xnuscope
