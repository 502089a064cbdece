#include "common/file_util.h"

#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

namespace tandem {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Result<std::vector<uint8_t>> read_gzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return Status::Error("cannot open " + path);
  std::unique_ptr<gzFile_s, int (*)(gzFile)> closer(f, gzclose);
  std::vector<uint8_t> out;
  std::vector<uint8_t> buf(1 << 16);
  while (true) {
    int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) return Status::Error("gzip error reading " + path);
    if (n == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + n);
  }
  return out;
}
}  // namespace

Result<std::vector<uint8_t>> read_file(const std::string& path) {
  if (ends_with(path, ".gz")) return read_gzip(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error("cannot open " + path);
  std::vector<uint8_t> out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::Error("error reading " + path);
  return out;
}

Status write_file(const std::string& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::Error("cannot create " + path);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) return Status::Error("error writing " + path);
  return Status::Ok();
}

Result<std::vector<std::span<const uint8_t>>> split_update_stream(std::span<const uint8_t> data) {
  std::vector<std::span<const uint8_t>> frames;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t start = pos;
    uint64_t len = 0;
    int shift = 0;
    while (true) {
      if (pos >= data.size()) return Status::Error("truncated frame length at byte " + std::to_string(start));
      uint8_t b = data[pos++];
      if (shift > 49) return Status::Error("frame length too large at byte " + std::to_string(start));
      len |= static_cast<uint64_t>(b & 0x7F) << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    if (len > data.size() - pos) {
      return Status::Error("frame of " + std::to_string(len) + " bytes at byte " +
                           std::to_string(start) + " runs past the end");
    }
    frames.push_back(data.subspan(pos, len));
    pos += len;
  }
  return frames;
}

}  // namespace tandem
