#include "shared_tables.h"

#include <unistd.h>

#include <map>

#include "../state/partial_file.h"

namespace bimix {

namespace {
std::mutex gSharedMutex;
std::map<std::string, std::weak_ptr<SharedTables>> gShared;
std::atomic<uint64_t> gSharedSpills{0};
// Members start their passes over the partitions this far apart (an odd stride,
// so any number of members lands on distinct partitions).
constexpr uint32_t kMemberStride = 389;
}  // namespace

SharedTables::SharedTables(uint32_t partitions) : tables_(partitions), locks_(new std::mutex[partitions]) {
  uint64_t b = 0;
  for (const auto& t : tables_) b += t.bytes();
  tableBytes_.store(b);
}

SharedTables::~SharedTables() {
  for (const std::string& p : spillPaths_) ::unlink(p.c_str());
}

std::shared_ptr<SharedTables> SharedTables::forKey(const std::string& key, uint32_t partitions) {
  std::lock_guard<std::mutex> lock(gSharedMutex);
  for (auto it = gShared.begin(); it != gShared.end();) it = it->second.expired() ? gShared.erase(it) : std::next(it);
  auto it = gShared.find(key);
  if (it != gShared.end())
    if (auto held = it->second.lock()) return held;
  auto made = std::make_shared<SharedTables>(partitions);
  gShared[key] = made;
  return made;
}

bool SharedTables::claim(const Kind& kind) {
  std::lock_guard<std::mutex> lock(kindMutex_);
  if (!hasKind_) {
    hasKind_ = true;
    kind_ = kind;
  }
  return kind_ == kind;
}

bool SharedTables::kind(Kind& out) const {
  std::lock_guard<std::mutex> lock(kindMutex_);
  out = kind_;
  return hasKind_;
}

uint32_t SharedTables::join(uint64_t budgetBytes) {
  budget_.fetch_add(budgetBytes);
  return members_.fetch_add(1);
}

void SharedTables::leave(uint64_t budgetBytes) { budget_.fetch_sub(budgetBytes); }

Status SharedTables::insertBatch(const uint32_t* buf, const uint64_t* start, const uint64_t* cursor, uint32_t member,
                                 const CancelToken& cancel) {
  const uint32_t n = partitions();
  const uint32_t first = static_cast<uint32_t>((static_cast<uint64_t>(member) * kMemberStride) % n);
  std::vector<uint32_t> busy;
  auto insertLocked = [&](uint32_t p) {
    const uint64_t before = tables_[p].bytes();
    tables_[p].insert(buf + start[p], cursor[p] - start[p]);
    tableBytes_.fetch_add(tables_[p].bytes() - before);
  };
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t p = (first + i) % n;
    if (cursor[p] == start[p]) continue;
    if (cancel.requested()) return interruptedStatus();
    std::unique_lock<std::mutex> lock(locks_[p], std::try_to_lock);
    if (!lock.owns_lock()) {
      busy.push_back(p);
      continue;
    }
    insertLocked(p);
  }
  for (uint32_t p : busy) {
    if (cancel.requested()) return interruptedStatus();
    std::lock_guard<std::mutex> lock(locks_[p]);
    insertLocked(p);
  }
  return Status::Ok();
}

Status SharedTables::insertOne(uint32_t p, const uint32_t* keys, uint64_t n) {
  std::lock_guard<std::mutex> lock(locks_[p]);
  const uint64_t before = tables_[p].bytes();
  tables_[p].insert(keys, n);
  tableBytes_.fetch_add(tables_[p].bytes() - before);
  return Status::Ok();
}

Status SharedTables::spillIfOver(const std::string& dir, const CancelToken& cancel) {
  if (tableBytes_.load() + scatterBytes_.load() <= budget_.load()) return Status::Ok();
  std::lock_guard<std::mutex> spilling(spillMutex_);
  // Another member may have spilled while this one waited.
  if (tableBytes_.load() + scatterBytes_.load() <= budget_.load()) return Status::Ok();
  return spillLocked(dir, cancel);
}

Status SharedTables::spillAll(const std::string& dir, const CancelToken& cancel) {
  std::lock_guard<std::mutex> spilling(spillMutex_);
  if (empty()) return Status::Ok();
  return spillLocked(dir, cancel);
}

std::vector<std::string> SharedTables::takeSpillPaths() {
  std::lock_guard<std::mutex> spilling(spillMutex_);
  std::vector<std::string> out;
  out.swap(spillPaths_);
  return out;
}

Status SharedTables::spillLocked(const std::string& dir, const CancelToken& cancel) {
  if (dir.empty()) return Status::Error(ec::E_USAGE, "", -1, "memory budget exceeded and no spill folder was given");
  const uint32_t n = partitions();
  Kind kind;
  this->kind(kind);
  const std::string path = dir + "/spill-" + std::to_string(::getpid()) + "-shared-" +
                           std::to_string(gSharedSpills.fetch_add(1)) + ".bimixps";
  PartialWriter w;
  BIMIX_TRY(w.open(path, "{\"spill\":true}"));
  std::vector<uint64_t> none;
  Status s = w.writeUnigrams(none);
  if (s.ok()) s = w.writeDocFinal(none);
  std::vector<std::pair<uint64_t, uint64_t>> part;
  for (uint32_t p = 0; p < n && s.ok(); ++p) {
    if (cancel.requested()) {
      s = interruptedStatus();
      break;
    }
    part.clear();
    {
      // One partition at a time: members go on inserting into the others. Keys a
      // member adds to a partition already drained wait in its table for a later run.
      std::lock_guard<std::mutex> lock(locks_[p]);
      const uint64_t before = tables_[p].bytes();
      tables_[p].drainSorted(part);
      tableBytes_.fetch_sub(before - tables_[p].bytes());
    }
    if (kind.compact) {
      const uint64_t rb = kind.rightBits;
      for (const auto& kv : part) {
        const uint64_t left = (static_cast<uint64_t>(p) << kind.shift) | (kv.first >> rb);
        w.addBigram((left << 32) | (kv.first & ((1ULL << rb) - 1)), kv.second);
      }
    } else {
      for (const auto& kv : part) w.addBigram(canonicalNarrow(kv.first), kv.second);
    }
  }
  if (s.ok()) s = w.finish(0, 0, 0, 0);
  if (!s.ok()) {
    // Some partitions were drained into a run that is not kept: the counts are gone.
    w.abandon();
    poisoned_.store(true);
    return s;
  }
  spillPaths_.push_back(path);
  spills_.fetch_add(1);
  return Status::Ok();
}

}  // namespace bimix
