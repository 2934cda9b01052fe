#include "physmem/ImageOpener.h"

#include <algorithm>

#include "core/Error.h"
#include "physmem/ByteSize.h"
#include "physmem/ElfCoreImage.h"
#include "physmem/ImageFormat.h"
#include "physmem/LimeImage.h"
#include "physmem/MappedFile.h"
#include "physmem/RawImage.h"

namespace xnuscope {

std::unique_ptr<PhysicalMemory> openPhysicalMemory(const std::string& path) {
  MappedFile file(path);
  const auto head = file.bytes().first(std::min<std::uint64_t>(file.size(), kMinimumImageSize));
  const DetectedFormat detected = detectImageFormat(head, file.size());
  switch (detected.format) {
    case ImageFormat::ElfCore:
      return std::make_unique<ElfCoreImage>(std::move(file));
    case ImageFormat::Lime:
      return std::make_unique<LimeImage>(std::move(file));
    case ImageFormat::Raw:
      return std::make_unique<RawImage>(std::move(file));
    case ImageFormat::Rejected:
      break;
  }
  throw InputError("cannot use " + path + " as a memory image: it is " + detected.what + " (" +
                   humanByteSize(file.size()) + ", starts " + hexPreview(head) + "); " +
                   detected.advice + "; " + acceptedImageFormats());
}

}  // namespace xnuscope
