#include <gtest/gtest.h>

#include <filesystem>

#include "core/Error.h"
#include "profile/Profile.h"
#include "profile/ProfileRepository.h"
#include "support/TestPaths.h"
#include "xnu/XnuLayout.h"

namespace xnuscope::test {
namespace {

struct RealBuild {
  const char* build;  // xnu_profiles/<build>.json, the project's own profile
  std::uint64_t procSize, pComm, pStart, pUcred, bsdInfo, mapPmap;
  bool aliasBits;
  std::uint64_t allproc;
};

// Expected values are facts copied from the development notes on the real layouts
// (LAYOUTS.md beside the Volatility 2 zips, not part of the repository; nothing is read
// from there): the committed xnu_profiles/ must agree with them.
const RealBuild kBuilds[] = {
    {"Mavericks_10.9.5_13F34", 0x4a8, 0x2d4, 0x418, 0xd8, 0x2f0, 0x50, true, 0xffffff80008fddc8},
    {"Yosemite_10.10.5_14F27", 0x4b0, 0x2d4, 0x428, 0xd8, 0x300, 0x50, true, 0xffffff8000b0d988},
    {"ElCapitan_10.11.6_15G1212", 0x4b8, 0x2e4, 0x428, 0xe8, 0x318, 0x50, false,
     0xffffff8000b21db8},
    {"Sierra_10.12.6_16G29", 0x478, 0x2e4, 0x3c8, 0xe8, 0x380, 0x48, false, 0xffffff8000abc590},
    {"HighSierra_10.13.1_17B48", 0x488, 0x2e0, 0x3c0, 0xe8, 0x390, 0x48, false, 0xffffff8000ac8998},
    {"HighSierra_10.13.6_17G65", 0x490, 0x2e0, 0x3c0, 0xe8, 0x390, 0x48, false, 0xffffff8000c159b8},
};

class RealProfileLayoutTest : public ::testing::TestWithParam<RealBuild> {};

TEST_P(RealProfileLayoutTest, ResolvesTheWalkerOffsets) {
  const RealBuild& build = GetParam();
  const Profile profile =
      loadProfileFile(sourceDir() + "/xnu_profiles/" + std::string(build.build) + ".json");
  const XnuLayout layout = XnuLayout::fromProfile(profile);
  EXPECT_EQ(layout.procSize, build.procSize);
  EXPECT_EQ(layout.procListNext, 0u);
  EXPECT_EQ(layout.procPid, 0x10u);
  EXPECT_EQ(layout.procTask, 0x18u);
  EXPECT_EQ(layout.procParent, 0x20u);
  EXPECT_EQ(layout.procPpid, 0x28u);
  EXPECT_EQ(layout.procUcred, build.pUcred);
  EXPECT_EQ(layout.procComm, build.pComm);
  EXPECT_EQ(layout.commLength, 17u);
  EXPECT_EQ(layout.procName, build.pComm + 17);
  EXPECT_EQ(layout.nameLength, 33u);
  EXPECT_EQ(layout.procStartSec, build.pStart);
  EXPECT_EQ(layout.ucredUid, 0x18u);  // cr_posix at 0x18, cr_uid at 0
  EXPECT_EQ(layout.taskMap, 0x20u);
  EXPECT_EQ(layout.taskQueueNext, 0x28u);
  EXPECT_EQ(layout.taskBsdInfo, build.bsdInfo);
  EXPECT_EQ(layout.mapHeaderLinks, 0x10u);
  EXPECT_EQ(layout.mapNentries, 0x30u);
  EXPECT_EQ(layout.mapPmap, build.mapPmap);
  EXPECT_EQ(layout.pmapCr3, 8u);
  EXPECT_EQ(layout.entryObject, 0x38u);
  EXPECT_EQ(layout.entryOffset, 0x40u);
  EXPECT_EQ(layout.entryProtection.wordOffset, 0x48u);
  EXPECT_EQ(layout.entryProtection.start, 7u);
  EXPECT_EQ(layout.entryProtection.count, 3u);
  EXPECT_EQ(layout.entryMaxProtection.wordOffset, 0x48u);
  EXPECT_EQ(layout.entryMaxProtection.start, 10u);
  EXPECT_EQ(layout.entryInheritance.start, 13u);
  EXPECT_EQ(layout.entryInheritance.count, 2u);
  EXPECT_EQ(layout.entryIsSubMap.start, 1u);
  EXPECT_EQ(layout.tagLocation == VmTagLocation::AliasBits, build.aliasBits);
  EXPECT_FALSE(layout.packedObject);
  EXPECT_EQ(layout.kmodAddress, 0x9cu);
  EXPECT_EQ(layout.kmodSize, 0xa4u);
  EXPECT_EQ(layout.msgBufc, 16u);
  EXPECT_EQ(layout.symAllproc, build.allproc);
  EXPECT_TRUE(layout.symTasks.has_value());
  EXPECT_TRUE(layout.symMsgbufp.has_value());
  EXPECT_FALSE(layout.taskFollowsProc());
}

INSTANTIATE_TEST_SUITE_P(SixBuilds, RealProfileLayoutTest, ::testing::ValuesIn(kBuilds),
                         [](const auto& info) {
                           std::string name = info.param.build;
                           name = name.substr(0, name.find('_'));
                           return name + "_" + std::to_string(info.index);
                         });

// A macOS 13-shaped profile, written by hand from the xnu-8792 source order.
Profile venturaProfile() {
  Profile p;
  p.name = "hand-made-13";
  auto field = [](std::uint64_t offset, std::string type, std::uint64_t count = 1) {
    Field f;
    f.offset = offset;
    f.type = std::move(type);
    f.elementCount = count;
    return f;
  };
  auto bits = [](std::uint64_t offset, std::uint32_t start, std::uint32_t count) {
    Field f;
    f.offset = offset;
    f.type = "unsigned int";
    f.bits = BitField{start, count};
    return f;
  };
  p.structs["proc"] = {0x748,
                       {{"p_list", field(0, "list_entry_proc")},
                        {"p_pptr", field(0x10, "proc *")},
                        {"p_proc_ro", field(0x18, "proc_ro *")},
                        {"p_ppid", field(0x20, "int")},
                        {"p_pid", field(0x60, "int")},
                        {"p_comm", field(0x570, "char[17]", 17)},
                        {"p_name", field(0x581, "char[33]", 33)},
                        {"p_start", field(0x5b0, "timeval")}}};
  p.structs["list_entry_proc"] = {
      16, {{"le_next", field(0, "proc *")}, {"le_prev", field(8, "proc **")}}};
  p.structs["timeval"] = {16, {{"tv_sec", field(0, "long")}, {"tv_usec", field(8, "int")}}};
  p.structs["proc_ro"] = {0x80,
                          {{"pr_proc", field(0, "proc *")}, {"p_ucred", field(0x20, "ucred *")}}};
  p.structs["ucred"] = {0x90, {{"cr_posix", field(0x18, "posix_cred")}}};
  p.structs["posix_cred"] = {
      0x60, {{"cr_uid", field(0, "unsigned int")}, {"cr_rgid", field(0x50, "unsigned int")}}};
  p.structs["task"] = {0x600,
                       {{"map", field(0x28, "_vm_map *")}, {"tasks", field(0x30, "queue_entry")}}};
  p.structs["queue_entry"] = {
      16, {{"next", field(0, "queue_entry *")}, {"prev", field(8, "queue_entry *")}}};
  p.structs["_vm_map"] = {0x100,
                          {{"hdr", field(0x10, "vm_map_header")}, {"pmap", field(0x48, "pmap *")}}};
  p.structs["vm_map_header"] = {
      0x38, {{"links", field(0, "vm_map_links")}, {"nentries", field(0x20, "int")}}};
  p.structs["vm_map_links"] = {0x20,
                               {{"prev", field(0, "vm_map_entry *")},
                                {"next", field(8, "vm_map_entry *")},
                                {"start", field(0x10, "unsigned long long")},
                                {"end", field(0x18, "unsigned long long")}}};
  p.structs["pmap"] = {0x170, {{"pm_cr3", field(8, "unsigned long long")}}};
  p.structs["vm_map_entry"] = {0x50,
                               {{"links", field(0, "vm_map_links")},
                                {"vme_ctx_is_sub_map", bits(0x38, 1, 1)},
                                {"vme_object_or_delta", field(0x3c, "unsigned int")},
                                {"vme_alias", bits(0x40, 0, 12)},
                                {"protection", bits(0x48, 7, 4)},
                                {"max_protection", bits(0x48, 11, 4)},
                                {"inheritance", bits(0x48, 15, 2)}}};
  p.symbols["_allproc"] = 0xffffff8000c00000;
  p.symbols["_tasks"] = 0xffffff8000c00100;
  return p;
}

TEST(XnuLayoutTest, VenturaLayoutHasNoTaskPointerAndPackedObjects) {
  const XnuLayout layout = XnuLayout::fromProfile(venturaProfile());
  EXPECT_TRUE(layout.taskFollowsProc());
  EXPECT_EQ(layout.procToTaskDistance, 0x750u);
  EXPECT_EQ(layout.procToTaskDistanceAlt, 0x748u);
  EXPECT_FALSE(layout.taskBsdInfo.has_value());
  EXPECT_FALSE(layout.procUcred.has_value());
  EXPECT_EQ(layout.procProcRo, 0x18u);
  EXPECT_EQ(layout.procRoUcred, 0x20u);
  EXPECT_EQ(layout.ucredGid, 0x68u);
  EXPECT_EQ(layout.procPid, 0x60u);
  EXPECT_TRUE(layout.packedObject);
  EXPECT_EQ(layout.entryPackedObject, 0x3cu);
  EXPECT_EQ(layout.entryObject, 0x38u);
  EXPECT_EQ(layout.entryIsSubMap.wordOffset, 0x38u);
  EXPECT_EQ(layout.entryMaxProtection.count, 4u);
  EXPECT_EQ(layout.entryOffset, 0x40u);
  EXPECT_EQ(layout.tagLocation, VmTagLocation::OffsetLowBits);
}

// A missing field refuses only the walkers that need its part of the layout, and
// the refusal names the struct and the field.
TEST(XnuLayoutTest, MissingFieldNamesStructAndField) {
  Profile profile = venturaProfile();
  profile.structs["task"].fields.erase("map");
  const XnuLayout layout = XnuLayout::fromProfile(profile);
  EXPECT_NE(layout.processesUnavailable.find("task"), std::string::npos)
      << layout.processesUnavailable;
  EXPECT_NE(layout.processesUnavailable.find("map"), std::string::npos)
      << layout.processesUnavailable;
  EXPECT_THROW(XnuLayout::require(layout.processesUnavailable), AnalysisError);
  EXPECT_TRUE(layout.vmMapsUnavailable.empty()) << layout.vmMapsUnavailable;
  EXPECT_TRUE(layout.msgbufUnavailable.empty()) << layout.msgbufUnavailable;
}

TEST(XnuLayoutTest, NoCredentialsPathIsRefused) {
  Profile profile = venturaProfile();
  profile.structs["proc"].fields.erase("p_proc_ro");
  const XnuLayout layout = XnuLayout::fromProfile(profile);
  EXPECT_NE(layout.processesUnavailable.find("credentials"), std::string::npos)
      << layout.processesUnavailable;
  EXPECT_THROW(XnuLayout::require(layout.processesUnavailable), AnalysisError);
}

TEST(XnuLayoutTest, BrokenVmMapEntryRefusesOnlyMaps) {
  Profile profile = venturaProfile();
  profile.structs["vm_map_entry"].size = 1ull << 30;
  const XnuLayout layout = XnuLayout::fromProfile(profile);
  EXPECT_TRUE(layout.processesUnavailable.empty()) << layout.processesUnavailable;
  EXPECT_NE(layout.vmMapsUnavailable.find("sizeof(struct vm_map_entry)"), std::string::npos)
      << layout.vmMapsUnavailable;
}

}  // namespace
}  // namespace xnuscope::test
