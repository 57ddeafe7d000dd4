#include "merge.h"

#include <algorithm>

namespace bimix {

BigramMerger::BigramMerger(const std::vector<const PartialReader*>& readers) : readers_(readers) {
  cursors_.reserve(readers.size());
  for (const PartialReader* r : readers) cursors_.push_back(r->bigrams());
  for (size_t i = 0; i < cursors_.size(); ++i) push(i);
}

namespace {
bool heapLess(uint64_t ak, size_t as, uint64_t bk, size_t bs) { return ak != bk ? ak > bk : as > bs; }
}  // namespace

void BigramMerger::push(size_t i) {
  Head h{0, 0, i};
  if (cursors_[i].next(h.key, h.count)) {
    heap_.push_back(h);
    std::push_heap(heap_.begin(), heap_.end(),
                   [](const Head& a, const Head& b) { return heapLess(a.key, a.source, b.key, b.source); });
  } else if (!cursors_[i].ok() && ok_) {
    ok_ = false;
    bad_ = readers_[i]->path();
  }
}

bool BigramMerger::next(uint64_t& key, uint64_t& count) {
  auto cmp = [](const Head& a, const Head& b) { return heapLess(a.key, a.source, b.key, b.source); };
  if (heap_.empty()) return false;
  key = heap_.front().key;
  count = 0;
  while (!heap_.empty() && heap_.front().key == key) {
    std::pop_heap(heap_.begin(), heap_.end(), cmp);
    Head h = heap_.back();
    heap_.pop_back();
    count += h.count;
    push(h.source);
  }
  return true;
}

bool BigramMerger::ok(std::string& bad) const {
  bad = bad_;
  return ok_;
}

std::vector<std::pair<uint64_t, uint64_t>> CountHistogram::pairs() const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (uint64_t c = 1; c < dense_.size(); ++c)
    if (dense_[c] != 0) out.emplace_back(c, dense_[c]);
  for (const auto& kv : sparse_) out.emplace_back(kv.first, kv.second);
  return out;
}

Status finishReduction(Reduction& r, const std::string& where, bool histograms, bool checkTotals) {
  // Every counted bigram has a left token that is not document-final, so the left
  // marginal must add up to the bigram total: a cheap exactness check.
  uint64_t leftTotal = 0, uniTotal = 0;
  if (r.docFinal.size() > r.unigrams.size()) r.unigrams.resize(r.docFinal.size(), 0);
  for (size_t id = 0; id < r.unigrams.size(); ++id) {
    uint64_t u = r.unigrams[id];
    uint64_t f = id < r.docFinal.size() ? r.docFinal[id] : 0;
    if (f > u)
      return Status::Error(ec::E_STATE, where, -1,
                           "inconsistent counts: token " + std::to_string(id) + " is document-final more often than it occurs");
    uniTotal += u;
    leftTotal += u - f;
    if (u > 0) r.maxId = static_cast<int64_t>(id);
    if (histograms) {
      if (u > 0) {
        r.unigramHist.add(u);
        r.unigramDistinct += 1;
      }
      if (u - f > 0) {
        r.leftHist.add(u - f);
        r.leftDistinct += 1;
      }
    }
  }
  r.unigramTotal = uniTotal;
  r.leftTotal = leftTotal;
  if (checkTotals && !r.grouped && (uniTotal != r.tokens || (!r.unigramsOnly && leftTotal != r.bigramTotal)))
    return Status::Error(ec::E_STATE, where, -1,
                         "inconsistent counts (unigram total " + std::to_string(uniTotal) + " vs tokens " +
                             std::to_string(r.tokens) + ", left marginal " + std::to_string(leftTotal) + " vs bigrams " +
                             std::to_string(r.bigramTotal) + ")");
  return Status::Ok();
}

Status mergePartials(const std::vector<std::string>& inputs, const std::string& outPath, const std::string& meta,
                     Reduction* red, CancelToken cancel) {
  std::vector<std::unique_ptr<PartialReader>> readers;
  std::vector<const PartialReader*> raw;
  Reduction local;
  Reduction& r = red != nullptr ? *red : local;
  r = Reduction();
  for (const std::string& p : inputs) {
    auto reader = std::make_unique<PartialReader>();
    BIMIX_TRY(reader->open(p));
    BIMIX_TRY(reader->addUnigrams(r.unigrams));
    BIMIX_TRY(reader->addDocFinal(r.docFinal));
    r.tokens += reader->counts().tokens;
    r.documents += reader->counts().documents;
    r.separators += reader->counts().separators;
    uint32_t f = reader->counts().flags;
    if (!readers.empty() && f != readers.front()->counts().flags)
      return Status::Error(ec::E_STATE, p, 12, "mixes partial-state files of different kinds (full, unigram-only, sampled)");
    r.unigramsOnly = (f & kFlagUnigramsOnly) != 0;
    r.grouped = (f & kFlagGrouped) != 0;
    raw.push_back(reader.get());
    readers.push_back(std::move(reader));
  }
  PartialWriter writer;
  const bool writing = !outPath.empty();
  if (writing) {
    BIMIX_TRY(writer.open(outPath, meta));
    BIMIX_TRY(writer.writeUnigrams(r.unigrams));
    BIMIX_TRY(writer.writeDocFinal(r.docFinal));
  }
  BigramMerger merger(raw);
  uint64_t key, count;
  CancelPoll poll(cancel, 1 << 16);
  while (merger.next(key, count)) {
    if (poll.stop()) {
      writer.abandon();
      return interruptedStatus();
    }
    if (writing) writer.addBigram(key, count);
    r.bigramTotal += count;
    r.bigramDistinct += 1;
    if (red != nullptr) r.bigramHist.add(count);
  }
  std::string bad;
  if (!merger.ok(bad)) {
    writer.abandon();
    return Status::Error(ec::E_STATE, bad, -1, "corrupt bigram section in partial-state file");
  }
  Status s = finishReduction(r, inputs.empty() ? outPath : inputs.front(), red != nullptr);
  if (!s.ok()) {
    writer.abandon();
    return s;
  }
  if (writing) BIMIX_TRY(writer.finish(r.tokens, r.documents, r.separators, raw.empty() ? 0 : raw.front()->counts().flags));
  return Status::Ok();
}

}  // namespace bimix
