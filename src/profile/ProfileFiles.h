// Whole-file reads and writes for profile inputs and outputs (a few MB each), with
// errors that name the file and what it was meant to be.
#pragma once

#include <cstddef>
#include <string>

namespace xnuscope {

// Throws InputError("cannot read <what> <path>: <reason>").
std::string readWholeFile(const std::string& path, const std::string& what);
// The first `bytes` bytes of the file (all of it when shorter), with the same
// checks and errors as readWholeFile.
std::string readFileHead(const std::string& path, const std::string& what, std::size_t bytes);
// Like readWholeFile, but transparently decompresses xz (.xz) and gzip (.gz)
// content, recognised by its magic bytes.
std::string readProfileText(const std::string& path, const std::string& what);
// Writes through a temporary file and a rename so a reader never sees half a file.
// Throws InputError when the directory is not writable.
void writeWholeFile(const std::string& path, const std::string& content);
// The last path component without its directory ("a/b/c.zip" → "c.zip").
std::string fileNameOf(const std::string& path);

}  // namespace xnuscope
