// The KDK generator on a kernel compiled here from tests/data/profile/fake_xnu.c
// (clang-14 for x86_64-apple-macos10.13, ld64.lld-14, dsymutil-14): every struct
// size, member offset and bitfield it produces must equal what llvm-dwarfdump-14
// prints for the same dSYM — an independent DWARF reader.
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "core/Error.h"
#include "profile/DwarfProfileGenerator.h"
#include "profile/ProfileFiles.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

bool haveTool(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

int run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

struct DumpMember {
  std::string name;
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> bitSize, dataBitOffset;
};
struct DumpStruct {
  std::string name;
  std::optional<std::uint64_t> size;
  std::deque<DumpMember> members;
};

// Reads `llvm-dwarfdump --debug-info` text: struct/union DIEs, their byte size, and
// their direct members (by indentation). Deques keep the open struct/member
// pointers valid while more are appended.
std::deque<DumpStruct> parseDwarfdump(const std::string& text) {
  std::deque<DumpStruct> structs;  // deque: pointers into it stay valid
  struct Open {
    std::size_t indent;
    int structIndex;  // -1: not a struct
  };
  std::vector<Open> stack;
  DumpMember* member = nullptr;
  DumpStruct* current = nullptr;
  const std::regex tagLine(R"(^0x([0-9a-f]+):( +)(DW_TAG_\w+))");
  const std::regex attrLine(R"(^\s+(DW_AT_\w+)\s+\((.*)\)$)");
  std::istringstream in(text);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, tagLine)) {
      const std::size_t indent = m[2].length();
      const std::string tag = m[3];
      while (!stack.empty() && stack.back().indent >= indent) stack.pop_back();
      member = nullptr;
      current = nullptr;
      if (tag == "DW_TAG_structure_type" || tag == "DW_TAG_union_type") {
        structs.push_back({"__unnamed_" + std::to_string(std::stoull(m[1], nullptr, 16)), {}, {}});
        stack.push_back({indent, static_cast<int>(structs.size() - 1)});
        current = &structs.back();
      } else {
        if (tag == "DW_TAG_member" && !stack.empty() && stack.back().structIndex >= 0) {
          auto& owner = structs[stack.back().structIndex];
          owner.members.push_back({});
          member = &owner.members.back();
        }
        stack.push_back({indent, -1});
      }
      continue;
    }
    if (!std::regex_search(line, m, attrLine)) continue;
    const std::string attr = m[1], value = m[2];
    const auto number = [&] { return std::stoull(value, nullptr, 0); };
    if (member) {
      if (attr == "DW_AT_name") member->name = value.substr(1, value.size() - 2);
      if (attr == "DW_AT_data_member_location") member->offset = number();
      if (attr == "DW_AT_bit_size") member->bitSize = number();
      if (attr == "DW_AT_data_bit_offset") member->dataBitOffset = number();
    } else if (current) {
      if (attr == "DW_AT_name") current->name = value.substr(1, value.size() - 2);
      if (attr == "DW_AT_byte_size") current->size = number();
    }
  }
  return structs;
}

TEST(DwarfGenerator, EveryOffsetEqualsLlvmDwarfdump) {
  for (const char* tool : {"clang-14", "ld64.lld-14", "dsymutil-14", "llvm-dwarfdump-14"}) {
    if (!haveTool(tool)) GTEST_SKIP() << tool << " is not installed (scripts/setup.sh installs it)";
  }
  const std::string dir = test::scratchDir() + "/fake_kernel";
  std::filesystem::create_directories(dir);
  const std::string source = test::sourceDir() + "/tests/data/profile/fake_xnu.c";
  ASSERT_EQ(
      run("clang-14 -target x86_64-apple-macos10.13 -g -c " + source + " -o " + dir + "/fake.o"),
      0);
  ASSERT_EQ(run("ld64.lld-14 -arch x86_64 -platform_version macos 10.13 10.13 -e _start -o " + dir +
                "/kernel " + dir + "/fake.o"),
            0);
  ASSERT_EQ(run("dsymutil-14 " + dir + "/kernel -o " + dir + "/kernel.dSYM"), 0);
  ASSERT_EQ(std::system(("llvm-dwarfdump-14 --debug-info " + dir + "/kernel.dSYM > " + dir +
                         "/dump.txt 2>/dev/null")
                            .c_str()),
            0);

  const auto generated =
      generateProfileFromDwarf(dir + "/kernel.dSYM", dir + "/kernel", {"Fake", ""});
  const Profile& p = generated.profile;
  const auto dumped = parseDwarfdump(readWholeFile(dir + "/dump.txt", "dwarfdump output"));

  std::size_t structsCompared = 0, membersCompared = 0, bitfieldsCompared = 0;
  for (const auto& s : dumped) {
    if (!s.size) continue;  // declaration
    SCOPED_TRACE(s.name);
    ASSERT_TRUE(p.hasStruct(s.name));
    EXPECT_EQ(p.structure(s.name).size, *s.size);
    ++structsCompared;
    for (const auto& m : s.members) {
      if (m.name.empty()) continue;
      SCOPED_TRACE(m.name);
      ASSERT_TRUE(p.hasField(s.name, m.name));
      const Field& field = p.field(s.name, m.name);
      if (m.bitSize) {
        ASSERT_TRUE(field.bits);
        ASSERT_TRUE(m.dataBitOffset);
        EXPECT_EQ(field.offset * 8 + field.bits->start, *m.dataBitOffset);
        EXPECT_EQ(field.bits->count, *m.bitSize);
        ++bitfieldsCompared;
      } else {
        EXPECT_FALSE(field.bits);
        EXPECT_EQ(field.offset, m.offset);
      }
      ++membersCompared;
    }
  }
  EXPECT_GE(structsCompared, 18u);
  EXPECT_GE(membersCompared, 100u);
  EXPECT_EQ(bitfieldsCompared, 24u);  // every named bitfield in fake_xnu.c

  // The walker view of the same kernel: nested paths, the normalised bitfield word,
  // array counts, typedefs resolved, symbols and UUID from the Mach-O.
  EXPECT_EQ(p.offset("ucred", "cr_posix.cr_uid"), 0x18u);
  EXPECT_EQ(p.field("vm_map_entry", "max_protection").offset, 0x48u);
  EXPECT_EQ(p.field("vm_map_entry", "max_protection").bits, (BitField{10, 3}));
  EXPECT_EQ(p.field("vm_map_entry", "protection").bits, (BitField{7, 3}));
  EXPECT_EQ(p.field("proc", "p_comm").type, "char[17]");
  EXPECT_EQ(p.field("proc", "p_comm").elementCount, 17u);
  EXPECT_EQ(p.field("proc", "grid").type, "int[4][3]");
  EXPECT_EQ(p.field("task", "tasks").type, "queue_entry");
  EXPECT_EQ(p.field("proc", "p_ucred").type, "ucred *");
  EXPECT_EQ(p.offset("proc", "p_list.le_prev"), 8u);
  EXPECT_EQ(p.structure("kmod_info").size, 0xc4u);
  EXPECT_EQ(p.offset("kmod_info", "address"), 0x9cu);
  EXPECT_EQ(p.layoutSource, "dwarf");
  ASSERT_TRUE(p.uuid);
  EXPECT_EQ(p.uuid->size(), 36u);
  EXPECT_TRUE(p.symbol("_allproc"));
  EXPECT_TRUE(p.symbol("_proc_pid"));
  EXPECT_TRUE(generated.symbolTable.addressOf("_local_counter"));  // locals kept in symbols/
}

TEST(DwarfGenerator, NonDwarfInputIsAClearError) {
  const std::string junk = test::scratchDir() + "/junk.dSYM";
  writeWholeFile(junk, "not a mach-o file at all");
  EXPECT_THROW(generateProfileFromDwarf(junk, "", {}), InputError);
  EXPECT_THROW(generateProfileFromDwarf(test::scratchDir() + "/absent.dSYM", "", {}), InputError);
}

// Headers whose counts the file cannot hold are refused before libdwarf sizes its
// tables by them (fuzz_dwarf: libdwarf asked for 254 GiB, or leaked its error).
TEST(DwarfGenerator, LyingMachOCountsAreRefusedBeforeLibdwarfAllocates) {
  std::string header(32, '\0');
  const auto put32 = [&](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) header[at + i] = static_cast<char>(v >> (8 * i));
  };
  put32(0, 0xfeedfacf);   // MH_MAGIC_64
  put32(4, 0x01000007);   // x86_64
  put32(12, 0xa);         // MH_DSYM
  put32(16, 0xffffffff);  // ncmds
  put32(20, 0x100);       // sizeofcmds
  const std::string lying = test::scratchDir() + "/lying-ncmds";
  writeWholeFile(lying, header + std::string(0x100, '\0'));
  try {
    generateProfileFromDwarf(lying, "", {});
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("4294967295 load commands"), std::string::npos)
        << error.what();
  }
  for (const char* input : {"macho-counts-ask-254-gib", "dsym-cut-leaks-init-error"}) {
    const std::string path = test::sourceDir() + "/tests/fuzz-regressions/fuzz_dwarf/" + input;
    EXPECT_THROW(generateProfileFromDwarf(path, "", {}), InputError) << input;
  }
}

}  // namespace
}  // namespace xnuscope
