// Unit tests for the hand-written profile parsers (Python literals, member type
// notation, dsymutil listings, the symbol-table text) and for the library-backed
// codecs that replaced hand-written ones (OpenSSL SHA-256/Base64, libarchive zip,
// gzip and xz) with the limits xnuscope puts on them.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <string>

#include "core/Error.h"
#include "core/Utf8.h"
#include "profile/Base64.h"
#include "profile/Compression.h"
#include "profile/DsymutilSymbols.h"
#include "profile/ProfileJson.h"
#include "profile/ProfileLimits.h"
#include "profile/ProfileSymbolTable.h"
#include "profile/PythonLiteral.h"
#include "profile/Sha256.h"
#include "profile/TypeExpression.h"
#include "profile/ZipArchive.h"
#include "support/TestPaths.h"
#include "support/ZipWriter.h"

namespace xnuscope {
namespace {

using nlohmann::json;

std::span<const std::uint8_t> bytesOf(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

std::string zipOf(const std::vector<std::pair<std::string, std::string>>& members) {
  const std::string path = test::writeZipFile(test::scratchDir() + "/unit.zip", members);
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string gzipOf(const std::string& text) {
  std::string out(compressBound(text.size()) + 64, '\0');
  z_stream stream{};
  deflateInit2(&stream, 9, Z_DEFLATED, MAX_WBITS + 16, 8, Z_DEFAULT_STRATEGY);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// --- Python literals (Volatility 2 vtypes) ------------------------------------------

TEST(PythonLiteralParser, ParsesTheFormsVtypesUse) {
  const json value = parsePythonLiteral(
      "{'a': [0x10, ['pointer', ['proc']]], 2: (1, -2, 5L), 'b': None, 'c': True, "
      "'d': False, 's': \"x\\\\y\\n\\x41\", 'e': [],}",
      "unit");
  EXPECT_EQ(value["a"][0], 16);
  EXPECT_EQ(value["a"][1][0], "pointer");
  EXPECT_EQ(value["a"][1][1][0], "proc");
  EXPECT_EQ(value["2"], json::array({1, -2, 5}));
  EXPECT_TRUE(value["b"].is_null());
  EXPECT_EQ(value["c"], true);
  EXPECT_EQ(value["d"], false);
  EXPECT_EQ(value["s"], "x\\y\nA");
  EXPECT_TRUE(value["e"].empty());
}

TEST(PythonLiteralParser, HugeIntegersBecomeApproximateNotWrong) {
  const json value = parsePythonLiteral(
      "[-18446744073709551606, 18446744073709551615, "
      "99999999999999999999999]",
      "unit");
  EXPECT_TRUE(value[0].is_number_float());
  EXPECT_LT(value[0].get<double>(), -1.8e19);
  EXPECT_EQ(value[1].get<std::uint64_t>(), UINT64_MAX);
  EXPECT_TRUE(value[2].is_number_float());
}

TEST(PythonLiteralParser, RefusesWhatIsNotALiteralNamingTheOrigin) {
  for (const char* bad : {"[1, 2", "{'a' 1}", "__import__('os')", "'unterminated", "1.5",
                          "[1] trailing", "'\\x4'", ""}) {
    SCOPED_TRACE(bad);
    try {
      parsePythonLiteral(bad, "unit.vtypes");
      ADD_FAILURE() << "accepted";
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("unit.vtypes"), std::string::npos) << error.what();
    }
  }
  EXPECT_THROW(parsePythonLiteral(std::string(100000, '['), "unit"), InputError);  // depth
  const auto assignments = parsePythonAssignments("a = 1\nb = {'x': [2]}\n", "unit");
  EXPECT_EQ(assignments.at("a"), 1);
  EXPECT_EQ(assignments.at("b")["x"][0], 2);
  EXPECT_THROW(parsePythonAssignments("   \n", "unit"), InputError);
}

// --- member type notation ------------------------------------------------------------

TEST(TypeExpressionParser, ParsesAndFormatsRoundTrip) {
  const auto pointerArray = TypeExpression::parse("proc *[4]");
  EXPECT_EQ(pointerArray.base, "proc");
  ASSERT_EQ(pointerArray.constructors.size(), 2u);
  EXPECT_EQ(pointerArray.constructors[0].kind, TypeConstructor::Kind::Pointer);
  EXPECT_EQ(pointerArray.constructors[1].count, 4u);
  EXPECT_TRUE(pointerArray.isArray());
  EXPECT_EQ(pointerArray.format(), "proc *[4]");
  EXPECT_EQ(pointerArray.embeddedBase(), "");
  const auto unknownCount = TypeExpression::parse("char[]");
  EXPECT_FALSE(unknownCount.constructors[0].countKnown);
  EXPECT_EQ(unknownCount.format(), "char[]");
  EXPECT_EQ(TypeExpression::parse("queue_entry[2]").embeddedBase(), "queue_entry");
  EXPECT_EQ(TypeExpression::parse("unsigned long long").base, "unsigned long long");
  EXPECT_TRUE(TypeExpression::parse("void * *").isPointer());
  for (const char* bad : {"", "[4]", "char[", "char[x]", "char[99999999999999999999999]"}) {
    EXPECT_THROW(TypeExpression::parse(bad), InputError) << bad;
  }
}

// --- symbol listings -----------------------------------------------------------------

TEST(SymbolListings, DsymutilKeepsSectionSymbolsOnly) {
  const std::string text =
      "Symbol table for: '/k/kernel' (x86_64)\n"
      "[     0] 00000004 0f (     SECT EXT) 08     0000   ffffff8000a0560c '_allproc'\n"
      "[     1] 00000017 0e (     SECT    ) 01     0000   ffffff8000200000 '_version'\n"
      "[     2] 00000029 64 (     SO      ) 00     0000   0000000000000000 '/src/x.c'\n"
      "[     3] 00000031 01 (     UNDF EXT) 00     0000   0000000000000000 '_undefined'\n";
  const DsymutilListing listing = parseDsymutilSymbols(text, "unit.dsymutil");
  ASSERT_EQ(listing.symbols.size(), 2u);
  EXPECT_EQ(listing.symbols[0].name, "_allproc");
  EXPECT_EQ(listing.symbols[0].address, 0xffffff8000a0560cull);
  EXPECT_TRUE(listing.symbols[0].external);
  EXPECT_FALSE(listing.symbols[1].external);
  EXPECT_THROW(parseDsymutilSymbols("nothing here\n", "unit"), InputError);
  EXPECT_THROW(
      parseDsymutilSymbols("[     0] 00000004 0f (     SECT EXT) 08     0000   zz 'x'\n", "unit"),
      InputError);
}

TEST(SymbolListings, SymbolTableTextRoundTrips) {
  ProfileSymbolTable table(
      {{0xffffff8000a0560cull, "_allproc", true}, {0xffffff8000200000ull, "_version", false}});
  const std::string text = table.toText("unit");
  const ProfileSymbolTable back = ProfileSymbolTable::fromText(text, "unit.txt");
  EXPECT_EQ(back.size(), 2u);
  EXPECT_EQ(back.addressOf("_allproc"), 0xffffff8000a0560cull);
  EXPECT_THROW(ProfileSymbolTable::fromText("garbage line\n", "unit.txt"), InputError);
}

// --- library-backed codecs and their limits ---------------------------------------------

TEST(Codecs, Sha256AndBase64MatchKnownVectors) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string path = test::scratchDir() + "/abc.txt";
  std::ofstream(path) << "abc";
  EXPECT_EQ(sha256FileHex(path), sha256Hex("abc"));
  EXPECT_THROW(sha256FileHex(test::scratchDir() + "/missing"), InputError);
  EXPECT_EQ(base64Encode(""), "");
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(base64Decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(base64Decode(std::string("AA==")), std::string(1, '\0'));
  for (const char* bad : {"Zm9", "Zm9v!mFy", "Z=9v", "====", " Zm9v"}) {
    EXPECT_FALSE(base64Decode(bad)) << bad;
  }
}

TEST(Codecs, ZipMembersAreReadAndBombsRefusedByDeclaredSize) {
  const ZipArchive zip(zipOf({{"a.vtypes", "mac_types = {}\n"}, {"b.dsymutil", "x"}}), "unit.zip");
  ASSERT_EQ(zip.entries().size(), 2u);
  const auto* vtypes = zip.findBySuffix(".vtypes");
  ASSERT_NE(vtypes, nullptr);
  EXPECT_EQ(zip.read(*vtypes), "mac_types = {}\n");
  EXPECT_EQ(zip.findBySuffix(".none"), nullptr);
  const ZipArchive bomb(zipOf({{"big.vtypes", std::string(kMaxZipMemberBytes + 1, '\0')}}),
                        "bomb.zip");
  try {
    bomb.read(bomb.entries().at(0));
    ADD_FAILURE() << "bomb accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("declares"), std::string::npos) << error.what();
  }
  EXPECT_THROW(ZipArchive("PK\x03\x04 but nothing else", "cut.zip"), InputError);
  EXPECT_TRUE(ZipArchive::looksLikeZip("PK\x03\x04"));
  EXPECT_FALSE(ZipArchive::looksLikeZip("{}"));
}

TEST(Codecs, GzipAndXzRoundTripAndAreBounded) {
  const std::string text = "{\"metadata\": {}}";
  EXPECT_EQ(gunzip(bytesOf(gzipOf(text)), "unit.gz"), text);
  EXPECT_EQ(unxz(bytesOf(xz(text)), "unit.xz"), text);
  EXPECT_TRUE(isGzip(bytesOf(gzipOf(text))));
  EXPECT_TRUE(isXz(bytesOf(xz(text))));
  const std::string cut = gzipOf(text).substr(0, 12);
  EXPECT_THROW(gunzip(bytesOf(cut), "cut.gz"), InputError);
  EXPECT_THROW(unxz(bytesOf(std::string("\xfd"
                                        "7zXZ\0garbage",
                                        12)),
                    "bad.xz"),
               InputError);
  const std::string bomb = gzipOf(std::string(kMaxDecompressedProfileBytes + 4096, ' '));
  try {
    gunzip(bytesOf(bomb), "bomb.gz");
    ADD_FAILURE() << "bomb accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("expands beyond"), std::string::npos);
  }
}

TEST(Codecs, ProfileJsonIsBoundedInDepthAndRange) {
  EXPECT_EQ(parseProfileJson("{\"a\": [1, 2]}", "unit")["a"][1], 2);
  EXPECT_THROW(parseProfileJson("[1e999]", "unit"), InputError);
  EXPECT_THROW(parseProfileJson(std::string(100, '[') + std::string(100, ']'), "unit"), InputError);
  EXPECT_THROW(parseProfileJson("{\"a\": \"\xff\"}", "unit"), InputError);
}

TEST(Utf8Text, ValidatesAndRepairs) {
  EXPECT_TRUE(isValidUtf8("plain ascii"));
  EXPECT_TRUE(isValidUtf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(isValidUtf8("\xff"));
  EXPECT_FALSE(isValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(isValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xe2\x82"));          // cut short
  EXPECT_EQ(toValidUtf8("a\xff"
                        "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(toValidUtf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(printableForMessage("a\xff"), "a\\xff");
}

}  // namespace
}  // namespace xnuscope
