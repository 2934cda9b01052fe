// End to end against a running guest: a real qemu-system-x86_64 (TCG, q35, 3 GiB so
// 1 GiB sits above 4 GiB) whose RAM holds a forge image, running the allproc-churn
// guest program in long mode on the forge's kernel page tables; it keeps inserting
// a proc into allproc (with a new pid each time) and removing it. The engine gets
// CR3 and the RAM layout from QEMU alone, lists the processes, and `watch` must
// report exactly those starts and exits — nothing else.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "ForgeGuest.h"
#include "LiveVm.h"
#include "qemu/QmpClient.h"
#include "support/CliRunner.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

using test::ChurnParameters;
using test::LiveVm;

constexpr const char* kBuild = "HighSierra_10.13.6_17G65";
constexpr std::size_t kSpareIndex = 4;

std::uint64_t hexOf(const nlohmann::json& value) {
  return std::stoull(value.get<std::string>(), nullptr, 16);
}

std::vector<nlohmann::json> jsonLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

class LiveGuestTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    image_ = std::make_unique<test::ForgedImage>(test::forgeImage({.profile = kBuild,
                                                                   .seed = 11,
                                                                   .ram = "3G",
                                                                   .procs = 16,
                                                                   .format = "elf",
                                                                   .extraArgs = {}}));
    params_ = test::churnParametersFor(*image_, kSpareIndex);
    const std::string dir = test::scratchDir() + "/churn";
    std::filesystem::create_directories(dir);
    test::LiveVmOptions options;
    options.bios = test::buildChurnGuestRom(dir, params_);
    vm_ = std::make_unique<LiveVm>(options);
    if (vm_->skipReason()) return;
    test::loadForgeIntoGuestRam(*image_, vm_->memPath(), options.ramBytes);
    control_ = std::make_unique<QmpClient>(vm_->controlQmpPath());
    control_->execute("cont");
    guestReady_ = vm_->waitForConsole('+', 1, std::chrono::seconds(20));
  }
  static void TearDownTestSuite() {
    control_.reset();
    vm_.reset();
    image_.reset();
  }
  void SetUp() override {
    if (vm_->skipReason()) GTEST_SKIP() << *vm_->skipReason();
    ASSERT_TRUE(guestReady_) << "the guest program did not reach its loop; debug console: \""
                             << vm_->debugConsole() << "\" QEMU log: " << vm_->log();
  }

  std::vector<std::string> liveArgs(std::vector<std::string> command) const {
    std::vector<std::string> args = {
        "--qemu-mem",   vm_->memPath(), "--qmp",
        vm_->qmpPath(), "--profile",    test::sourceDir() + "/xnu_profiles/" + kBuild + ".json"};
    args.insert(args.end(), command.begin(), command.end());
    return args;
  }

  static inline std::unique_ptr<test::ForgedImage> image_;
  static inline ChurnParameters params_;
  static inline std::unique_ptr<LiveVm> vm_;
  static inline std::unique_ptr<QmpClient> control_;
  static inline bool guestReady_ = false;
};

TEST_F(LiveGuestTest, Cr3AndRamLayoutComeFromQemu) {
  const auto image = test::runCli(liveArgs({"image", "--format", "json"}), 60);
  ASSERT_EQ(image.exitCode, 0) << image.err;
  const auto doc = nlohmann::json::parse(image.out);
  ASSERT_FALSE(doc["cpus"].empty());
  // The guest program loaded the forge's kernel PML4 into CR3; QEMU says so.
  EXPECT_EQ(hexOf(doc["cpus"][0]["cr3"]) & ~0xfffull, hexOf(image_->truth["dtb"]));
  bool sawHigh = false;
  for (const auto& range : doc["ranges"]) sawHigh |= range["start"] == "0x100000000";
  EXPECT_TRUE(sawHigh);

  const auto info = test::runCli(liveArgs({"info", "--format", "json"}), 240);
  ASSERT_EQ(info.exitCode, 0) << info.err;
  const auto kernel = nlohmann::json::parse(info.out);
  EXPECT_EQ(hexOf(kernel["dtb"]), hexOf(image_->truth["dtb"]));
  EXPECT_EQ(hexOf(kernel["kaslr_slide"]), hexOf(image_->truth["kaslr_slide"]));
}

TEST_F(LiveGuestTest, PslistListsTheGuestsProcessesWhileItRuns) {
  for (const bool freeze : {false, true}) {
    auto command = std::vector<std::string>{"pslist", "--format", "json"};
    if (freeze) command.push_back("--freeze");
    const auto result = test::runCli(liveArgs(command), 240);
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const auto doc = nlohmann::json::parse(result.out);
    std::map<std::uint64_t, std::int64_t> pidByAddress;
    for (const auto& row : doc["processes"]) {
      pidByAddress[hexOf(row["address"])] = row["pid"].get<std::int64_t>();
    }
    for (std::size_t i = 0; i < image_->truth["processes"].size(); ++i) {
      const auto& truth = image_->truth["processes"][i];
      const auto address = hexOf(truth["address"]);
      ASSERT_TRUE(pidByAddress.count(address))
          << "missing " << truth["name"] << " freeze=" << freeze;
      if (i == kSpareIndex) {
        // The guest renumbers its churning proc from firstPid on.
        EXPECT_GE(pidByAddress[address], static_cast<std::int64_t>(params_.firstPid));
      } else {
        EXPECT_EQ(pidByAddress[address], truth["pid"].get<std::int64_t>());
      }
    }
  }
  // --freeze let the guest run again afterwards.
  EXPECT_TRUE(control_->execute("query-status").value("running", false));
}

// Checks one watch run: only the churning proc produces events, starts and exits
// alternate per pid, and the guest's own count of insertions matches.
void expectOnlyChurnEvents(const std::vector<nlohmann::json>& lines, const ChurnParameters& params,
                           int minimumStarts) {
  int starts = 0, exits = 0;
  std::set<std::int64_t> started;
  bool sawSummary = false;
  for (const auto& line : lines) {
    const std::string event = line["event"];
    if (event == "summary") {
      sawSummary = true;
      continue;
    }
    if (event == "warning") continue;  // the spare on the task queue only: smeared notice
    ASSERT_TRUE(event == "start" || event == "exit") << line.dump();
    EXPECT_EQ(hexOf(line["address"]), params.spareProc) << "phantom event: " << line.dump();
    const auto pid = line["pid"].get<std::int64_t>();
    EXPECT_GE(pid, static_cast<std::int64_t>(params.firstPid)) << line.dump();
    if (event == "start") {
      ++starts;
      EXPECT_TRUE(started.insert(pid).second) << "pid started twice: " << line.dump();
    } else {
      ++exits;
      // An exit is for a pid seen starting, except the one alive when watching began.
      if (!started.empty()) {
        EXPECT_TRUE(started.count(pid) || exits == 1) << line.dump();
      }
    }
  }
  EXPECT_TRUE(sawSummary);
  EXPECT_GE(starts, minimumStarts);
  EXPECT_GE(exits, minimumStarts - 1);
  EXPECT_LE(std::abs(starts - exits), 1);
}

TEST_F(LiveGuestTest, WatchReportsEachStartAndExitAsItHappens) {
  const auto result = test::runCli(liveArgs({"watch", "--format", "json", "--duration", "4"}), 240);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  // 400 ms per state, 4 s: about five insertions; allow for a slow TCG start.
  expectOnlyChurnEvents(jsonLines(result.out), params_, 3);
}

TEST_F(LiveGuestTest, WatchWithFreezeStopsTheGuestOnlyWhilePolling) {
  const auto result = test::runCli(
      liveArgs({"watch", "--format", "json", "--duration", "3", "--freeze", "--rate", "20"}), 240);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  expectOnlyChurnEvents(jsonLines(result.out), params_, 2);
  EXPECT_TRUE(control_->execute("query-status").value("running", false));
}

TEST_F(LiveGuestTest, WatchTablePrintsOneLinePerEvent) {
  const auto result = test::runCli(liveArgs({"watch", "--duration", "2"}), 240);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("EVENT"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("start"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace xnuscope
