// The HMP parsers on output captured from a real QEMU 7.2 (Debian 1:7.2+dfsg-7).
#include <gtest/gtest.h>

#include "core/Error.h"
#include "qemu/InfoRegistersParser.h"
#include "qemu/MemoryTreeParser.h"

namespace xnuscope {
namespace {

// "info registers -a", q35, 2 CPUs, at reset (-S): 32-bit layout (EIP/ESP).
constexpr const char* kTwoCpusAtReset = R"(
CPU#0
EAX=00000000 EBX=00000000 ECX=00000000 EDX=00060fb1
ESI=00000000 EDI=00000000 EBP=00000000 ESP=00000000
EIP=0000fff0 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=0
ES =0000 00000000 0000ffff 00009300
CS =f000 ffff0000 0000ffff 00009b00
GDT=     00000000 0000ffff
IDT=     00000000 0000ffff
CR0=60000010 CR2=00000000 CR3=00000000 CR4=00000000
DR0=0000000000000000 DR1=0000000000000000 DR2=0000000000000000 DR3=0000000000000000 
DR6=00000000ffff0ff0 DR7=0000000000000400
EFER=0000000000000000
FCW=037f FSW=0000 [ST=0] FTW=00 MXCSR=00001f80

CPU#1
EAX=00000000 EBX=00000000 ECX=00000000 EDX=00060fb1
ESI=00000000 EDI=00000000 EBP=00000000 ESP=00006f94
EIP=0000b7b9 EFL=00000002 [-------] CPL=0 II=0 A20=1 SMM=0 HLT=1
CR0=60000010 CR2=00000000 CR3=00000000 CR4=00000000
EFER=0000000000000000
)";

// "info registers", one CPU in long mode (64-bit layout: RIP/RSP, R8 =...).
constexpr const char* kLongMode = R"(
CPU#0
RAX=1122334455667788 RBX=0000000000000000 RCX=00000000c0000080 RDX=0000000000000000
RSI=0000000000000000 RDI=0000000000000000 RBP=0000000000000000 RSP=ffffff80cafe1000
R8 =0000000000000000 R9 =0000000000000000 R10=0000000000000000 R11=0000000000000000
R12=0000000000000000 R13=0000000000000000 R14=0000000000000000 R15=0000000000000000
RIP=00000000ffff0315 RFL=00000086 [--S--P-] CPL=0 II=0 A20=1 SMM=0 HLT=1
ES =0010 0000000000000000 ffffffff 00cf9300 DPL=0 DS   [-WA]
CS =0018 0000000000000000 ffffffff 00af9a00 DPL=0 CS64 [-R-]
GDT=     00000000ffff0000 0000001f
IDT=     0000000000000000 0000ffff
CR0=e0000011 CR2=0000000000000000 CR3=0000000000345000 CR4=00000020
DR0=0000000000000000 DR1=0000000000000000 DR2=0000000000000000 DR3=0000000000000000 
DR6=00000000ffff0ff0 DR7=0000000000000400
EFER=0000000000000500
)";

TEST(InfoRegistersParser, TwoCpusIn32BitLayout) {
  const auto cpus = parseInfoRegistersCr3(kTwoCpusAtReset);
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[0].index, 0);
  EXPECT_EQ(cpus[1].index, 1);
  EXPECT_EQ(cpus[0].rip, 0xfff0u);
  EXPECT_EQ(cpus[1].rip, 0xb7b9u);
  EXPECT_EQ(cpus[1].rsp, 0x6f94u);
  EXPECT_EQ(cpus[0].cr0, 0x60000010u);
  EXPECT_EQ(cpus[0].cr3, 0u);
  EXPECT_EQ(cpus[1].efer, 0u);
}

TEST(InfoRegistersParser, LongModeLayout) {
  const auto cpus = parseInfoRegistersCr3(kLongMode);
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].cr3, 0x345000u);
  EXPECT_EQ(cpus[0].rip, 0xffff0315u);
  EXPECT_EQ(cpus[0].rsp, 0xffffff80cafe1000ull);
  EXPECT_EQ(cpus[0].cr0, 0xe0000011u);
  EXPECT_EQ(cpus[0].cr4, 0x20u);
  EXPECT_EQ(cpus[0].efer, 0x500u);  // LME|LMA
}

TEST(InfoRegistersParser, WithoutCpuHeaderAndGarbage) {
  std::string text = kLongMode;
  text.erase(0, text.find("RAX"));  // older QEMUs print no CPU# line for one CPU
  const auto cpus = parseInfoRegistersCr3(text);
  ASSERT_EQ(cpus.size(), 1u);
  EXPECT_EQ(cpus[0].index, 0);
  EXPECT_EQ(cpus[0].cr3, 0x345000u);
  EXPECT_TRUE(parseInfoRegistersCr3("unknown command: 'info registerz'\r\n").empty());
  EXPECT_TRUE(parseInfoRegistersCr3("").empty());
}

// "info mtree -f", q35 -m 3G with memory-backend-file id=mem, after SeaBIOS ran:
// RAM split at 2 GiB, the rest above 4 GiB at backend offset 0x80000000. QEMU 7.2
// prints the lines of the "memory" flat view twice.
constexpr const char* kQ35ThreeGiB = R"(FlatView #0
 AS "cpu-smm-0", root: memory
 Root memory region: memory
  0000000000000000-00000000000c2fff (prio 0, ram): mem
  00000000000c3000-00000000000e7fff (prio 0, rom): mem @00000000000c3000
  00000000000e8000-00000000000effff (prio 0, ram): mem @00000000000e8000
  00000000000f0000-00000000000fffff (prio 0, rom): mem @00000000000f0000
  0000000000100000-000000007fffffff (prio 0, ram): mem @0000000000100000
  00000000b0000000-00000000bfffffff (prio 0, i/o): pcie-mmcfg-mmio
  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios
  0000000100000000-000000013fffffff (prio 0, ram): mem @0000000080000000

FlatView #1
 AS "memory", root: system
 AS "memory", root: system
 AS "cpu-memory-0", root: system
 AS "cpu-memory-0", root: system
 Root memory region: system
 Root memory region: system
  0000000000000000-00000000000c2fff (prio 0, ram): mem
  0000000000000000-00000000000c2fff (prio 0, ram): mem
  00000000000c3000-00000000000e7fff (prio 0, rom): mem @00000000000c3000
  00000000000c3000-00000000000e7fff (prio 0, rom): mem @00000000000c3000
  00000000000e8000-00000000000effff (prio 0, ram): mem @00000000000e8000
  00000000000e8000-00000000000effff (prio 0, ram): mem @00000000000e8000
  00000000000f0000-00000000000fffff (prio 0, rom): mem @00000000000f0000
  00000000000f0000-00000000000fffff (prio 0, rom): mem @00000000000f0000
  0000000000100000-000000007fffffff (prio 0, ram): mem @0000000000100000
  0000000000100000-000000007fffffff (prio 0, ram): mem @0000000000100000
  00000000b0000000-00000000bfffffff (prio 0, i/o): pcie-mmcfg-mmio
  00000000b0000000-00000000bfffffff (prio 0, i/o): pcie-mmcfg-mmio
  00000000fed00000-00000000fed003ff (prio 0, i/o): hpet
  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios
  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios
  0000000100000000-000000013fffffff (prio 0, ram): mem @0000000080000000
  0000000100000000-000000013fffffff (prio 0, ram): mem @0000000080000000

FlatView #2
 AS "I/O", root: io
 Root memory region: io
  0000000000000000-0000000000000007 (prio 0, i/o): dma-chan
  0000000000000010-000000000000001f (prio 0, i/o): io @0000000000000010
)";

TEST(MemoryTreeParser, Q35WithRamAboveFourGiB) {
  const auto ranges = parseMemoryTreeRam(kQ35ThreeGiB);
  const auto ram = rangesOfRegion(ranges, "mem");
  ASSERT_EQ(ram.size(), 6u);  // duplicates removed, i/o and pc.bios left out
  EXPECT_EQ(ram[0].start, 0u);
  EXPECT_EQ(ram[0].end, 0xc3000u);
  EXPECT_EQ(ram[0].offset, 0u);
  EXPECT_EQ(ram[1].kind, "rom");  // shadowed BIOS: still the backend's bytes
  EXPECT_EQ(ram[1].offset, 0xc3000u);
  EXPECT_EQ(ram[4].start, 0x100000u);
  EXPECT_EQ(ram[4].end, 0x80000000u);
  EXPECT_EQ(ram[5].start, 0x100000000ull);
  EXPECT_EQ(ram[5].size(), 0x40000000ull);
  EXPECT_EQ(ram[5].offset, 0x80000000ull);  // not 4 GiB: below_4g
  const auto bios = rangesOfRegion(ranges, "pc.bios");
  ASSERT_EQ(bios.size(), 1u);
  EXPECT_EQ(bios[0].end, 0x100000000ull);
  for (const auto& range : ranges) EXPECT_NE(range.kind, "i/o");
}

// -m 256M with memory-backend id=ram0 and -S: the "memory" view is FlatView #3
// (SMM views come first and must not be taken for it; its region is renamed here
// "smram-only" so the test can tell which view was used).
constexpr const char* kQ35SmallWithSmmFirst = R"(FlatView #0
 AS "cpu-smm-1", root: memory
 Root memory region: memory
  0000000000000000-00000000000bffff (prio 0, ram): smram-only
FlatView #2
 AS "mch", root: bus master container
 Root memory region: (none)
  No rendered FlatView

FlatView #3
 AS "memory", root: system
 AS "cpu-memory-0", root: system
 AS "cpu-memory-1", root: system
 Root memory region: system
  0000000000000000-00000000000bffff (prio 0, ram): ram0
  00000000000c0000-00000000000dffff (prio 1, rom): pc.rom
  00000000000e0000-00000000000fffff (prio 0, rom): pc.bios @0000000000020000
  0000000000100000-000000000fffffff (prio 0, ram): ram0 @0000000000100000
  00000000fec00000-00000000fec00fff (prio 0, i/o): ioapic
  00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios
)";

TEST(MemoryTreeParser, PicksTheMemoryAddressSpace) {
  const auto ranges = parseMemoryTreeRam(kQ35SmallWithSmmFirst);
  EXPECT_TRUE(rangesOfRegion(ranges, "smram-only").empty());
  const auto ram = rangesOfRegion(ranges, "ram0");
  ASSERT_EQ(ram.size(), 2u);
  EXPECT_EQ(ram[1].start, 0x100000u);
  EXPECT_EQ(ram[1].end, 0x10000000u);
  EXPECT_EQ(ram[1].offset, 0x100000u);
  const auto bios = rangesOfRegion(ranges, "pc.bios");
  ASSERT_EQ(bios.size(), 2u);
  EXPECT_EQ(bios[0].offset, 0x20000u);
}

TEST(MemoryTreeParser, NoMemoryFlatViewIsAnAnalysisError) {
  EXPECT_THROW(parseMemoryTreeRam("FlatView #0\n AS \"I/O\", root: io\n"), AnalysisError);
  EXPECT_THROW(parseMemoryTreeRam(""), AnalysisError);
}

}  // namespace
}  // namespace xnuscope
