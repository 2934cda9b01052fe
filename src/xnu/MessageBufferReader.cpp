#include "xnu/MessageBufferReader.h"

#include <vector>

#include "core/Error.h"
#include "core/Hex.h"

namespace xnuscope {

std::vector<std::string> MessageBuffer::lines() const {
  std::vector<std::string> result;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t newline = text.find('\n', start);
    if (newline == std::string::npos) {
      result.push_back(text.substr(start));
      break;
    }
    result.push_back(text.substr(start, newline - start));
    start = newline + 1;
  }
  return result;
}

MessageBuffer MessageBufferReader::read() const {
  const XnuLayout& layout = kernel_.layout();
  XnuLayout::require(layout.msgbufUnavailable);
  const VirtualMemory& memory = kernel_.memory();
  const auto symbol = kernel_.runtime(layout.symMsgbufp);
  if (!symbol) {
    throw AnalysisError("dmesg: the profile " + layout.profileName +
                        " has no _msgbufp symbol; the message buffer cannot be found");
  }
  const auto address = memory.readPointer(*symbol);
  if (!address || !isPlausibleKernelPointer(*address)) {
    throw AnalysisError("dmesg: _msgbufp at " + hex(*symbol) + " does not hold a readable kernel " +
                        "pointer" + (address ? " (" + hex(*address) + ")" : std::string()));
  }
  MessageBuffer buffer;
  buffer.address = *address;
  const auto magic = memory.readU32(*address + layout.msgMagic);
  const auto size = memory.readU32(*address + layout.msgSize);
  const auto bufx = memory.readU32(*address + layout.msgBufx);
  const auto ring = memory.readPointer(*address + layout.msgBufc);
  if (!magic || !size || !bufx || !ring) {
    throw AnalysisError("dmesg: struct msgbuf at " + hex(*address) + " is unreadable");
  }
  if (*magic != kMagic) {
    throw AnalysisError("dmesg: struct msgbuf at " + hex(*address) + " has magic " + hex(*magic) +
                        ", not 0x63061; wrong profile or corrupt buffer");
  }
  if (*size == 0 || *size > kMaxSize || !isPlausibleKernelPointer(*ring)) {
    throw AnalysisError("dmesg: struct msgbuf at " + hex(*address) + " is implausible (size " +
                        std::to_string(*size) + ", buffer " + hex(*ring) + ")");
  }
  buffer.ring = *ring;
  buffer.size = *size;
  buffer.writeIndex = *bufx;
  if (*bufx >= *size) {
    buffer.status.incomplete("dmesg: msg_bufx " + std::to_string(*bufx) + " is outside the " +
                             std::to_string(*size) + "-byte ring; read from its start");
    buffer.writeIndex = 0;
  }
  std::vector<std::uint8_t> bytes(*size);
  const std::size_t got = memory.read(*ring, bytes);
  if (got < bytes.size()) {
    buffer.status.incomplete("dmesg: ring at " + hex(*ring) + " is unreadable from byte " +
                             std::to_string(got) + " of " + std::to_string(*size) +
                             "; the rest is missing");
    std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(got), bytes.end(), 0);
  }
  buffer.text.reserve(*size);
  for (std::uint32_t i = 0; i < *size; ++i) {
    const std::uint8_t c = bytes[(buffer.writeIndex + i) % *size];
    if (c != 0) buffer.text.push_back(static_cast<char>(c));
  }
  return buffer;
}

}  // namespace xnuscope
