#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "ImageBuilders.h"
#include "core/Error.h"
#include "physmem/ImageOpener.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

using test::Bytes;

std::string errorOf(const std::string& path) {
  try {
    openPhysicalMemory(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// A file of `size` bytes whose first bytes are `magic`, the rest pseudo-random.
std::string withMagic(const std::string& name, std::string_view magic, std::size_t size = 8192) {
  Bytes bytes = test::patternBytes(size, 11);
  std::memcpy(bytes.data(), magic.data(), magic.size());
  const std::string path = test::scratchDir() + "/" + name;
  test::writeFile(path, bytes);
  return path;
}

TEST(ImageOpener, DetectsEachFormatByContentNotByName) {
  const std::string dir = test::scratchDir();
  // Misleading names on purpose.
  const std::string lime = dir + "/memory.elf";
  test::writeFile(lime, test::buildLime({{0x1000, test::patternBytes(0x2000, 1)}}));
  test::ElfCoreSpec spec;
  spec.loads = {{0x0, test::patternBytes(0x2000, 2), 0}};
  const std::string elf = dir + "/memory.lime";
  test::writeFile(elf, test::buildElfCore(spec));
  const std::string raw = dir + "/memory.core";
  test::writeFile(raw, test::patternBytes(0x3000, 3));

  EXPECT_EQ(openPhysicalMemory(lime)->formatName(), "lime");
  EXPECT_EQ(openPhysicalMemory(elf)->formatName(), "elf-core");
  EXPECT_EQ(openPhysicalMemory(raw)->formatName(), "raw");
}

TEST(ImageOpener, ForeignFormatsAreNamedInOneLine) {
  struct Case {
    std::string_view magic;
    std::string expected;
  };
  using namespace std::string_view_literals;
  const Case cases[] = {
      {"\x1f\x8b\x08\x00"sv, "gzip"},
      {"\xfd"
       "7zXZ\x00"sv,
       "xz"},
      {"PK\x03\x04"sv, "zip"},
      {"KDUMP   "sv, "kdump"},
      {"PAGEDU64"sv, "Windows crash dump"},
      {"HIBR"sv, "hibernation"},
      {"\xcf\xfa\xed\xfe\x07\x00\x00\x01"sv, "Mach-O"},
      {"QEVM"sv, "QEMU migration"},
      {"\xd2\xbe\xd2\xbe"sv, "VMware"},
  };
  int index = 0;
  for (const auto& c : cases) {
    const std::string message = errorOf(withMagic("foreign" + std::to_string(index++), c.magic));
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
    EXPECT_NE(message.find("8.0 KiB"), std::string::npos) << message;  // the size
    EXPECT_NE(message.find("accepted:"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(ImageOpener, TextFileIsNotAMemoryImage) {
  std::string text;
  while (text.size() < 8192) text += "{\"profile\": \"not a memory image\"}\n";
  const std::string path = test::scratchDir() + "/profile.json";
  test::writeFile(path, Bytes(text.begin(), text.end()));
  EXPECT_NE(errorOf(path).find("text file"), std::string::npos);
}

TEST(ImageOpener, EmptyTinyDirectoryMissingAndUnreadableAreInputErrors) {
  const std::string dir = test::scratchDir();
  test::writeFile(dir + "/empty.raw", {});
  EXPECT_NE(errorOf(dir + "/empty.raw").find("empty"), std::string::npos);

  test::writeFile(dir + "/tiny.raw", test::patternBytes(100, 1));
  const std::string tiny = errorOf(dir + "/tiny.raw");
  EXPECT_NE(tiny.find("too small"), std::string::npos) << tiny;
  EXPECT_NE(tiny.find("100 B"), std::string::npos) << tiny;

  std::filesystem::create_directories(dir + "/a-directory");
  EXPECT_NE(errorOf(dir + "/a-directory").find("directory"), std::string::npos);
  EXPECT_NE(errorOf(dir + "/missing.raw").find("No such file"), std::string::npos);

  if (::geteuid() != 0) {  // root reads anything
    test::writeFile(dir + "/unreadable.raw", test::patternBytes(8192, 1));
    ::chmod((dir + "/unreadable.raw").c_str(), 0);
    EXPECT_NE(errorOf(dir + "/unreadable.raw").find("Permission denied"), std::string::npos);
  }
}

TEST(ImageOpener, TinyElfOrLimeIsReportedAsTruncated) {
  const std::string dir = test::scratchDir();
  test::writeFile(dir + "/stub.elf", {0x7f, 'E', 'L', 'F', 2, 1, 1});
  EXPECT_NE(errorOf(dir + "/stub.elf").find("truncated"), std::string::npos);
  test::writeFile(dir + "/stub.lime", {'E', 'M', 'i', 'L', 1, 0, 0, 0});
  EXPECT_NE(errorOf(dir + "/stub.lime").find("truncated"), std::string::npos);
}

}  // namespace
}  // namespace xnuscope
