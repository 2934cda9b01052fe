// The engine API (engine/Target.h) over forge images: the resolution and its
// recorded steps, the ProfileDeriver hook between exact profiles and beacons,
// virtual reads with holes, errors, and the same answer as the CLI.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/Error.h"
#include "core/Hex.h"
#include "engine/Target.h"
#include "profile/ProfileRepository.h"
#include "support/CliRunner.h"
#include "support/ForgeImages.h"
#include "support/TestPaths.h"

namespace xnuscope::test {
namespace {

using Json = nlohmann::json;

std::uint64_t hexValue(const Json& value) {
  return std::stoull(value.get<std::string>(), nullptr, 16);
}

const ForgedImage& highSierra() {
  static const ForgedImage image = forgeImage({.profile = "HighSierra_10.13.6_17G65",
                                               .seed = 31,
                                               .ram = "128M",
                                               .procs = 12,
                                               .extraArgs = {"--zombies", "1"}});
  return image;
}

std::string committedProfiles() { return sourceDir() + "/xnu_profiles"; }

std::string emptyProfileDirectory() {
  const std::string dir = scratchDir() + "/no-profiles";
  std::filesystem::create_directories(dir);
  return dir;
}

const engine::ResolutionStep* findStep(const std::vector<engine::ResolutionStep>& steps,
                                       const std::string& stage) {
  for (const auto& step : steps) {
    if (step.stage == stage) return &step;
  }
  return nullptr;
}

std::vector<std::int32_t> truthPids(const Json& truth) {
  std::vector<std::int32_t> pids;
  for (const auto& p : truth["processes"]) pids.push_back(p["pid"].get<std::int32_t>());
  return pids;
}

std::vector<std::int32_t> pidsOf(const engine::ProcessList& list) {
  std::vector<std::int32_t> pids;
  for (const auto& p : list.processes) pids.push_back(p.pid);
  return pids;
}

TEST(Target, ResolutionRecordsEveryStepAndServesTheWalkers) {
  const auto& forged = highSierra();
  const auto target =
      engine::Target::open({.image = forged.image, .profileDirectories = {committedProfiles()}});
  const engine::TargetInfo info = target->info();
  EXPECT_EQ(info.kernel.kaslrSlide, hexValue(forged.truth["kaslr_slide"]));
  EXPECT_EQ(info.kernel.build, "17G65");
  EXPECT_EQ(info.profileSource, engine::ProfileSource::Exact);
  EXPECT_EQ(info.profileOrigin, "auto (banner)");
  ASSERT_TRUE(info.profile.has_value());
  EXPECT_NE(info.profile->find("HighSierra_10.13.6_17G65"), std::string::npos);
  std::vector<std::string> stages;
  for (const auto& step : info.steps) {
    EXPECT_TRUE(step.succeeded) << step.stage << ": " << step.detail;
    stages.push_back(step.stage);
  }
  EXPECT_EQ(stages,
            (std::vector<std::string>{"locate", "exact profile", "profile check", "re-locate"}));
  EXPECT_NE(info.steps.back().detail.find("_IdlePML4"), std::string::npos)
      << info.steps.back().detail;

  const engine::ProcessList list = target->processes();
  EXPECT_EQ(list.source, engine::ProfileSource::Exact);
  EXPECT_EQ(pidsOf(list), truthPids(forged.truth));
  EXPECT_EQ(target->processSource().source(), engine::ProfileSource::Exact);
}

// A stand-in for src/derive: it knows nothing of the image, only the kernel the
// engine located, and answers with the committed profile of that kernel's build.
class BuildLookupDeriver : public engine::ProfileDeriver {
 public:
  std::string name() const override { return "test lookup"; }
  std::optional<engine::DerivedProfile> derive(const engine::DerivationInput& input,
                                               std::string& whyNot) override {
    ++calls;
    const KernelInfo& kernel = input.kernel;
    seenBuild = kernel.build;
    // The kernel memory it is handed reads the kernel's own Mach-O header.
    seenMagic = input.kernelMemory.readU32(kernel.kernelBaseVa).value_or(0);
    const ProfileRepository repository({committedProfiles()});
    for (const auto& entry : repository.entries()) {
      if (entry.identity.build == kernel.build) {
        return engine::DerivedProfile{ProfileRepository::load(entry)};
      }
    }
    whyNot = "no committed profile of build " + kernel.build;
    return std::nullopt;
  }
  int calls = 0;
  std::string seenBuild;
  std::uint32_t seenMagic = 0;
};

class RefusingDeriver : public engine::ProfileDeriver {
 public:
  std::string name() const override { return "test refusal"; }
  std::optional<engine::DerivedProfile> derive(const engine::DerivationInput&,
                                               std::string& whyNot) override {
    whyNot = "accessor for proc.p_pid not found";
    return std::nullopt;
  }
};

TEST(Target, ADeriverServesWhenNoExactProfileFits) {
  const auto& forged = highSierra();
  auto deriver = std::make_shared<BuildLookupDeriver>();
  const auto target = engine::Target::open({.image = forged.image,
                                            .profileDirectories = {emptyProfileDirectory()},
                                            .derivers = {deriver}});
  const engine::ProcessList list = target->processes();
  EXPECT_EQ(deriver->calls, 1);
  EXPECT_EQ(deriver->seenBuild, "17G65");
  EXPECT_EQ(deriver->seenMagic, 0xfeedfacfu);  // MH_MAGIC_64
  EXPECT_EQ(list.source, engine::ProfileSource::Derived);
  EXPECT_EQ(pidsOf(list), truthPids(forged.truth));
  const engine::Resolution& resolved = target->resolution();
  EXPECT_EQ(resolved.profileSource, engine::ProfileSource::Derived);
  EXPECT_EQ(resolved.profileOrigin, "derived (test lookup)");
  // processes() resolves without decoys, so the first pass left the DTB out; with
  // no profile to follow, derivation got it after all.
  EXPECT_FALSE(resolved.kernel.dtbDeferred);
  EXPECT_EQ(hex(resolved.kernel.dtb), forged.truth["dtb"].get<std::string>());
  const auto* exact = findStep(resolved.steps, "exact profile");
  ASSERT_NE(exact, nullptr);
  EXPECT_FALSE(exact->succeeded);
  const auto* derived = findStep(resolved.steps, "derived profile");
  ASSERT_NE(derived, nullptr);
  EXPECT_TRUE(derived->succeeded) << derived->detail;
  // A derived profile is built from this kernel: there is no build to compare.
  EXPECT_EQ(findStep(resolved.steps, "profile check"), nullptr);
  EXPECT_EQ(deriver->calls, 1) << "the resolution is done once per Target";
}

TEST(Target, WithoutProfileOrBeaconsTheWalkersSayWhyAndInfoStillAnswers) {
  const auto& forged = highSierra();
  const auto target = engine::Target::open({.image = forged.image,
                                            .profileDirectories = {emptyProfileDirectory()},
                                            .derivers = {std::make_shared<RefusingDeriver>()},
                                            .deriveProfiles = false});
  std::string first;
  try {
    target->processes();
    FAIL() << "expected AnalysisError";
  } catch (const AnalysisError& error) {
    first = error.what();
  }
  EXPECT_NE(first.find("--profile"), std::string::npos) << first;
  EXPECT_NE(first.find("test refusal: accessor for proc.p_pid not found"), std::string::npos)
      << first;
  // The same answer again, without a second resolution.
  try {
    target->maps(1);
    FAIL() << "expected AnalysisError";
  } catch (const AnalysisError& error) {
    EXPECT_EQ(first, error.what());
  }
  EXPECT_THROW(target->kexts(), AnalysisError);
  // The kernel's own address space needs no profile: the proven DTB reads its header.
  const engine::VirtualRead header =
      target->readVirtual(std::nullopt, target->resolution().kernel.kernelBaseVa, 4);
  ASSERT_TRUE(header.complete());
  EXPECT_EQ(header.bytes, (std::vector<std::uint8_t>{0xcf, 0xfa, 0xed, 0xfe}));

  const engine::TargetInfo info = target->info();
  EXPECT_FALSE(info.profile.has_value());
  EXPECT_FALSE(info.profileSource.has_value());
  EXPECT_EQ(info.kernel.build, "17G65");
  const auto* derived = findStep(info.steps, "derived profile");
  ASSERT_NE(derived, nullptr);
  EXPECT_FALSE(derived->succeeded);
}

TEST(Target, AProfileOfAnotherBuildIsRefusedNamingBothUnlessForced) {
  const auto& forged = highSierra();
  const std::string sierra = committedProfiles() + "/Sierra_10.12.6_16G29.json";
  const auto refused = engine::Target::open({.image = forged.image, .profile = sierra});
  try {
    refused->processes();
    FAIL() << "expected AnalysisError";
  } catch (const AnalysisError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("16G29"), std::string::npos) << message;
    EXPECT_NE(message.find("17G65"), std::string::npos) << message;
  }
  std::vector<std::string> warned;
  const auto forced = engine::Target::open(
      {.image = forged.image,
       .profile = sierra,
       .force = true,
       .warn = [&](const std::string& message) { warned.push_back(message); }});
  forced->xnu();
  ASSERT_FALSE(warned.empty());
  EXPECT_NE(warned.front().find("16G29"), std::string::npos) << warned.front();
}

TEST(Target, ReadVirtualGivesKernelBytesAndMarksHoles) {
  const auto& forged = highSierra();
  const auto target =
      engine::Target::open({.image = forged.image, .profileDirectories = {committedProfiles()}});
  const std::uint64_t base = target->info().kernel.kernelBaseVa;
  const engine::VirtualRead header = target->readVirtual(std::nullopt, base, 8);
  ASSERT_TRUE(header.complete());
  EXPECT_EQ(header.space.name, "kernel");
  EXPECT_EQ(header.space.root, target->info().kernel.dtb);
  // MH_MAGIC_64, then CPU_TYPE_X86_64.
  EXPECT_EQ(header.bytes, (std::vector<std::uint8_t>{0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1}));

  // The kernel's page tables map nothing this low: the read does not stop at the
  // first unmapped page, it zero-fills and reports the range as one merged hole.
  const engine::VirtualRead gap = target->readVirtual(std::nullopt, 0x1000, 0x2000);
  ASSERT_EQ(gap.bytes.size(), 0x2000u);
  ASSERT_EQ(gap.holes.size(), 1u);
  EXPECT_EQ(gap.holes.front().start, 0x1000u);
  EXPECT_EQ(gap.holes.front().end, 0x3000u);
  EXPECT_EQ(gap.bytes, std::vector<std::uint8_t>(0x2000, 0));

  EXPECT_THROW(target->readVirtual(std::nullopt, base, (1ull << 30) + 1), InputError);
  EXPECT_THROW(target->readVirtual(std::nullopt, ~0ull - 0xfff, 0x2000), InputError);
  EXPECT_THROW(target->readVirtual(99999, base, 8), InputError);  // no such pid
}

TEST(Target, OpeningNothingOrAMissingFileIsAnInputError) {
  EXPECT_THROW(engine::Target::open({}), InputError);
  EXPECT_THROW(engine::Target::open({.image = scratchDir() + "/missing.raw"}), InputError);
  EXPECT_THROW(engine::Target::open({.qemuMem = scratchDir() + "/mem"}), InputError);
}

TEST(Target, AnImageWithoutKernelOrBeaconsIsAnAnalysisError) {
  const std::string path = scratchDir() + "/zeros.raw";
  {
    std::ofstream out(path, std::ios::binary);
    out.seekp((8 << 20) - 1);
    out.put('\0');
  }
  const auto target = engine::Target::open({.image = path});
  EXPECT_THROW(target->info(), AnalysisError);
  EXPECT_THROW(target->processes(), AnalysisError);
  EXPECT_FALSE(target->beacons().hasSession());
}

TEST(Target, ProcessesEqualTheCliPslist) {
  const auto& forged = highSierra();
  const auto target =
      engine::Target::open({.image = forged.image, .profileDirectories = {committedProfiles()}});
  const engine::ProcessList list = target->processes();
  const CliResult cli = runCli({"pslist", "--image", forged.image, "--format", "json"});
  ASSERT_EQ(cli.exitCode, 0) << cli.err;
  const Json doc = Json::parse(cli.out);
  ASSERT_EQ(doc["processes"].size(), list.processes.size());
  for (std::size_t i = 0; i < list.processes.size(); ++i) {
    const auto& row = doc["processes"][i];
    EXPECT_EQ(row["pid"], list.processes[i].pid);
    EXPECT_EQ(row["ppid"], list.processes[i].ppid);
    EXPECT_EQ(row["name"], list.processes[i].name);
    EXPECT_EQ(hexValue(row["address"]), list.processes[i].address.value());
  }
}

}  // namespace
}  // namespace xnuscope::test
