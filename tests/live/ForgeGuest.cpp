#include "ForgeGuest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "support/TestPaths.h"

namespace xnuscope::test {
namespace {

std::uint64_t hexValue(const nlohmann::json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  return std::stoull(value.get<std::string>(), nullptr, 16);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void run(const std::string& command, const std::string& logPath) {
  const std::string full = command + " > '" + logPath + "' 2>&1";
  if (std::system(full.c_str()) != 0) {
    throw std::runtime_error("'" + command + "' failed: " + slurp(logPath));
  }
}

}  // namespace

ChurnParameters churnParametersFor(const ForgedImage& image, std::size_t spareIndex) {
  ChurnParameters params;
  params.kernelPml4 = hexValue(image.truth.at("dtb"));
  params.allproc = hexValue(image.truth.at("symbols_runtime").at("_allproc"));
  params.spareProc = hexValue(image.truth.at("processes").at(spareIndex).at("address"));
  const auto isf = nlohmann::json::parse(slurp(image.isfPath));
  const auto& fields = isf.at("user_types").at("proc").at("fields");
  params.listOffset = fields.at("p_list").at("offset").get<std::uint64_t>();
  params.pidOffset = fields.at("p_pid").at("offset").get<std::uint64_t>();
  return params;
}

std::string buildChurnGuestRom(const std::string& dir, const ChurnParameters& params) {
  const std::string source = sourceDir() + "/tests/data/live/allproc_churn_guest.S";
  const std::string object = dir + "/churn_guest.o";
  const std::string rom = dir + "/churn_guest.rom";
  run("as --64 -o '" + object + "' '" + source + "'", dir + "/as.log");
  run("objcopy -O binary -j .text '" + object + "' '" + rom + "'", dir + "/objcopy.log");
  std::string bytes = slurp(rom);
  if (bytes.size() != 0x10000) {
    throw std::runtime_error("guest ROM is " + std::to_string(bytes.size()) +
                             " bytes, expected 65536");
  }
  const auto at = bytes.find("XSGUEST1");
  if (at == std::string::npos) throw std::runtime_error("guest ROM has no parameter block");
  const std::uint64_t values[] = {params.kernelPml4, params.allproc,   params.spareProc,
                                  params.listOffset, params.pidOffset, params.firstPid,
                                  params.periodMs};
  std::memcpy(bytes.data() + at + 8, values, sizeof values);  // x86_64 host: little-endian
  std::ofstream(rom, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size());
  return rom;
}

void loadForgeIntoGuestRam(const ForgedImage& image, const std::string& memPath,
                           std::uint64_t ramBytes) {
  const std::uint64_t below4g = ramBytes >= 0xB0000000ull ? 0x80000000ull : ramBytes;
  const int in = ::open(image.image.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) throw std::runtime_error("cannot open " + image.image);
  // QEMU created and owns the RAM file; we write into it like a DMA engine would
  // while the machine is stopped (-S), before the guest program runs.
  const int out = ::open(memPath.c_str(), O_WRONLY | O_CLOEXEC);
  if (out < 0) {
    ::close(in);
    throw std::runtime_error("cannot open QEMU RAM file " + memPath);
  }
  std::vector<char> buffer(1 << 20);
  for (const auto& range : image.truth.at("image_ranges")) {
    const std::uint64_t pa = hexValue(range.at("start"));
    std::uint64_t fileOffset = hexValue(range.at("file_offset"));
    std::uint64_t size = hexValue(range.at("size"));
    std::uint64_t ramOffset = pa < (4ull << 30) ? pa : below4g + (pa - (4ull << 30));
    while (size > 0) {
      const auto chunk = static_cast<std::size_t>(std::min<std::uint64_t>(size, buffer.size()));
      if (::pread(in, buffer.data(), chunk, static_cast<off_t>(fileOffset)) !=
              static_cast<ssize_t>(chunk) ||
          ::pwrite(out, buffer.data(), chunk, static_cast<off_t>(ramOffset)) !=
              static_cast<ssize_t>(chunk)) {
        ::close(in);
        ::close(out);
        throw std::runtime_error("copying the forge image into guest RAM failed");
      }
      size -= chunk;
      fileOffset += chunk;
      ramOffset += chunk;
    }
  }
  ::close(in);
  ::close(out);
}

}  // namespace xnuscope::test
