// End to end against a real QEMU: boot a tiny firmware into long mode, take a
// dump-guest-memory ELF core over QMP, and check that openPhysicalMemory() reads
// guest RAM at the right physical addresses and that the core's CPU notes agree
// with what QEMU's own "info registers" reports.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <thread>

#include "QemuProcess.h"
#include "physmem/ElfCoreImage.h"
#include "physmem/ImageOpener.h"
#include "qemu/InfoRegistersParser.h"
#include "qemu/MemoryTreeParser.h"
#include "qemu/QmpClient.h"
#include "support/TestPaths.h"

namespace xnuscope {
namespace {

using Bytes = std::vector<std::uint8_t>;

template <typename T>
void put(Bytes& out, std::size_t at, T value) {
  std::memcpy(out.data() + at, &value, sizeof value);
}

// A 64 KiB firmware image (-bios): QEMU maps it at 4 GiB - 64 KiB, so file offset X
// runs at linear 0xFFFF0000 + X. From reset it enters protected mode, loads CR3,
// enables PAE + EFER.LME + paging, far-jumps to a 64-bit segment, sets RSP and
// halts — a long-mode CPU with known CR3/RSP, like a guest kernel has.
// Assembled with GNU as from:
//   0x0000 gdt: null, 0x08 code32, 0x10 data, 0x18 code64; 0x0020 gdtr {0x1f, 0xFFFF0000}
//   0x0100 (16-bit) cli; lgdtl %cs:0x20; cr0 |= 1; ljmpl $0x08, $0xFFFF0200
//   0x0200 (32-bit) ds=es=ss=0x10; mov $CR3, %eax; mov %eax, %cr3; cr4 |= PAE;
//          EFER |= LME (rdmsr/wrmsr 0xC0000080); cr0 |= PG; ljmp $0x18, $0xFFFF0300
//   0x0300 (64-bit) movabs $RSP, %rsp; movabs $0x1122334455667788, %rax; 1: hlt; jmp 1b
//   0xFFF0 (reset vector) jmp 0x0100
Bytes longModeFirmware(std::uint32_t cr3, std::uint64_t rsp) {
  Bytes image(0x10000, 0);
  const std::uint8_t gdt[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,
                              0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00, 0xff, 0xff, 0x00, 0x00,
                              0x00, 0x92, 0xcf, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9a,
                              0xaf, 0x00, 0x1f, 0x00, 0x00, 0x00, 0xff, 0xff};
  const std::uint8_t real16[] = {0xfa, 0x2e, 0x66, 0x0f, 0x01, 0x16, 0x20, 0x00, 0x0f,
                                 0x20, 0xc0, 0x66, 0x83, 0xc8, 0x01, 0x0f, 0x22, 0xc0,
                                 0x66, 0xea, 0x00, 0x02, 0xff, 0xff, 0x08, 0x00};
  const std::uint8_t protected32[] = {
      0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0x8e, 0xc0, 0x8e, 0xd0, 0xb8, 0x00, 0x50, 0x34, 0x00,
      0x0f, 0x22, 0xd8, 0x0f, 0x20, 0xe0, 0x83, 0xc8, 0x20, 0x0f, 0x22, 0xe0, 0xb9, 0x80, 0x00,
      0x00, 0xc0, 0x0f, 0x32, 0x0d, 0x00, 0x01, 0x00, 0x00, 0x0f, 0x30, 0x0f, 0x20, 0xc0, 0x0d,
      0x00, 0x00, 0x00, 0x80, 0x0f, 0x22, 0xc0, 0xea, 0x00, 0x03, 0xff, 0xff, 0x18, 0x00};
  const std::uint8_t long64[] = {0x48, 0xbc, 0x00, 0x10, 0xfe, 0xca, 0x80, 0xff,
                                 0xff, 0xff, 0x48, 0xb8, 0x88, 0x77, 0x66, 0x55,
                                 0x44, 0x33, 0x22, 0x11, 0xf4, 0xeb, 0xfd};
  const std::uint8_t reset[] = {0xe9, 0x0d, 0x01};
  std::memcpy(image.data() + 0x0000, gdt, sizeof gdt);
  std::memcpy(image.data() + 0x0100, real16, sizeof real16);
  std::memcpy(image.data() + 0x0200, protected32, sizeof protected32);
  std::memcpy(image.data() + 0x0300, long64, sizeof long64);
  std::memcpy(image.data() + 0xfff0, reset, sizeof reset);
  put<std::uint32_t>(image, 0x20b, cr3);  // imm32 of mov $CR3, %eax
  put<std::uint64_t>(image, 0x302, rsp);  // imm64 of movabs $RSP, %rsp
  return image;
}

// PML4 at cr3, PDPT at +4 KiB, PD at +8 KiB: identity-maps the 2 MiB page holding
// the firmware's high alias (0xFFE00000), where the CPU keeps executing.
Bytes pageTables(std::uint64_t cr3) {
  Bytes tables(0x3000, 0);
  put<std::uint64_t>(tables, 0x0000, (cr3 + 0x1000) | 0x3);
  put<std::uint64_t>(tables, 0x1000 + 3 * 8, (cr3 + 0x2000) | 0x3);
  put<std::uint64_t>(tables, 0x2000 + 511 * 8, 0xFFE00000ull | 0x83);
  return tables;
}

void writeFile(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

TEST(QemuElfCore, RealDumpGuestMemoryMatchesInfoRegistersAndLoadedBlob) {
  if (test::findInPath("qemu-system-x86_64").empty()) {
    GTEST_SKIP() << "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)";
  }
  const std::string dir = test::scratchDir() + "/qemu-elf";
  std::filesystem::create_directories(dir);
  std::mt19937_64 random(std::random_device{}());
  const std::uint32_t cr3 = 0x300000 + static_cast<std::uint32_t>(random() % 0x100) * 0x1000;
  const std::uint64_t rsp = 0xffffff8000000000ull | ((random() & 0xffffffffull) << 4);
  const std::uint64_t blobAt = 0x1234000;
  Bytes blob(64 * 1024);
  for (auto& byte : blob) byte = static_cast<std::uint8_t>(random());

  writeFile(dir + "/firmware.bin", longModeFirmware(cr3, rsp));
  writeFile(dir + "/tables.bin", pageTables(cr3));
  writeFile(dir + "/blob.bin", blob);
  const std::string socket = dir + "/qmp.sock";
  const std::string dump = dir + "/guest.elf";

  test::QemuProcess qemu(
      {"qemu-system-x86_64", "-machine", "q35", "-accel", "tcg", "-m", "256M", "-smp", "2",
       "-nographic", "-nodefaults", "-bios", dir + "/firmware.bin", "-device",
       "loader,file=" + dir + "/tables.bin,addr=" + std::to_string(cr3), "-device",
       "loader,file=" + dir + "/blob.bin,addr=" + std::to_string(blobAt), "-qmp",
       "unix:" + socket + ",server=on,wait=off"},
      dir + "/qemu.log");

  // Connect once QEMU has created the socket.
  std::optional<QmpClient> qmp;
  const auto startDeadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!qmp) {
    if (!qemu.running()) GTEST_SKIP() << "qemu-system-x86_64 cannot start here: " << qemu.log();
    try {
      qmp.emplace(socket);
    } catch (const InputError&) {
      if (std::chrono::steady_clock::now() > startDeadline) {
        GTEST_SKIP() << "qemu-system-x86_64 started but its QMP socket never answered: "
                     << qemu.log();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  EXPECT_GE(qmp->version()["qemu"].value("major", 0), 2);

  // Wait until CPU 0 has reached long mode (EFER.LMA) and halted, then freeze it.
  std::vector<CpuState> live;
  const auto bootDeadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (;;) {
    live = parseInfoRegistersCr3(qmp->humanMonitorCommand("info registers"));
    if (!live.empty() && live[0].efer && (*live[0].efer & 0x400) && live[0].rsp == rsp) break;
    ASSERT_LT(std::chrono::steady_clock::now(), bootDeadline)
        << "the guest did not reach long mode; last registers:\n"
        << qmp->humanMonitorCommand("info registers");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  qmp->execute("stop");
  EXPECT_NO_THROW(qmp->waitForEvent("STOP", std::chrono::seconds(5)));

  // QEMU's own refusal comes back as a QmpCommandError with its class.
  try {
    qmp->execute("no-such-command");
    ADD_FAILURE() << "QEMU accepted an unknown command";
  } catch (const QmpCommandError& e) {
    EXPECT_EQ(e.errorClass(), "CommandNotFound");
  }

  qmp->execute("dump-guest-memory", {{"paging", false}, {"protocol", "file:" + dump}},
               std::chrono::seconds(20));
  live = parseInfoRegistersCr3(qmp->humanMonitorCommand("info registers -a"));
  const auto ram = parseMemoryTreeRam(qmp->humanMonitorCommand("info mtree -f"));

  auto image = openPhysicalMemory(dump);
  ASSERT_EQ(image->formatName(), "elf-core");
  EXPECT_EQ(dynamic_cast<const ElfCoreImage&>(*image).machine(), "x86_64");

  // The loader blob reads back exactly at its physical address.
  Bytes readBack(blob.size());
  ASSERT_EQ(image->read(blobAt, readBack), readBack.size());
  EXPECT_EQ(readBack, blob);
  // So do the page tables at CR3 (the CPU's page walk has set the Accessed bit).
  const auto pml4e = image->readU64(cr3);
  ASSERT_TRUE(pml4e.has_value());
  EXPECT_EQ(*pml4e & ~0x20ull, (cr3 + 0x1000ull) | 0x3);

  // Every RAM range QEMU reports is backed in the dump.
  const auto guestRam = rangesOfRegion(ram, "pc.ram");
  ASSERT_FALSE(guestRam.empty());
  for (const auto& range : guestRam) {
    std::uint8_t first = 0, last = 0;
    EXPECT_EQ(image->read(range.start, {&first, 1}), 1u) << std::hex << range.start;
    EXPECT_EQ(image->read(range.end - 1, {&last, 1}), 1u) << std::hex << range.end;
  }

  // The CPU notes agree with QEMU's monitor, CPU by CPU.
  const auto notes = image->cpus();
  ASSERT_EQ(live.size(), 2u);
  ASSERT_EQ(notes.size(), live.size());
  for (std::size_t i = 0; i < notes.size(); ++i) {
    SCOPED_TRACE("cpu " + std::to_string(i));
    EXPECT_EQ(notes[i].cr3, live[i].cr3);
    EXPECT_EQ(notes[i].rip, live[i].rip);
    EXPECT_EQ(notes[i].rsp, live[i].rsp);
    EXPECT_EQ(notes[i].cr0, live[i].cr0);
    EXPECT_EQ(notes[i].cr4, live[i].cr4);
  }
  // CPU 0 is where the firmware put it.
  EXPECT_EQ(notes[0].cr3, cr3);
  EXPECT_EQ(notes[0].rsp, rsp);
  EXPECT_TRUE(notes[0].cr0 && (*notes[0].cr0 & 0x80000001u) == 0x80000001u);
  std::filesystem::remove(dump);
}

}  // namespace
}  // namespace xnuscope
