// Whole-file reads and writes for profile inputs and outputs (a few MB each), with
// errors that name the file and what it was meant to be.
#pragma once

#include <string>

namespace xnuscope {

// Throws InputError("cannot read <what> <path>: <reason>").
std::string readWholeFile(const std::string& path, const std::string& what);
// Like readWholeFile, but transparently decompresses xz (.xz) and gzip (.gz)
// content, recognised by its magic bytes.
std::string readProfileText(const std::string& path, const std::string& what);
// Writes through a temporary file and a rename so a reader never sees half a file.
// Throws InputError when the directory is not writable.
void writeWholeFile(const std::string& path, const std::string& content);
// The last path component without its directory ("a/b/c.zip" → "c.zip").
std::string fileNameOf(const std::string& path);

}  // namespace xnuscope
