// `xnuscope info` end to end: the JSON must equal the forge's truth.json exactly.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/CliRunner.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"

using xnuscope::test::forgeImage;
using xnuscope::test::ForgeRequest;
using xnuscope::test::runCli;

TEST(InfoCli, JsonEqualsTruthForDecoyImageInEveryFormat) {
  for (const char* format : {"raw", "elf", "lime"}) {
    const auto forged = forgeImage(ForgeRequest{.profile = "ElCapitan_10.11.6_15G1212",
                                                .seed = 41,
                                                .format = format,
                                                .extraArgs = {"--decoy-banner"}});
    // Options after the command word, as users type them.
    const auto result = runCli({"info", "--image", forged.image, "--format", "json"});
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const auto info = nlohmann::json::parse(result.out);
    for (const char* key :
         {"kernel_base_va", "kernel_base_pa", "kaslr_slide", "dtb", "banner", "uuid", "build"}) {
      EXPECT_EQ(info[key], forged.truth[key]) << format << " " << key;
    }
    EXPECT_EQ(info["profile"], "ElCapitan_10.11.6_15G1212 (15G1212, xnu-3248.60.11.1.2)")
        << "profile chosen by banner";
    bool decoyReported = false;
    for (const auto& decoy : info["decoys"]) {
      decoyReported |= decoy["pa"] == forged.truth["hostile"]["decoy_banner_pa"];
    }
    EXPECT_TRUE(decoyReported) << format;
    for (const auto& fact : info["facts"]) EXPECT_TRUE(fact["agreed"].get<bool>()) << fact.dump();
  }
}

TEST(InfoCli, TableAndCsvAndNoKernel) {
  const auto forged =
      forgeImage(ForgeRequest{.profile = "Mavericks_10.9.5_13F34", .seed = 42, .extraArgs = {}});
  const auto table = runCli({"--image", forged.image, "info"});
  ASSERT_EQ(table.exitCode, 0) << table.err;
  EXPECT_NE(table.out.find(forged.truth["kaslr_slide"].get<std::string>()), std::string::npos);
  EXPECT_NE(table.out.find("[agree] DTB maps kernel back to header PA"), std::string::npos);
  const auto csv = runCli({"--image", forged.image, "info", "--format", "csv"});
  ASSERT_EQ(csv.exitCode, 0) << csv.err;
  EXPECT_NE(csv.out.find("kernel_base_va," + forged.truth["kernel_base_va"].get<std::string>()),
            std::string::npos);
  // A zero-filled image holds no kernel: exit 1 with what was tried.
  const std::string empty = xnuscope::test::scratchDir() + "/zeros.raw";
  std::ofstream(empty, std::ios::binary) << std::string(1u << 20, '\0');
  const auto none = runCli({"--image", empty, "info"});
  EXPECT_EQ(none.exitCode, 1) << none.out << none.err;
  EXPECT_NE(none.err.find("no XNU kernel found"), std::string::npos) << none.err;
}
