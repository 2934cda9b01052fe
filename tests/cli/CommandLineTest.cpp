// The command-line contract (DESIGN.md): options before or after the command,
// --help per command, exit codes 0/1/2, one-line errors.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/CliRunner.h"
#include "support/TestPaths.h"

using xnuscope::test::runCli;
using xnuscope::test::scratchDir;

namespace {

std::string writeFile(const std::string& name, const std::string& bytes) {
  const std::string path = scratchDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::size_t lineCount(const std::string& text) {
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

}  // namespace

TEST(CommandLine, HelpListsCommandsAndExitsZero) {
  const auto result = runCli({"--help"});
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_NE(result.out.find("Commands:"), std::string::npos);
  EXPECT_NE(result.out.find("image"), std::string::npos);
  EXPECT_NE(result.out.find("--format"), std::string::npos);
}

TEST(CommandLine, EachCommandHasHelp) {
  const auto result = runCli({"image", "--help"});
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_NE(result.out.find("Usage: xnuscope [global options] image"), std::string::npos);
}

TEST(CommandLine, NoCommandIsUsageError) {
  const auto result = runCli({});
  EXPECT_EQ(result.exitCode, 2);
}

TEST(CommandLine, UnknownCommandIsOneLineUsageError) {
  const auto result = runCli({"frobnicate"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_EQ(lineCount(result.err), 1u) << result.err;
  EXPECT_NE(result.err.find("unknown command 'frobnicate'"), std::string::npos);
}

TEST(CommandLine, BadFormatIsUsageError) {
  const auto result = runCli({"image", "--format", "xml", "--image", "/nonexistent"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("--format must be table, json or csv"), std::string::npos);
}

TEST(CommandLine, UnknownOptionIsUsageError) {
  const auto result = runCli({"image", "--frob"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_EQ(lineCount(result.err), 1u) << result.err;
}

TEST(CommandLine, MissingImageSaysWhatToGive) {
  const auto result = runCli({"image"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("--image"), std::string::npos);
  EXPECT_EQ(lineCount(result.err), 1u) << result.err;
}

TEST(CommandLine, OptionsBeforeOrAfterCommandMeanTheSame) {
  std::string bytes(64 * 1024, '\0');
  bytes[4096] = 'X';
  const std::string image = writeFile("options-order.raw", bytes);
  const auto before = runCli({"--image", image, "--format", "json", "image"});
  const auto after = runCli({"image", "--image", image, "--format", "json"});
  const auto mixed = runCli({"--format=json", "image", "--image=" + image});
  ASSERT_EQ(before.exitCode, 0) << before.err;
  EXPECT_EQ(before.out, after.out);
  EXPECT_EQ(before.out, mixed.out);
  const auto doc = nlohmann::json::parse(before.out);
  EXPECT_EQ(doc["format"], "raw");
  EXPECT_EQ(doc["backed_bytes"], 64 * 1024);
}

TEST(CommandLine, CsvAndTableAreRowsNotJson) {
  const std::string image = writeFile("csv.raw", std::string(8192, '\1'));
  const auto csv = runCli({"image", "--image", image, "--format", "csv"});
  ASSERT_EQ(csv.exitCode, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("key,value\n", 0), 0u);
  const auto table = runCli({"image", "--image", image});
  ASSERT_EQ(table.exitCode, 0) << table.err;
  EXPECT_NE(table.out.find("format"), std::string::npos);
  EXPECT_EQ(table.out.find('{'), std::string::npos);
}

TEST(CommandLine, EmptyImageIsUnreadableInput) {
  const std::string image = writeFile("empty.raw", "");
  const auto result = runCli({"image", "--image", image});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_EQ(lineCount(result.err), 1u) << result.err;
}

TEST(CommandLine, VersionPrints) {
  const auto result = runCli({"--version"});
  EXPECT_EQ(result.exitCode, 0);
  EXPECT_EQ(result.out.rfind("xnuscope ", 0), 0u);
}
