#include "support/ZipWriter.h"

#include <archive.h>
#include <archive_entry.h>

namespace xnuscope::test {

std::string writeZipFile(const std::string& path,
                         const std::vector<std::pair<std::string, std::string>>& members) {
  archive* zip = archive_write_new();
  archive_write_set_format_zip(zip);
  archive_write_open_filename(zip, path.c_str());
  for (const auto& [member, content] : members) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, member.c_str());
    archive_entry_set_size(entry, static_cast<la_int64_t>(content.size()));
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_write_header(zip, entry);
    archive_write_data(zip, content.data(), content.size());
    archive_entry_free(entry);
  }
  archive_write_close(zip);
  archive_write_free(zip);
  return path;
}

}  // namespace xnuscope::test
