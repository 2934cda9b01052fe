#include "TestMemory.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace xnuscope::test {

void TestMemory::addRange(std::uint64_t start, std::uint64_t size) {
  ranges_.push_back({start, size});
  storage_.emplace_back(size, 0);
}

std::uint8_t* TestMemory::at(std::uint64_t pa) {
  return const_cast<std::uint8_t*>(static_cast<const TestMemory*>(this)->at(pa));
}

const std::uint8_t* TestMemory::at(std::uint64_t pa) const {
  for (std::size_t i = 0; i < ranges_.size(); ++i) {
    if (ranges_[i].contains(pa)) return storage_[i].data() + (pa - ranges_[i].start);
  }
  return nullptr;
}

void TestMemory::place(std::uint64_t pa, const Page& page) {
  std::uint8_t* p = at(pa);
  if (p == nullptr || at(pa + page.size() - 1) == nullptr)
    throw std::logic_error("page outside memory");
  std::memcpy(p, page.data(), page.size());
  used_.insert(pa & ~std::uint64_t{0xFFF});
}

std::vector<std::uint64_t> TestMemory::scatter(const std::vector<Page>& pages,
                                               std::mt19937_64& rng) {
  std::vector<std::uint64_t> placed;
  for (const Page& page : pages) {
    for (int attempt = 0;; ++attempt) {
      if (attempt > 100000) throw std::logic_error("test memory too full to scatter pages");
      const PhysRange& range = ranges_[rng() % ranges_.size()];
      const std::uint64_t frames = range.size / 4096;
      const std::uint64_t pa =
          ((range.start + 4095) & ~std::uint64_t{0xFFF}) + (rng() % frames) * 4096;
      if (!range.contains(pa + 4095) || used_.count(pa)) continue;
      place(pa, page);
      placed.push_back(pa);
      break;
    }
  }
  return placed;
}

void TestMemory::writeSparseRaw(const std::string& path) const {
  if (ranges_.size() != 1 || ranges_[0].start != 0)
    throw std::logic_error("raw needs one range at 0");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + path);
  if (::ftruncate(fd, static_cast<off_t>(ranges_[0].size)) != 0)
    throw std::runtime_error("ftruncate");
  // Only placed pages are written, so the file stays sparse.
  for (std::uint64_t pa : used_) {
    if (::pwrite(fd, storage_[0].data() + pa, 4096, static_cast<off_t>(pa)) != 4096) {
      throw std::runtime_error("pwrite");
    }
  }
  ::close(fd);
}

std::size_t TestMemory::read(std::uint64_t pa, std::span<std::uint8_t> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const std::uint64_t cur = pa + done;
    auto it = std::find_if(ranges_.begin(), ranges_.end(),
                           [&](const PhysRange& r) { return r.contains(cur); });
    if (it == ranges_.end()) break;
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(out.size() - done, it->end() - cur));
    std::memcpy(out.data() + done, at(cur), n);
    done += n;
  }
  return done;
}

std::optional<std::span<const std::uint8_t>> TestMemory::view(std::uint64_t pa,
                                                              std::size_t length) const {
  if (!viewEnabled_) return std::nullopt;
  for (const auto& range : ranges_) {
    if (range.contains(pa) && range.end() - pa >= length) {
      return std::span<const std::uint8_t>(at(pa), length);
    }
  }
  return std::nullopt;
}

}  // namespace xnuscope::test
