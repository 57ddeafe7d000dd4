#include "partial_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "../formats/bytes.h"

namespace bimix {

namespace {
const char kMagic[8] = {'B', 'I', 'M', 'I', 'X', 'P', 'S', '1'};

bool writeAll(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

void put64(uint8_t*& p, uint64_t v) {
  std::memcpy(p, &v, 8);
  p += 8;
}
void put32(uint8_t*& p, uint32_t v) {
  std::memcpy(p, &v, 4);
  p += 4;
}
}  // namespace

PartialWriter::~PartialWriter() { abandon(); }

void PartialWriter::abandon() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    ::unlink(tmp_.c_str());
  }
}

Status PartialWriter::open(const std::string& path, const std::string& meta) {
  path_ = path;
  tmp_ = path + ".tmp" + std::to_string(::getpid()) + "." + std::to_string(reinterpret_cast<uintptr_t>(this) & 0xFFFFFF);
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return Status::Error(ec::E_IO, path, -1, std::string("cannot create: ") + std::strerror(errno));
  std::vector<uint8_t> zero(kPartialHeaderBytes, 0);
  if (!writeAll(fd_, zero.data(), zero.size())) {
    abandon();
    return Status::Error(ec::E_IO, path, -1, std::string("cannot write: ") + std::strerror(errno));
  }
  buf_.reserve(kFlushBytes + 64);
  buf_.insert(buf_.end(), meta.begin(), meta.end());
  metaBytes_ = meta.size();
  flushBuffer();
  return failed_ ? Status::Error(ec::E_IO, path, -1, error_) : Status::Ok();
}

void PartialWriter::flushBuffer() {
  if (buf_.empty() || failed_) {
    buf_.clear();
    return;
  }
  sum_.update(buf_.data(), buf_.size());
  if (!writeAll(fd_, buf_.data(), buf_.size())) {
    failed_ = true;
    error_ = std::string("cannot write: ") + std::strerror(errno);
  }
  written_ += buf_.size();
  buf_.clear();
}

Status PartialWriter::writeDense(const uint64_t* dense, size_t n, const std::vector<std::pair<uint64_t, uint64_t>>& above,
                                 uint64_t& entries, uint64_t& bytes) {
  uint64_t before = written_ + buf_.size();
  uint64_t last = 0;
  entries = 0;
  auto put = [&](uint64_t id, uint64_t count) {
    putVarint(id - last);
    putVarint(count);
    last = id;
    ++entries;
    if (buf_.size() >= kFlushBytes) flushBuffer();
  };
  for (uint64_t id = 0; id < n; ++id)
    if (dense[id] != 0) put(id, dense[id]);
  for (const auto& kv : above) {
    if (kv.first < n || (entries > 0 && kv.first <= last)) {
      failed_ = true;
      error_ = "id counts out of order";
      return Status::Error(ec::E_STATE, path_, -1, error_);
    }
    if (kv.second != 0) put(kv.first, kv.second);
  }
  bytes = written_ + buf_.size() - before;
  return Status::Ok();
}

Status PartialWriter::writeUnigrams(const uint64_t* dense, size_t n, const std::vector<std::pair<uint64_t, uint64_t>>& above) {
  return writeDense(dense, n, above, counts_.unigramEntries, unigramBytes_);
}

Status PartialWriter::writeDocFinal(const uint64_t* dense, size_t n, const std::vector<std::pair<uint64_t, uint64_t>>& above) {
  Status s = writeDense(dense, n, above, counts_.docFinalEntries, docFinalBytes_);
  bigramBytes_ = written_ + buf_.size();  // start of the bigram section, fixed up in finish()
  return s;
}

Status PartialWriter::finish(uint64_t tokens, uint64_t documents, uint64_t separators, uint32_t flags) {
  counts_.flags = flags;
  flushBuffer();
  if (failed_) {
    abandon();
    return Status::Error(ec::E_IO, path_, -1, error_);
  }
  bigramBytes_ = written_ - bigramBytes_;
  counts_.tokens = tokens;
  counts_.documents = documents;
  counts_.separators = separators;
  uint8_t header[kPartialHeaderBytes];
  uint8_t* p = header;
  std::memcpy(p, kMagic, 8);
  p += 8;
  put32(p, kPartialVersion);
  put32(p, counts_.flags);
  put64(p, counts_.tokens);
  put64(p, counts_.documents);
  put64(p, counts_.separators);
  put64(p, counts_.bigramTotal);
  put64(p, counts_.bigramDistinct);
  put64(p, counts_.unigramEntries);
  put64(p, counts_.docFinalEntries);
  put64(p, metaBytes_);
  put64(p, unigramBytes_);
  put64(p, docFinalBytes_);
  put64(p, bigramBytes_);
  put64(p, sum_.digest());
  uint64_t hc = checksumOf(header, static_cast<size_t>(p - header));
  put64(p, hc);
  bool ok = ::pwrite(fd_, header, kPartialHeaderBytes, 0) == static_cast<ssize_t>(kPartialHeaderBytes);
  ok = ok && ::fsync(fd_) == 0;
  int err = errno;
  ok = (::close(fd_) == 0) && ok;
  fd_ = -1;
  if (!ok || ::rename(tmp_.c_str(), path_.c_str()) != 0) {
    ::unlink(tmp_.c_str());
    return Status::Error(ec::E_IO, path_, -1, std::string("cannot write: ") + std::strerror(err));
  }
  return Status::Ok();
}

Status PartialReader::open(const std::string& path) {
  BIMIX_TRY(file_.open(path));
  const uint8_t* d = file_.data();
  uint64_t size = file_.size();
  if (size == 0) return Status::Error(ec::E_STATE, path, 0, "empty partial-state file");
  if (size < 8 || std::memcmp(d, kMagic, 8) != 0)
    return Status::Error(ec::E_STATE, path, 0, "not a bimix partial-state file (magic BIMIXPS1 missing)");
  if (size < kPartialHeaderBytes)
    return Status::Error(ec::E_STATE, path, static_cast<int64_t>(size), "partial-state header truncated");
  uint32_t version = loadLE<uint32_t>(d + 8);
  if (version != kPartialVersion)
    return Status::Error(ec::E_STATE, path, 8,
                         "partial-state format version " + std::to_string(version) + " (this build reads " +
                             std::to_string(kPartialVersion) + ")");
  counts_.flags = loadLE<uint32_t>(d + 12);
  if ((counts_.flags & ~(kFlagUnigramsOnly | kFlagGrouped)) != 0)
    return Status::Error(ec::E_STATE, path, 12, "unknown partial-state flags");
  const uint8_t* p = d + 16;
  auto next = [&p]() {
    uint64_t v = loadLE<uint64_t>(p);
    p += 8;
    return v;
  };
  counts_.tokens = next();
  counts_.documents = next();
  counts_.separators = next();
  counts_.bigramTotal = next();
  counts_.bigramDistinct = next();
  counts_.unigramEntries = next();
  counts_.docFinalEntries = next();
  uint64_t metaBytes = next();
  unigramBytes_ = next();
  docFinalBytes_ = next();
  bigramBytes_ = next();
  uint64_t payloadSum = next();
  uint64_t headerSum = loadLE<uint64_t>(p);
  if (checksumOf(d, static_cast<size_t>(p - d)) != headerSum)
    return Status::Error(ec::E_STATE, path, static_cast<int64_t>(p - d), "partial-state header checksum mismatch");
  uint64_t body = size - kPartialHeaderBytes;
  if (metaBytes > body || unigramBytes_ > body || docFinalBytes_ > body || bigramBytes_ > body ||
      metaBytes + unigramBytes_ + docFinalBytes_ + bigramBytes_ != body)
    return Status::Error(ec::E_STATE, path, static_cast<int64_t>(size),
                         "partial-state file is truncated or has trailing bytes (sections do not add up to its size)");
  const uint8_t* b = d + kPartialHeaderBytes;
  if (checksumOf(b, body) != payloadSum)
    return Status::Error(ec::E_STATE, path, kPartialHeaderBytes, "partial-state payload checksum mismatch (corrupt file)");
  meta_.assign(reinterpret_cast<const char*>(b), metaBytes);
  unigrams_ = b + metaBytes;
  docFinal_ = unigrams_ + unigramBytes_;
  bigrams_ = docFinal_ + docFinalBytes_;
  return Status::Ok();
}

Status PartialReader::addSection(const uint8_t* p, uint64_t bytes, uint64_t entries, std::vector<uint64_t>& dense) const {
  const uint8_t* end = p + bytes;
  uint64_t id = 0;
  for (uint64_t i = 0; i < entries; ++i) {
    uint64_t delta, count;
    if (!getVarint(p, end, delta) || !getVarint(p, end, count) || (i > 0 && delta == 0) || count == 0)
      return Status::Error(ec::E_STATE, path(), -1, "corrupt count section");
    id += delta;
    if (id >= kMaxTokenId) return Status::Error(ec::E_STATE, path(), -1, "token id out of range in count section");
    if (id >= dense.size()) dense.resize(id + 1, 0);
    dense[id] += count;
  }
  if (p != end) return Status::Error(ec::E_STATE, path(), -1, "count section length mismatch");
  return Status::Ok();
}

Status PartialReader::addUnigrams(std::vector<uint64_t>& dense) const {
  return addSection(unigrams_, unigramBytes_, counts_.unigramEntries, dense);
}

Status PartialReader::addDocFinal(std::vector<uint64_t>& dense) const {
  return addSection(docFinal_, docFinalBytes_, counts_.docFinalEntries, dense);
}

PartialReader::BigramCursor PartialReader::bigrams() const {
  BigramCursor c;
  c.p_ = bigrams_;
  c.end_ = bigrams_ + bigramBytes_;
  c.left_ = counts_.bigramDistinct;
  return c;
}

bool PartialReader::BigramCursor::next(uint64_t& key, uint64_t& count) {
  if (left_ == 0) {
    if (p_ != end_) ok_ = false;
    return false;
  }
  uint64_t delta;
  // Keys must strictly ascend: a zero delta after the first key, or one that wraps
  // past 2^64, marks a corrupt (or forged) file.
  if (!getVarint(p_, end_, delta) || !getVarint(p_, end_, count) || count == 0 || (!first_ && delta == 0) ||
      key_ + delta < key_) {
    ok_ = false;
    left_ = 0;
    return false;
  }
  key_ += delta;
  first_ = false;
  --left_;
  key = key_;
  return true;
}

}  // namespace bimix
