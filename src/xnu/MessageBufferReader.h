// Reads the kernel's message buffer (what `dmesg` prints): `_msgbufp` points to a
// struct msgbuf {msg_magic 0x63061, msg_size, msg_bufx (write index), msg_bufr,
// msg_bufc (the ring)}. The ring is unwrapped oldest-first: [bufx, size) then
// [0, bufx); never-written (NUL) bytes are dropped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xnu/WalkStatus.h"
#include "xnu/XnuKernel.h"

namespace xnuscope {

struct MessageBuffer {
  std::uint64_t address = 0;  // struct msgbuf
  std::uint64_t ring = 0;     // msg_bufc
  std::uint32_t size = 0;
  std::uint32_t writeIndex = 0;  // msg_bufx
  std::string text;              // unwrapped, oldest first
  WalkStatus status;

  // `text` split at newlines; a trailing partial line is kept.
  std::vector<std::string> lines() const;
};

class MessageBufferReader {
 public:
  static constexpr std::uint32_t kMagic = 0x63061;  // MSG_MAGIC, bsd/sys/msgbuf.h
  static constexpr std::uint32_t kMaxSize = 64u << 20;

  explicit MessageBufferReader(const XnuKernel& kernel) : kernel_(kernel) {}
  // Throws AnalysisError when there is no buffer to read at all (no symbol, bad
  // magic); a partly unreadable ring gives what was read plus a warning.
  MessageBuffer read() const;

 private:
  const XnuKernel& kernel_;
};

}  // namespace xnuscope
