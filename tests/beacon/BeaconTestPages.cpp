#include "BeaconTestPages.h"

#include <cstring>

namespace xnuscope::test {

std::vector<TestProcess> makeProcesses(std::size_t count, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<TestProcess> processes;
  std::uint32_t pid = 1;
  for (std::size_t i = 0; i < count; ++i) {
    TestProcess p;
    p.pid = pid;
    p.ppid = i == 0 ? 0 : 1 + static_cast<std::uint32_t>(rng() % pid);
    p.uid = rng() % 3 == 0 ? 0 : 501;
    p.gid = p.uid == 0 ? 0 : 20;
    p.rssKb = 1024 + rng() % 100000;
    p.name = i == 0 ? "launchd" : "proc" + std::to_string(pid);
    p.state = "RSSSZT"[rng() % 6];
    processes.push_back(p);
    pid += 1 + static_cast<std::uint32_t>(rng() % 7);
  }
  return processes;
}

Page LayoutASessionBuilder::master() const {
  Page page{};
  const std::uint32_t counts[XB_CATEGORY_COUNT] = {1, 16, 200, 200};
  xb_page_begin(page.data());
  xb_write_header(page.data(), session_, XB_CATEGORY_MASTER, 0, timestamp_);
  xb_write_master(page.data(), counts);
  xb_page_end(page.data());
  return page;
}

std::vector<Page> LayoutASessionBuilder::pidPages(std::uint32_t generation,
                                                  const std::vector<TestProcess>& processes,
                                                  std::uint32_t firstIndex) const {
  std::vector<xb_pid_entry> entries;
  for (const auto& p : processes) {
    xb_pid_entry e{};
    e.pid = p.pid;
    e.ppid = p.ppid;
    e.uid = p.uid;
    e.gid = p.gid;
    e.rss_kb = p.rssKb;
    std::strncpy(e.comm, p.name.c_str(), sizeof e.comm - 1);
    e.state = p.state;
    entries.push_back(e);
  }
  std::vector<Page> pages;
  std::size_t written = 0;
  std::uint32_t index = firstIndex;
  do {
    Page& page = pages.emplace_back();
    xb_page_begin(page.data());
    xb_write_header(page.data(), session_, XB_CATEGORY_PID, index++, timestamp_);
    written += xb_write_pid_page(
        page.data(), generation, static_cast<std::uint32_t>(entries.size()),
        entries.data() + written, static_cast<std::uint32_t>(entries.size() - written));
    xb_page_end(page.data());
  } while (written < entries.size());
  return pages;
}

std::vector<Page> LayoutASessionBuilder::cameraPages(
    std::uint32_t category, std::uint32_t targetPid,
    const std::vector<TestSection>& sections) const {
  std::vector<Page> pages;
  Page& control = pages.emplace_back();
  xb_page_begin(control.data());
  xb_write_header(control.data(), session_, category, 0, timestamp_);
  xb_write_camera_control(control.data(), targetPid, 2, targetPid);
  xb_page_end(control.data());

  xb_camera_stream stream{};
  auto openPage = [&]() {
    Page& page = pages.emplace_back();
    xb_page_begin(page.data());
    xb_write_header(page.data(), session_, category, static_cast<std::uint32_t>(pages.size() - 1),
                    timestamp_);
    xb_camera_stream_start(&stream, page.data(), targetPid);
  };
  auto closePage = [&](bool continuation) {
    xb_camera_stream_finish(&stream, continuation ? 1 : 0);
    xb_page_end(stream.page);
  };
  openPage();
  for (const auto& s : sections) {
    if (!xb_camera_add_section(&stream, &s.section)) {
      closePage(true);
      openPage();
      xb_camera_add_section(&stream, &s.section);
    }
    for (const auto& pte : s.ptes) {
      if (!xb_camera_add_pte(&stream, &pte)) {
        closePage(true);
        openPage();
        xb_camera_add_pte(&stream, &pte);
      }
    }
  }
  closePage(false);
  return pages;
}

void tear(Page& page) { xb_page_begin(page.data()); }

std::vector<Page> layoutBPages(std::uint32_t session, const std::vector<TestProcess>& processes) {
  // The writer's area is virtually contiguous; build it as one buffer, with the
  // same order of stores as the reference writer, then cut it into pages.
  const std::size_t perPage = 40;
  const std::size_t procPages = (processes.size() + perPage - 1) / perPage;
  const std::size_t areaPages = procPages + 2;  // + control + the page overflow lands in
  std::vector<std::uint8_t> area(areaPages * 4096, 0);
  for (std::size_t w = 0; w < 16; ++w) xb_store_u32(area.data() + 4 * w, XB_MAGIC);
  xb_store_u32(area.data() + 0, XB_MAGIC);
  xb_store_u32(area.data() + 4, session);
  xb_store_u32(area.data() + 8, 1);
  xb_store_u32(area.data() + 12, 0);
  for (std::size_t i = 0, idx = 1; i < processes.size(); i += perPage, ++idx) {
    std::uint8_t* page = area.data() + idx * 4096;
    xb_store_u32(page + 0, XB_MAGIC);
    xb_store_u32(page + 4, session);
    xb_store_u32(page + 8, 2);
    xb_store_u32(page + 12, static_cast<std::uint32_t>(idx));
    const std::size_t count = std::min(perPage, processes.size() - i);
    for (std::size_t k = 0; k < count; ++k) {  // 108-byte entries from offset 28: may spill
      const TestProcess& p = processes[i + k];
      std::uint8_t* e = page + 28 + 108 * k;
      std::memset(e, 0, 108);
      xb_store_u32(e + 0, p.pid);
      xb_store_u32(e + 4, p.ppid);
      xb_store_u32(e + 8, p.uid);
      xb_store_u32(e + 12, p.gid);
      xb_store_u64(e + 16, p.rssKb * 3);  // vsize
      xb_store_u64(e + 24, p.rssKb);
      xb_store_u64(e + 32, 12345);  // cpu time
      std::strncpy(reinterpret_cast<char*>(e + 40), p.name.c_str(), 63);
      e[104] = static_cast<std::uint8_t>(p.state);
    }
    xb_store_u32(page + 16, static_cast<std::uint32_t>(count));
    xb_store_u32(page + 20, static_cast<std::uint32_t>(processes.size()));
    xb_store_u32(page + 24, 0xFFFFFFFFu);
  }
  std::vector<Page> pages(areaPages);
  for (std::size_t i = 0; i < areaPages; ++i)
    std::memcpy(pages[i].data(), area.data() + i * 4096, 4096);
  return pages;
}

Page magicGarbagePage(std::mt19937_64& rng) {
  Page page{};
  for (auto& b : page) b = static_cast<std::uint8_t>(rng());
  xb_store_u32(page.data(), XB_MAGIC);
  return page;
}

}  // namespace xnuscope::test
