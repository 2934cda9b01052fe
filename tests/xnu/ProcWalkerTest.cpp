#include <gtest/gtest.h>

#include <algorithm>

#include "SyntheticXnuGuest.h"
#include "xnu/ProcWalker.h"

namespace xnuscope::test {
namespace {

std::vector<std::int32_t> pids(const ProcessListing& listing) {
  std::vector<std::int32_t> out;
  for (const auto& p : listing.processes) out.push_back(p.pid);
  return out;
}

bool mentions(const WalkStatus& status, const std::string& text) {
  return std::any_of(status.warnings.begin(), status.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

class ProcWalkerTest : public ::testing::Test {
 protected:
  void addFive() {
    procs.push_back(guest.addProcess(0, 0, "kernel_task", "kernel_task", 0, 1500000000, 0x1000));
    procs.push_back(guest.addProcess(1, 0, "launchd", "launchd", 0));
    procs.push_back(guest.addProcess(57, 1, "syslogd", "syslogd", 0));
    procs.push_back(guest.addProcess(90, 1, "com.apple.WebKit", "com.apple.WebKit.WebContent", 501,
                                     1500000300, 0x7777000));
    procs.push_back(guest.addProcess(91, 90, "bash", "", 501));
  }
  SyntheticXnuGuest guest;
  std::vector<SyntheticXnuGuest::Proc> procs;
};

TEST_F(ProcWalkerTest, WalksAllprocNewestFirstWithEveryField) {
  addFive();
  const ProcessListing listing = ProcWalker(guest.kernel()).walk();
  EXPECT_TRUE(listing.status.complete) << ::testing::PrintToString(listing.status.warnings);
  EXPECT_EQ(pids(listing), (std::vector<std::int32_t>{91, 90, 57, 1, 0}));
  const ProcessRecord& web = listing.processes[1];
  EXPECT_EQ(web.ppid, 1);
  EXPECT_EQ(web.uid, 501u);
  EXPECT_EQ(web.comm, "com.apple.WebKit");
  EXPECT_EQ(web.pName, "com.apple.WebKit.WebContent");
  EXPECT_EQ(web.name(), "com.apple.WebKit.WebContent");
  EXPECT_EQ(web.address, procs[3].proc);
  EXPECT_EQ(web.task, procs[3].task);
  EXPECT_EQ(web.map, procs[3].map);
  EXPECT_EQ(web.pmapCr3, 0x7777000u);
  EXPECT_EQ(web.startSeconds, 1500000300);
  EXPECT_EQ(web.startMicroseconds, 250000u);
  EXPECT_TRUE(web.inAllproc && web.inTasksQueue && !web.zombie());
  EXPECT_EQ(web.source, ProcSource::Allproc);
  EXPECT_EQ(listing.processes[0].name(), "bash");  // p_name unset: p_comm
}

TEST_F(ProcWalkerTest, ZombiesComeFromZombprocWithoutTask) {
  addFive();
  guest.addZombie(120, 91, "sh");
  const ProcessListing listing = ProcWalker(guest.kernel()).walk();
  EXPECT_TRUE(listing.status.complete);
  ASSERT_EQ(listing.processes.size(), 6u);
  const ProcessRecord& zombie = listing.processes.back();
  EXPECT_EQ(zombie.pid, 120);
  EXPECT_TRUE(zombie.zombie());
  EXPECT_EQ(zombie.source, ProcSource::Zombproc);
  EXPECT_EQ(zombie.task, 0u);
  EXPECT_FALSE(zombie.inTasksQueue);
}

TEST_F(ProcWalkerTest, DanglingAllprocLinkIsFlaggedAndTasksRecoverTheRest) {
  addFive();
  // allproc: 91 → 90 → 57 → 1 → 0; cut 90's le_next into unmapped memory.
  guest.writeU64(procs[3].proc + guest.layout().procListNext, SyntheticXnuGuest::kUnmappedVa);
  const ProcessListing listing = ProcWalker(guest.kernel()).walk();
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(mentions(listing.status, "allproc")) << listing.status.warnings.front();
  EXPECT_TRUE(mentions(listing.status, "0xffffff8099990000"));
  auto got = pids(listing);
  EXPECT_EQ(got, (std::vector<std::int32_t>{91, 90, 0, 1, 57}));  // tasks queue order after
  EXPECT_EQ(listing.processes[2].source, ProcSource::Tasks);
  EXPECT_FALSE(listing.processes[2].inAllproc);
  EXPECT_TRUE(listing.processes[2].inTasksQueue);
}

TEST_F(ProcWalkerTest, CyclicAllprocIsCutAndRecovered) {
  addFive();
  // 57's le_next points back to 90: 91 → 90 → 57 → 90 …
  guest.writeU64(procs[2].proc + guest.layout().procListNext, procs[3].proc);
  const ProcessListing listing = ProcWalker(guest.kernel()).walk();
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(mentions(listing.status, "cycle"));
  auto got = pids(listing);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::int32_t>{0, 1, 57, 90, 91}));
}

TEST_F(ProcWalkerTest, GarbageProcEndsTheWalkWithoutARow) {
  addFive();
  const std::uint64_t garbage = guest.alloc(0x500);
  guest.writeU32(garbage + guest.layout().procPid, 4000000);  // > PID_MAX
  guest.writeString(garbage + guest.layout().procComm, "evil");
  guest.writeU64(procs[1].proc + guest.layout().procListNext, garbage);
  const ProcessListing listing = ProcWalker(guest.kernel()).walk();
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(mentions(listing.status, "implausible pid"));
  for (const auto& p : listing.processes) EXPECT_NE(p.comm, "evil");
  EXPECT_EQ(listing.processes.size(), 5u);  // kernel_task recovered via tasks
}

TEST_F(ProcWalkerTest, UnprintableNameIsNotAProc) {
  addFive();
  guest.writeString(procs[2].proc + guest.layout().procComm, "sys\x01logd");
  std::string why;
  EXPECT_FALSE(ProcWalker(guest.kernel()).readProc(procs[2].proc, &why));
  EXPECT_NE(why.find("p_comm"), std::string::npos);
}

TEST_F(ProcWalkerTest, ListCapStopsALongWalk) {
  addFive();
  const ProcessListing listing = ProcWalker(guest.kernel(), {.maxProcesses = 3}).walk();
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(mentions(listing.status, "limit"));
}

TEST_F(ProcWalkerTest, CyclicTaskQueueIsCut) {
  addFive();
  // tasks: 0 → 1 → 57 → 90 → 91 → head; make 90's next point back to 1.
  guest.writeU64(procs[3].task + guest.layout().taskQueueNext, procs[1].task);
  const ProcessListing listing = ProcWalker(guest.kernel()).walk();
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(mentions(listing.status, "tasks"));
  EXPECT_EQ(listing.processes.size(), 5u);  // allproc had them all
}

TEST_F(ProcWalkerTest, UnreadableListHeadIsReported) {
  addFive();
  guest.layout().symAllproc = SyntheticXnuGuest::kUnmappedVa;
  const ProcessListing listing = ProcWalker(guest.kernel()).walk();
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(mentions(listing.status, "list head"));
  EXPECT_EQ(listing.processes.size(), 5u);
}

TEST(ProcWalkerVenturaTest, TaskFollowsProcAndUcredViaProcRo) {
  SyntheticXnuGuest guest(venturaLayout());
  const auto kernel = guest.addProcess(0, 0, "kernel_task", "", 0);
  const auto app = guest.addProcess(301, 1, "Safari", "Safari", 501, 1700000000, 0x5555000);
  const ProcessListing listing = ProcWalker(guest.kernel()).walk();
  EXPECT_TRUE(listing.status.complete) << ::testing::PrintToString(listing.status.warnings);
  ASSERT_EQ(listing.processes.size(), 2u);
  const ProcessRecord& safari = listing.processes[0];
  EXPECT_EQ(safari.pid, 301);
  EXPECT_EQ(safari.uid, 501u);
  EXPECT_EQ(safari.task, app.proc + 0x750);
  EXPECT_EQ(safari.task, app.task);
  EXPECT_EQ(safari.map, app.map);
  EXPECT_EQ(safari.pmapCr3, 0x5555000u);
  EXPECT_TRUE(safari.inTasksQueue);
  EXPECT_EQ(listing.processes[1].task, kernel.task);
}

TEST(ProcWalkerVenturaTest, TasksQueueRecoversProcsMissingFromAllproc) {
  SyntheticXnuGuest guest(venturaLayout());
  guest.addProcess(0, 0, "kernel_task", "", 0);
  guest.addProcess(1, 0, "launchd", "", 0);
  const auto hidden = guest.addProcess(666, 1, "hidden", "", 0);
  // Unlink `hidden` from allproc (DKOM-style): head now skips it.
  guest.writeU64(*guest.layout().symAllproc,
                 guest.readU64(hidden.proc + guest.layout().procListNext));
  const ProcessListing listing = ProcWalker(guest.kernel()).walk();
  EXPECT_FALSE(listing.status.complete);
  ASSERT_EQ(listing.processes.size(), 3u);
  EXPECT_EQ(listing.processes.back().pid, 666);
  EXPECT_EQ(listing.processes.back().source, ProcSource::Tasks);
}

}  // namespace
}  // namespace xnuscope::test
