// Regression tests for the hostile-input findings of issue 14: each input once made
// xnuscope print "internal error", hang, or take gigabytes; each must now end with a
// clear one-line error (or correct, flagged output) quickly and in little memory.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <zlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/CliRunner.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"
#include "support/ZipWriter.h"

namespace xnuscope::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

std::string writeFile(const std::string& name, const std::string& content) {
  const std::string path = scratchDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A zip written by libarchive (deflate), members in order.
std::string writeZip(const std::string& name,
                     const std::vector<std::pair<std::string, std::string>>& members) {
  return writeZipFile(scratchDir() + "/" + name, members);
}

// gzip of `size` zero bytes, streamed: a decompression bomb without building it whole.
std::string writeGzipOfZeros(const std::string& name, std::uint64_t size) {
  const std::string path = scratchDir() + "/" + name;
  gzFile file = gzopen(path.c_str(), "wb9");
  const std::string block(1 << 20, '\0');
  for (std::uint64_t done = 0; done < size; done += block.size()) {
    gzwrite(file, block.data(), static_cast<unsigned>(block.size()));
  }
  gzclose(file);
  return path;
}

// The one-line error contract: non-zero exit, an "xnuscope: " line, no internal error.
void expectCleanError(const CliResult& result, int exitCode, const std::string& needle,
                      const std::string& what) {
  EXPECT_EQ(result.exitCode, exitCode) << what << "\nstderr: " << result.err;
  EXPECT_NE(result.err.find("xnuscope: "), std::string::npos) << what << ": " << result.err;
  EXPECT_EQ(result.err.find("internal error"), std::string::npos) << what << ": " << result.err;
  EXPECT_NE(result.err.find(needle), std::string::npos)
      << what << ": expected '" << needle << "' in: " << result.err;
}

// Peak resident memory (KiB) of the children this test process has waited for. ctest
// runs each test in its own process, so this covers only this test's commands.
long childPeakKib() {
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  return usage.ru_maxrss;
}

ForgedImage smallGuest() {
  return forgeImage({.profile = "HighSierra_10.13.6_17G65",
                     .seed = 14,
                     .ram = "128M",
                     .procs = 6,
                     .format = "raw",
                     .extraArgs = {}});
}

// A copy of the guest where every "<needle>\0" has its first byte set to 0xFF.
std::string withByteFF(const ForgedImage& forged, const std::string& needle,
                       const std::string& name, int* hits) {
  std::string bytes = readFile(forged.image);
  *hits = 0;
  for (std::size_t at = bytes.find(needle); at != std::string::npos;
       at = bytes.find(needle, at + 1)) {
    bytes[at] = '\xff';
    ++*hits;
  }
  return writeFile(name, bytes);
}

Json parseJsonOut(const CliResult& result, const std::string& what) {
  try {
    return Json::parse(result.out);
  } catch (const std::exception& error) {
    ADD_FAILURE() << what << ": stdout is not JSON (" << error.what() << ")\n" << result.err;
    return Json();
  }
}

// --- non-UTF-8 bytes and --format json -------------------------------------------------

TEST(HostileInput, NonUtf8ProcessNameIsReplacedInJsonAndFlagged) {
  const ForgedImage forged = smallGuest();
  std::string victim;
  for (const Json& process : forged.truth["processes"]) {
    if (process["pid"].get<int>() > 0 && process["comm"].get<std::string>().size() > 3) {
      victim = process["comm"].get<std::string>();
      break;
    }
  }
  ASSERT_FALSE(victim.empty());
  int hits = 0;
  const std::string image = withByteFF(forged, victim + std::string(1, '\0'), "ff-comm.raw", &hits);
  ASSERT_GT(hits, 0);
  const std::string expected = kReplacement + victim.substr(1);
  for (const char* command : {"pslist", "pstree"}) {
    SCOPED_TRACE(command);
    const CliResult result = runCli({"--image", image, command, "--format", "json"}, 120);
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const Json doc = parseJsonOut(result, command);
    EXPECT_NE(result.out.find(expected), std::string::npos) << "no U+FFFD name in " << command;
    EXPECT_NE(result.err.find("not UTF-8"), std::string::npos) << result.err;
    ASSERT_TRUE(doc.contains("warnings"));
    EXPECT_NE(doc["warnings"].dump().find("not UTF-8"), std::string::npos);
  }
  // CSV keeps the raw bytes.
  const CliResult csv = runCli({"--image", image, "pslist", "--format", "csv"}, 120);
  ASSERT_EQ(csv.exitCode, 0) << csv.err;
  EXPECT_NE(csv.out.find("\xff" + victim.substr(1)), std::string::npos);
}

TEST(HostileInput, NonUtf8MessageBufferIsReplacedInJsonAndFlagged) {
  const ForgedImage forged = smallGuest();
  const std::string text = forged.truth["msgbuf"]["text"].get<std::string>();
  // A line from the middle of the ring (the forge wraps it): unique enough to find.
  const auto newline = text.find('\n', text.size() / 2);
  ASSERT_NE(newline, std::string::npos);
  const std::string line = text.substr(newline + 1, 24);
  std::string bytes = readFile(forged.image);
  const auto at = bytes.find(line);
  ASSERT_NE(at, std::string::npos) << line;
  bytes[at] = '\xff';
  const std::string image = writeFile("ff-msgbuf.raw", bytes);
  const CliResult result = runCli({"--image", image, "dmesg", "--format", "json"}, 120);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  parseJsonOut(result, "dmesg");
  EXPECT_NE(result.out.find(kReplacement + line.substr(1)), std::string::npos);
  EXPECT_NE(result.err.find("not UTF-8"), std::string::npos) << result.err;
}

TEST(HostileInput, NonUtf8PathsInInfoJson) {
  const ForgedImage forged = smallGuest();
  // Both paths hold bytes that are not UTF-8; info reports the profile's path.
  const std::string image = scratchDir() + "/image-\xff\xfe.raw";
  fs::create_symlink(forged.image, image);
  const std::string profile = scratchDir() + "/profile-\xff.json";
  fs::copy_file(sourceDir() + "/xnu_profiles/HighSierra_10.13.6_17G65.json", profile);
  const CliResult result =
      runCli({"--image", image, "--profile", profile, "info", "--format", "json"}, 120);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const Json doc = parseJsonOut(result, "info");
  EXPECT_NE(doc["profile_source"].get<std::string>().find("profile-" + kReplacement + ".json"),
            std::string::npos)
      << doc["profile_source"];
  EXPECT_NE(result.err.find("not UTF-8"), std::string::npos) << result.err;
}

TEST(HostileInput, Vol2ZipWithNonUtf8NamesImportsWithoutThem) {
  const std::string vtypes =
      "mac_types = {\n"
      "  'proc': [0x390, {'p_pid': [0x10, ['int']], '\\xffbad': [0x18, ['int']]}],\n"
      "  'bad\\xfe': [8, {'x': [0, ['int']]}],\n"
      "}\n";
  const std::string symbols =
      "[     0] 00000004 0f (     SECT EXT) 08     0000   ffffff8000a0560c '_allproc'\n";
  const std::string zip =
      writeZip("ff.zip", {{"k.vtypes", vtypes}, {"k.symbol.dsymutil", symbols}});
  const std::string out = scratchDir() + "/ff-out";
  const CliResult result =
      runCli({"profile", "import", "--vol2", zip, "-o", out, "--format", "json"}, 60);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const Json doc = parseJsonOut(result, "import");
  EXPECT_EQ(doc["dropped"], 2) << result.out;
  EXPECT_NE(result.err.find("\\xffbad"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("bad\\xfe"), std::string::npos) << result.err;
  // The written (walker-compact) profile loads again and still names the dropped
  // member of a walker struct (proc); the unrelated struct is not carried over.
  const CliResult show =
      runCli({"profile", "show", doc["path"].get<std::string>(), "--format", "json"}, 60);
  ASSERT_EQ(show.exitCode, 0) << show.err;
  const Json shown = parseJsonOut(show, "show");
  EXPECT_EQ(shown["dropped_count"], 1);
  EXPECT_TRUE(shown["dropped"].contains("proc.\\xffbad")) << shown["dropped"];
}

// --- numbers and JSON types a profile must not have ------------------------------------

TEST(HostileInput, ProfileNumbersOutOfRangeAndWrongKindTypesAreInputErrors) {
  const std::string nativeHead = "{\"format\": \"xnuscope-profile\", \"format_version\": ";
  const std::string isfHead = "{\"metadata\": {\"format\": \"6.2.0\"}, \"base_types\": {}, ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"native 1e999", nativeHead + "1e999}"},
      {"native 400 digits", nativeHead + std::string(400, '9') + "}"},
      {"isf 1e999", isfHead + "\"user_types\": {}, \"symbols\": {\"x\": {\"address\": 1e999}}}"},
  };
  for (const auto& [what, text] : cases) {
    const std::string path = writeFile("num.json", text);
    const CliResult result = runCli({"profile", "show", path}, 30);
    expectCleanError(result, 2, "not valid JSON", what);
  }
  // ISF "kind" of the wrong JSON type: the member is dropped, named, not a crash.
  for (const char* kind : {"7", "{}", "[1]"}) {
    const std::string text = isfHead +
                             "\"user_types\": {\"proc\": {\"kind\": \"struct\", \"size\": 8, "
                             "\"fields\": {\"p_pid\": {\"offset\": 0, \"type\": {\"kind\": " +
                             kind + "}}}}}, \"symbols\": {}}";
    const std::string path = writeFile("kind.json", text);
    const CliResult result = runCli({"profile", "show", path, "--format", "json"}, 30);
    ASSERT_EQ(result.exitCode, 0) << kind << ": " << result.err;
    EXPECT_EQ(result.err.find("internal error"), std::string::npos);
    const Json doc = parseJsonOut(result, kind);
    EXPECT_EQ(doc["dropped_count"], 1) << kind;
    EXPECT_TRUE(doc["dropped"].contains("proc.p_pid")) << doc["dropped"];
  }
}

TEST(HostileInput, DeeplyNestedProfileIsRefusedWithoutStackOverflow) {
  const std::string deep =
      "{\"metadata\": {\"format\": \"6.2.0\"}, \"user_types\": {}, "
      "\"symbols\": {}, \"x\": " +
      std::string(200000, '[') + std::string(200000, ']') + "}";
  const CliResult result = runCli({"profile", "show", writeFile("deep.json", deep)}, 30);
  EXPECT_LT(result.exitCode, 128) << "killed by a signal";
  expectCleanError(result, 2, "deeper than", "deep nesting");
}

// --- files that are not files ----------------------------------------------------------

TEST(HostileInput, FifoAsImageIsRefusedWithoutHanging) {
  const std::string fifo = scratchDir() + "/image.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  const CliResult result = runCli({"--image", fifo, "info"}, 20);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  expectCleanError(result, 2, "not a regular file", "fifo");
  EXPECT_LT(seconds.count(), 10.0);
  const CliResult profile = runCli({"profile", "show", fifo}, 20);
  expectCleanError(profile, 2, "not a regular file", "fifo as profile");
}

// --- decompression bombs: refused fast, in little memory -------------------------------

TEST(HostileInput, Vol2ZipBombIsRefusedBeforeInflating) {
  // 48 MiB of zeros deflate to ~50 KiB; the member declares more than any profile has.
  const std::string zeros(48u << 20, '\0');
  const std::string zip =
      writeZip("bomb.zip", {{"k.vtypes", zeros}, {"k.symbol.dsymutil", "0x0 T _x\n"}});
  ASSERT_LT(fs::file_size(zip), 1u << 20);
  const auto start = std::chrono::steady_clock::now();
  const CliResult result =
      runCli({"profile", "import", "--vol2", zip, "-o", scratchDir() + "/bomb-out"}, 60);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  expectCleanError(result, 2, "declares", "zip bomb");
  EXPECT_LT(seconds.count(), 5.0);
  EXPECT_LT(childPeakKib(), 256 * 1024) << "peak RSS of the refusal";
}

TEST(HostileInput, GzipIsfBombIsRefusedAtTheLimit) {
  const std::string bomb = writeGzipOfZeros("bomb.json.gz", 1ull << 30);  // 1 GiB of zeros
  const auto start = std::chrono::steady_clock::now();
  const CliResult result = runCli({"profile", "show", bomb}, 120);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
  expectCleanError(result, 2, "expands beyond", "gzip bomb");
  EXPECT_LT(seconds.count(), 20.0);
  EXPECT_LT(childPeakKib(), 700 * 1024) << "peak RSS of the refusal";
}

// --- a profile whose struct sizes no XNU has ------------------------------------------

TEST(HostileInput, ImplausibleStructSizeIsAnErrorNotAnEmptySuccess) {
  const ForgedImage forged = smallGuest();
  Json profile = Json::parse(readFile(sourceDir() + "/xnu_profiles/HighSierra_10.13.6_17G65.json"));
  profile["structs"]["proc"]["size"] = 1ull << 40;
  const std::string path = writeFile("huge-proc.json", profile.dump());
  const CliResult result = runCli({"--image", forged.image, "--profile", path, "pslist"}, 120);
  expectCleanError(result, 1, "sizeof(struct proc)", "implausible proc size");
}

// --- a profile of another build that cannot be checked ----------------------------

// An ISF of 10.12.6 stripped of everything that names its build (no banner, no UUID,
// no _version) on a 10.13.6 guest: the walk recovers nothing, and that is an error
// (a kernel always has kernel_task), not an empty list with exit 0.
TEST(HostileInput, UncheckableProfileOfAnotherBuildIsAnErrorNotAnEmptyList) {
  const ForgedImage guest = smallGuest();
  const ForgedImage other = forgeImage(
      {.profile = "Sierra_10.12.6_16G29", .seed = 4, .ram = "64M", .procs = 4, .extraArgs = {}});
  Json isf = Json::parse(readFile(other.isfPath));
  isf["metadata"].erase("mac");
  isf["metadata"]["producer"].erase("xnuscope");
  isf["symbols"].erase("version");
  isf["symbols"].erase("_version");
  const std::string path = writeFile("sierra-unnamed.isf.json", isf.dump());
  for (const char* format : {"table", "json"}) {
    const CliResult result =
        runCli({"--image", guest.image, "--profile", path, "--format", format, "pslist"}, 120);
    expectCleanError(result, 1, "no process could be recovered", "uncheckable foreign profile");
    EXPECT_NE(result.err.find("cannot be checked"), std::string::npos) << result.err;
    EXPECT_TRUE(result.out.empty()) << result.out;
  }
}

}  // namespace
}  // namespace xnuscope::test
