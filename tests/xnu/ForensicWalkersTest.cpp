// Bounds and warnings of the forensic walkers on a hand-built guest: cyclic mount
// and sysctl lists, a vnode parent cycle, implausible descriptor tables and
// argument areas end one walk with a warning, never the run.
#include <gtest/gtest.h>

#include "xnu/FileDescriptorWalker.h"
#include "xnu/HookScanner.h"
#include "xnu/MountWalker.h"
#include "xnu/ProcArgsReader.h"
#include "xnu/SyntheticXnuGuest.h"
#include "xnu/VnodePath.h"

namespace xnuscope::test {
namespace {

bool anyWarningContains(const WalkStatus& status, const std::string& text) {
  for (const auto& warning : status.warnings) {
    if (warning.find(text) != std::string::npos) return true;
  }
  return false;
}

MountLayout mountLayout(std::uint64_t head) {
  MountLayout layout;
  layout.symMountlist = head;
  layout.listNext = 0;
  layout.flag = 0x70;
  layout.onName = 0x100;
  layout.fromName = 0x200;
  layout.typeName = 0x80;
  layout.pathLength = 0x100;
  layout.typeLength = 16;
  return layout;
}

TEST(ForensicWalkersTest, MountListCycleStopsWithWarning) {
  SyntheticXnuGuest guest;
  const std::uint64_t head = guest.alloc(16);
  const MountLayout layout = mountLayout(head);
  std::vector<std::uint64_t> mounts;
  for (const char* on : {"/", "/dev", "/Volumes/X"}) {
    const std::uint64_t m = guest.alloc(0x300);
    guest.writeString(m + layout.onName, on);
    guest.writeString(m + layout.fromName, "/dev/disk0s2");
    guest.writeString(m + layout.typeName, "hfs");
    guest.writeU32(m + layout.flag, 0x1000);
    mounts.push_back(m);
  }
  guest.writeU64(head, mounts[0]);
  guest.writeU64(mounts[0], mounts[1]);
  guest.writeU64(mounts[1], mounts[2]);
  guest.writeU64(mounts[2], mounts[1]);  // cycle
  const MountListing listing = MountWalker(guest.kernel(), layout).walk();
  ASSERT_EQ(listing.mounts.size(), 3u);
  EXPECT_EQ(listing.mounts[2].on, "/Volumes/X");
  EXPECT_EQ(mountFlagNames(listing.mounts[0].flags), std::vector<std::string>{"local"});
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(anyWarningContains(listing.status, "cycle"));

  guest.writeU64(mounts[2], SyntheticXnuGuest::kUnmappedVa);  // dangling
  const MountListing dangling = MountWalker(guest.kernel(), layout).walk();
  EXPECT_EQ(dangling.mounts.size(), 3u);
  EXPECT_FALSE(dangling.status.complete);
  EXPECT_TRUE(anyWarningContains(dangling.status, "unreadable"));
}

TEST(ForensicWalkersTest, VnodePathCrossesMountsAndStopsOnCycles) {
  SyntheticXnuGuest guest;
  VnodeLayout layout{.name = 0xb8,
                     .parent = 0xc0,
                     .mount = 0xd8,
                     .flag = 0x4c,
                     .type = 0x70,
                     .mountCovered = 0x38};
  auto vnode = [&](const char* name, std::uint64_t parent, std::uint64_t mount,
                   std::uint32_t flag) {
    const std::uint64_t v = guest.alloc(0x100);
    if (name) {
      const std::uint64_t s = guest.alloc(64);
      guest.writeString(s, name);
      guest.writeU64(v + layout.name, s);
    }
    guest.writeU64(v + layout.parent, parent);
    guest.writeU64(v + layout.mount, mount);
    guest.writeU32(v + layout.flag, flag);
    return v;
  };
  const std::uint64_t rootMount = guest.alloc(0x100), devMount = guest.alloc(0x100);
  const std::uint64_t root = vnode(nullptr, 0, rootMount, 1);
  const std::uint64_t dev = vnode("dev", root, rootMount, 0);
  guest.writeU64(devMount + layout.mountCovered, dev);
  const std::uint64_t devRoot = vnode(nullptr, 0, devMount, 1);
  const std::uint64_t tty = vnode("ttys000", devRoot, devMount, 0);
  const VnodePath paths(guest.kernel(), layout);
  const VnodePathResult path = paths.pathOf(tty);
  EXPECT_TRUE(path.complete) << path.problem;
  EXPECT_EQ(path.path, "/dev/ttys000");
  EXPECT_EQ(paths.pathOf(root).path, "/");

  const std::uint64_t a = vnode("a", 0, rootMount, 0);
  const std::uint64_t b = vnode("b", a, rootMount, 0);
  guest.writeU64(a + layout.parent, b);  // a <-> b
  const VnodePathResult cyclic = paths.pathOf(b);
  EXPECT_FALSE(cyclic.complete);
  EXPECT_NE(cyclic.problem.find("cycle"), std::string::npos) << cyclic.problem;
}

TEST(ForensicWalkersTest, ImplausibleDescriptorTableIsAWarning) {
  SyntheticXnuGuest guest;
  const auto p = guest.addProcess(77, 1, "victim", "victim", 501);
  FileDescriptorLayout layout;
  layout.procFd = 0x100;
  layout.fdOfiles = 0;
  layout.fdNfiles = 0x20;
  layout.fdLastfile = 0x24;
  const std::uint64_t fd = guest.alloc(0x58);
  guest.writeU64(p.proc + layout.procFd, fd);
  guest.writeU64(fd + layout.fdOfiles, guest.alloc(64));
  guest.writeU32(fd + layout.fdNfiles, 4);
  guest.writeU32(fd + layout.fdLastfile, 9);  // past fd_nfiles
  ProcessRecord record;
  record.pid = 77;
  record.comm = "victim";
  record.address = p.proc;
  OpenFileListing listing;
  FileDescriptorWalker(guest.kernel(), layout).walk(record, listing);
  EXPECT_TRUE(listing.files.empty());
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(anyWarningContains(listing.status, "implausible descriptor table"));
}

TEST(ForensicWalkersTest, ArgumentAreaSplitAndImplausibleLength) {
  const std::string raw = std::string("/bin/bash\0\0\0\0\0\0\0", 16) +
                          std::string("-bash\0x\0HOME=/\0TERM=vt100\0\0", 28);
  ProcArgs args;
  ProcArgsReader::split(std::vector<std::uint8_t>(raw.begin(), raw.end()), 2, args);
  EXPECT_EQ(args.execPath, "/bin/bash");
  EXPECT_EQ(args.argv, (std::vector<std::string>{"-bash", "x"}));
  EXPECT_EQ(args.env, (std::vector<std::string>{"HOME=/", "TERM=vt100"}));

  SyntheticXnuGuest guest;
  const auto p = guest.addProcess(12, 1, "liar", "liar", 0);
  const ProcArgsLayout layout{.procArgc = 0x2b4, .procArgslen = 0x2b0, .procUserStack = 0x2b8};
  guest.writeU32(p.proc + layout.procArgc, 1);
  guest.writeU32(p.proc + layout.procArgslen, 64u << 20);  // 64 MiB > ARG_MAX
  guest.writeU64(p.proc + layout.procUserStack, 0x7ffee0000000ull);
  ProcessRecord record;
  record.pid = 12;
  record.comm = "liar";
  record.address = p.proc;
  record.pmapCr3 = SyntheticXnuGuest::kKernelPml4;
  const ProcArgs read = ProcArgsReader(guest.kernel(), layout).read(record);
  EXPECT_EQ(read.status, ProcArgsStatus::Unreadable);
  EXPECT_NE(read.detail.find("implausible"), std::string::npos) << read.detail;
}

TEST(ForensicWalkersTest, SysctlCycleAndMissingTablesAreWarnings) {
  SyntheticXnuGuest guest;
  HookLayout layout;
  layout.symSysent = guest.alloc(64);  // table of zero handlers
  layout.symNsysent = guest.alloc(8);  // nsysent 0: implausible
  layout.symMachTrapTable = guest.alloc(64);
  layout.symMachTrapCount = guest.alloc(8);  // 0 as well
  layout.symSysctlChildren = guest.alloc(8);
  layout.sysentSize = 24;
  layout.oidLink = 8;
  layout.oidNumber = 16;
  layout.oidKind = 20;
  layout.oidArg1 = 24;
  layout.oidName = 40;
  layout.oidHandler = 48;
  const std::uint64_t name = guest.alloc(16);
  guest.writeString(name, "kern");
  const std::uint64_t a = guest.alloc(80), b = guest.alloc(80);
  for (auto oid : {a, b}) {
    guest.writeU64(oid + layout.oidName, name);
    guest.writeU32(oid + layout.oidKind, 2);
    guest.writeU64(oid + layout.oidHandler, 0xffffff7f81234000ull);  // outside everything
  }
  guest.writeU64(*layout.symSysent, 0);
  guest.writeU64(layout.symSysctlChildren, a);
  guest.writeU64(a + layout.oidLink, b);
  guest.writeU64(b + layout.oidLink, a);  // cycle
  const HookListing listing = HookScanner(guest.kernel(), layout, {}).scan();
  EXPECT_FALSE(listing.status.complete);
  EXPECT_TRUE(anyWarningContains(listing.status, "nsysent"));
  EXPECT_TRUE(anyWarningContains(listing.status, "mach_trap_count"));
  EXPECT_TRUE(anyWarningContains(listing.status, "cycle"));
  ASSERT_EQ(listing.entries.size(), 2u);
  EXPECT_TRUE(listing.entries[0].hooked);
  EXPECT_EQ(listing.entries[0].module, "unknown");
}

}  // namespace
}  // namespace xnuscope::test
