// The live source against a real qemu-system-x86_64: QEMU itself puts known bytes
// at known guest-physical addresses (-device loader, below and above 4 GiB); the
// source must find them through the layout it learns over QMP, and read the vCPUs'
// registers from QEMU. Skips only when QEMU cannot start.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "LiveVm.h"
#include "core/Error.h"
#include "qemu/GuestFreeze.h"
#include "qemu/QemuLiveMemory.h"
#include "support/CliRunner.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

using test::LiveVm;
using test::LiveVmOptions;

std::vector<std::uint8_t> randomBlob(std::size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> bytes(size);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
  return bytes;
}

std::string writeBlob(const std::vector<std::uint8_t>& bytes, const std::string& name) {
  const std::string path = test::scratchDir() + "/" + name;
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}

// Blobs QEMU loads at reset: one in low RAM, one straddling nothing at an odd
// address above 4 GiB, one ending exactly at the top of RAM below 4 GiB.
struct Blob {
  std::uint64_t pa;
  std::vector<std::uint8_t> bytes;
};

class QemuLiveMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    blobs_ = {{0x123000, randomBlob(0x2000, 1)},
              {0x100345678, randomBlob(0x1234, 2)},
              {0x80000000 - 0x1000, randomBlob(0x1000, 3)}};
    LiveVmOptions options;
    options.extraArgs = {"-smp", "2"};
    int i = 0;
    for (const auto& blob : blobs_) {
      const auto path = writeBlob(blob.bytes, "blob" + std::to_string(i++) + ".bin");
      options.extraArgs.push_back("-device");
      options.extraArgs.push_back("loader,file=" + path + ",addr=" + std::to_string(blob.pa) +
                                  ",force-raw=on");
    }
    vm_ = std::make_unique<LiveVm>(options);
    if (vm_->skipReason()) GTEST_SKIP() << *vm_->skipReason();
  }

  std::vector<Blob> blobs_;
  std::unique_ptr<LiveVm> vm_;
};

TEST_F(QemuLiveMemoryTest, ReadsWhatQemuLoadedBelowAndAbove4GiB) {
  QemuLiveMemory memory(vm_->memPath(), vm_->qmpPath());
  EXPECT_EQ(memory.formatName(), "qemu-live");
  EXPECT_EQ(memory.backend().id, "mem");
  for (const auto& blob : blobs_) {
    std::vector<std::uint8_t> got(blob.bytes.size());
    ASSERT_TRUE(memory.readExact(blob.pa, got)) << std::hex << blob.pa;
    EXPECT_EQ(got, blob.bytes) << "wrong bytes at PA 0x" << std::hex << blob.pa;
  }
  // The 1 GiB above 4 GiB is one range, and RAM below 4 GiB ends at 2 GiB (q35).
  bool sawHigh = false;
  for (const auto& range : memory.ranges()) {
    if (range.start == 0x100000000u) {
      sawHigh = true;
      EXPECT_EQ(range.size, 0x40000000u);
    }
    EXPECT_FALSE(range.start < 0x100000000u && range.end() > 0x80000000u)
        << "RAM below 4 GiB must end at 2 GiB on q35 with 3 GiB";
  }
  EXPECT_TRUE(sawHigh);
  EXPECT_EQ(memory.backedBytes() > (3ull << 30) - (1u << 20), true);
  // The reset-vector ROM and the hole between 2 GiB and 4 GiB are not RAM: absent.
  std::uint8_t byte = 0;
  EXPECT_EQ(memory.read(0xfffffff0, {&byte, 1}), 0u);
  EXPECT_EQ(memory.read(0x90000000, {&byte, 1}), 0u);
  // A read running off the end of RAM below 4 GiB stops there.
  std::vector<std::uint8_t> across(0x2000);
  EXPECT_EQ(memory.read(0x80000000 - 0x1000, across), 0x1000u);
}

TEST_F(QemuLiveMemoryTest, RegistersOfEveryVcpuComeFromQemu) {
  QemuLiveMemory memory(vm_->memPath(), vm_->qmpPath());
  const auto cpus = memory.cpus();
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[0].index, 0);
  EXPECT_EQ(cpus[1].index, 1);
  for (const auto& cpu : cpus) {
    ASSERT_TRUE(cpu.cr3.has_value());
    EXPECT_EQ(*cpu.cr3, 0u);  // reset state: paging off
    ASSERT_TRUE(cpu.cr0.has_value());
    EXPECT_EQ(*cpu.cr0 & 1, 0u);  // real mode
  }
}

TEST_F(QemuLiveMemoryTest, FreezeStopsARunningGuestAndLetsItGoAfterwards) {
  QemuLiveMemory memory(vm_->memPath(), vm_->qmpPath());
  memory.qmp().execute("cont");
  ASSERT_TRUE(memory.qmp().execute("query-status").value("running", false));
  {
    GuestFreeze freeze(memory);
    EXPECT_TRUE(freeze.stoppedIt());
    EXPECT_FALSE(memory.qmp().execute("query-status").value("running", true));
  }
  EXPECT_TRUE(memory.qmp().execute("query-status").value("running", false));
  // A guest the user paused stays paused.
  memory.qmp().execute("stop");
  {
    GuestFreeze freeze(memory);
    EXPECT_FALSE(freeze.stoppedIt());
  }
  EXPECT_FALSE(memory.qmp().execute("query-status").value("running", true));
}

TEST_F(QemuLiveMemoryTest, AFileQemuDoesNotMapIsRefusedWithWhatQemuHas) {
  const auto other = writeBlob(randomBlob(4096, 9), "not-guest-ram.bin");
  try {
    QemuLiveMemory memory(other, vm_->qmpPath());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("'mem'"), std::string::npos) << message;
    EXPECT_NE(message.find(vm_->memPath()), std::string::npos) << message;
  }
}

TEST_F(QemuLiveMemoryTest, CliImageCommandSeesTheLiveVm) {
  const auto result = test::runCli(
      {"--qemu-mem", vm_->memPath(), "--qmp", vm_->qmpPath(), "image", "--format", "json"}, 60);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto doc = nlohmann::json::parse(result.out);
  EXPECT_EQ(doc["format"], "qemu-live");
  bool sawHigh = false;
  for (const auto& range : doc["ranges"]) sawHigh |= range["start"] == "0x100000000";
  EXPECT_TRUE(sawHigh) << result.out;
  EXPECT_EQ(doc["cpus"].size(), 2u);
}

TEST(QemuLiveMemoryErrors, NoQmpOptionOrNobodyListeningIsAnInputError) {
  EXPECT_THROW(QemuLiveMemory("/dev/shm/none", ""), InputError);
  try {
    QemuLiveMemory memory("/dev/shm/none", test::scratchDir() + "/no-such.sock");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("no-such.sock"), std::string::npos) << e.what();
  }
  const auto result =
      test::runCli({"--qemu-mem", "/dev/shm/none", "--qmp", "tcp:127.0.0.1:1", "image"}, 30);
  EXPECT_EQ(result.exitCode, 2) << result.out << result.err;
}

}  // namespace
}  // namespace xnuscope
