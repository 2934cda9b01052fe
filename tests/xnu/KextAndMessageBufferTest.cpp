#include <gtest/gtest.h>

#include "SyntheticXnuGuest.h"
#include "core/Error.h"
#include "xnu/KextWalker.h"
#include "xnu/MessageBufferReader.h"

namespace xnuscope::test {
namespace {

class KextWalkerTest : public ::testing::Test {
 protected:
  std::uint64_t addKmod(const std::string& name, const std::string& version, std::uint64_t address,
                        std::uint64_t size, std::uint32_t id) {
    const std::uint64_t info = guest.alloc(0xc4);
    guest.writeString(info + 0x10, name);
    guest.writeString(info + 0x50, version);
    guest.writeU64(info + 0x9c, address);
    guest.writeU64(info + 0xa4, size);
    guest.writeU32(info + 0xc, id);
    // kmod_info is a list with the newest at the head.
    const std::uint64_t head = *guest.layout().symKmod;
    guest.writeU64(info, guest.readU64(head));
    guest.writeU64(head, info);
    return info;
  }
  SyntheticXnuGuest guest;
};

TEST_F(KextWalkerTest, ListsKmodChainAndSummaryOnlyKexts) {
  addKmod("com.apple.kec.corecrypto", "1.0", 0xffffff7f80a00000, 0x50000, 1);
  const auto second = addKmod("com.apple.iokit.IOPCIFamily", "2.9", 0xffffff7f80b00000, 0x30000, 2);
  (void)second;
  // Summaries: one already in kmod, one only here.
  const std::uint64_t header = guest.alloc(16 + 2 * 120);
  guest.writeU32(header, 2);
  guest.writeU32(header + 4, 120);
  guest.writeU32(header + 8, 2);
  guest.writeString(header + 16, "com.apple.kec.corecrypto");
  guest.writeU64(header + 16 + 80, 0xffffff7f80a00000);
  const std::uint64_t only = header + 16 + 120;
  guest.writeString(only, "com.example.hidden");
  guest.writeU64(only + 80, 0xffffff7f80c00000);
  guest.writeU64(only + 88, 0x2000);
  guest.writeU64(only + 96, 102030000ull + 9000);  // 1.2.3 release
  guest.writeU32(only + 104, 77);
  guest.writeU64(*guest.layout().symLoadedKextSummaries, header);

  const KextListing listing = KextWalker(guest.kernel()).walk();
  EXPECT_TRUE(listing.status.complete) << ::testing::PrintToString(listing.status.warnings);
  ASSERT_EQ(listing.kexts.size(), 3u);
  EXPECT_EQ(listing.kexts[0].name, "com.apple.iokit.IOPCIFamily");
  EXPECT_EQ(listing.kexts[0].version, "2.9");
  EXPECT_EQ(listing.kexts[0].size, 0x30000u);
  EXPECT_EQ(listing.kexts[0].id, 2u);
  EXPECT_TRUE(listing.kexts[1].inKmodList && listing.kexts[1].inSummaries);
  EXPECT_EQ(listing.kexts[2].name, "com.example.hidden");
  EXPECT_EQ(listing.kexts[2].version, "1.2.3");
  EXPECT_FALSE(listing.kexts[2].inKmodList);
  EXPECT_EQ(listing.kexts[2].id, 77u);
}

TEST_F(KextWalkerTest, KmodCycleIsCut) {
  const auto a = addKmod("com.a", "1", 0xffffff7f80a00000, 0x1000, 1);
  addKmod("com.b", "1", 0xffffff7f80b00000, 0x1000, 2);
  guest.writeU64(a, guest.readU64(*guest.layout().symKmod));  // a.next = b: b → a → b …
  const KextListing listing = KextWalker(guest.kernel()).walk();
  EXPECT_FALSE(listing.status.complete);
  EXPECT_EQ(listing.kexts.size(), 2u);
}

TEST(OsKextVersionTest, DecodesStages) {
  EXPECT_EQ(decodeOsKextVersion(100000000ull + 9000), "1.0");
  EXPECT_EQ(decodeOsKextVersion(2ull * 100000000 + 3 * 1000000 + 4 * 10000 + 5000 + 6), "2.3.4b6");
}

class MessageBufferTest : public ::testing::Test {
 protected:
  void writeBuffer(const std::string& ring, std::uint32_t bufx, std::uint32_t magic = 0x63061) {
    const std::uint64_t msgbuf = guest.alloc(0x18);
    const std::uint64_t bytes = guest.alloc(ring.size());
    guest.memory().write(guest.pa(bytes),
                         std::span<const std::uint8_t>(
                             reinterpret_cast<const std::uint8_t*>(ring.data()), ring.size()));
    guest.writeU32(msgbuf, magic);
    guest.writeU32(msgbuf + 4, static_cast<std::uint32_t>(ring.size()));
    guest.writeU32(msgbuf + 8, bufx);
    guest.writeU32(msgbuf + 12, 0);
    guest.writeU64(msgbuf + 16, bytes);
    guest.writeU64(*guest.layout().symMsgbufp, msgbuf);
  }
  SyntheticXnuGuest guest;
};

TEST_F(MessageBufferTest, UnwrapsTheRingOldestFirst) {
  // Written "line one\nline two\nline three\n" into a 24-byte ring: the write index
  // sits after "three\n" and the oldest surviving bytes follow it.
  const std::string text = "line one\nline two\nline three\n";
  std::string ring(24, '\0');
  for (std::size_t i = 0; i < text.size(); ++i) ring[i % 24] = text[i];
  writeBuffer(ring, static_cast<std::uint32_t>(text.size() % 24));
  const MessageBuffer buffer = MessageBufferReader(guest.kernel()).read();
  EXPECT_TRUE(buffer.status.complete);
  EXPECT_EQ(buffer.text, text.substr(text.size() - 24));
  const auto lines = buffer.lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "one");
  EXPECT_EQ(lines[2], "line three");
}

TEST_F(MessageBufferTest, NeverFilledRingDropsNuls) {
  std::string ring(64, '\0');
  const std::string text = "Darwin boot\n";
  ring.replace(0, text.size(), text);
  writeBuffer(ring, static_cast<std::uint32_t>(text.size()));
  EXPECT_EQ(MessageBufferReader(guest.kernel()).read().text, text);
}

TEST_F(MessageBufferTest, BadMagicIsAnAnalysisError) {
  writeBuffer("hello\n", 0, 0x1234);
  EXPECT_THROW(MessageBufferReader(guest.kernel()).read(), AnalysisError);
}

}  // namespace
}  // namespace xnuscope::test
