// The Node-API binding: value conversion and export registration only. Every
// kernel lives in formats/, count/ and state/ and knows nothing of Node.
#define NAPI_VERSION 8
#include <napi.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <new>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/cancel.h"
#include "common/hard_stop.h"
#include "common/fault_guard.h"
#include "count/accumulator.h"
#include "count/embed.h"
#include "count/kernels.h"
#include "formats/source.h"
#include "regress/xgboost.h"
#include "state/grouped.h"
#include "state/merge.h"
#include "state/partial_file.h"

namespace {

using bimix::Status;

// The JS error class (BimixError) the loader hands over once per environment (setErrorClass),
// so a failed Status is thrown as that class with its code, file and offset and no call site
// re-wraps it. Each worker thread has its own environment, hence one reference per thread.
thread_local Napi::FunctionReference* tErrorClass = nullptr;

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(env, "setErrorClass(errorClass) needs a class");
  if (tErrorClass == nullptr) {
    tErrorClass = new Napi::FunctionReference();
    env.AddCleanupHook([] {
      delete tErrorClass;
      tErrorClass = nullptr;
    });
  }
  *tErrorClass = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

[[noreturn]] void throwStatus(Napi::Env env, const Status& s) {
  if (tErrorClass != nullptr && !tErrorClass->IsEmpty()) {
    // new ErrorClass(code, message, { file, offset }): the constructor formats the location.
    Napi::Object where = Napi::Object::New(env);
    if (!s.file.empty()) where.Set("file", Napi::String::New(env, s.file));
    if (s.offset >= 0) where.Set("offset", Napi::Number::New(env, static_cast<double>(s.offset)));
    Napi::Object error = tErrorClass->New({Napi::String::New(env, s.code), Napi::String::New(env, s.message), where});
    throw Napi::Error(env, error);
  }
  // Without a handed-over class (the addon used on its own): a plain Error with the same fields.
  Napi::Error e = Napi::Error::New(env, s.message);
  e.Set("code", Napi::String::New(env, s.code));
  if (!s.file.empty()) e.Set("file", Napi::String::New(env, s.file));
  if (s.offset >= 0) e.Set("offset", Napi::Number::New(env, static_cast<double>(s.offset)));
  throw e;
}

[[noreturn]] void throwUsage(Napi::Env env, const std::string& message) {
  Status s = Status::Error(bimix::ec::E_USAGE, "", -1, message);
  throwStatus(env, s);
}

std::string getString(const Napi::Object& o, const char* key, const std::string& def = "") {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return def;
  if (!v.IsString()) throwUsage(o.Env(), std::string("native option ") + key + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

double getNumber(const Napi::Object& o, const char* key, double def) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return def;
  if (!v.IsNumber()) throwUsage(o.Env(), std::string("native option ") + key + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

// An unsigned integer option. Doubles beyond 2^53 (or NaN, or negative) are
// refused here: casting them to uint64_t would be undefined behaviour.
uint64_t getU64(const Napi::Object& o, const char* key, uint64_t def) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() || v.IsNull()) return def;
  if (!v.IsNumber()) throwUsage(o.Env(), std::string("native option ") + key + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > 9007199254740991.0)
    throwUsage(o.Env(), std::string("native option ") + key + " must be a whole number from 0 to 2^53");
  return static_cast<uint64_t>(d);
}

uint32_t getU32(const Napi::Object& o, const char* key, uint32_t def) {
  uint64_t v = getU64(o, key, def);
  if (v > 0xffffffffULL) throwUsage(o.Env(), std::string("native option ") + key + " must be below 2^32");
  return static_cast<uint32_t>(v);
}

// Runs a kernel call, turning an allocation failure into E_NOMEM (not a crash, not E_IO).
template <typename F>
auto noMemory(Napi::Env env, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    throwStatus(env, Status::Error(bimix::ec::E_NOMEM, "", -1, "out of memory (an allocation failed); lower --memory or --threads"));
  }
}

uint64_t toIndex(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsNumber()) throwUsage(env, std::string(what) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > 9007199254740991.0 || d != static_cast<double>(static_cast<uint64_t>(d)))
    throwUsage(env, std::string(what) + " must be a non-negative integer");
  return static_cast<uint64_t>(d);
}

// options.cancel: the run's cancel slot (see common/cancel.h); absent: not cancellable.
bimix::CancelToken getCancel(const Napi::Object& o) {
  double slot = getNumber(o, "cancel", 0);
  if (!(slot >= 0 && slot < bimix::kCancelSlots) || slot != static_cast<double>(static_cast<uint32_t>(slot)))
    throwUsage(o.Env(), "native option cancel must be a slot from 0 to " + std::to_string(bimix::kCancelSlots - 1));
  return bimix::cancelTokenForSlot(static_cast<uint32_t>(slot));
}

// ---- Source ---------------------------------------------------------------

class Source : public Napi::ObjectWrap<Source> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Source", {InstanceAccessor<&Source::Info>("info"), InstanceMethod<&Source::Close>("close")});
  }
  explicit Source(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Source>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) throwUsage(env, "Source(spec) needs a spec object");
    Napi::Object o = info[0].As<Napi::Object>();
    bimix::SourceSpec spec;
    spec.path = getString(o, "path");
    spec.format = getString(o, "format", "auto");
    spec.dtype = getString(o, "dtype", "");
    double eos = getNumber(o, "eos", -2);
    if (!(eos >= -2 && eos <= 9007199254740991.0)) throwUsage(env, "native option eos must be -2, -1 or a token id");
    spec.eos = static_cast<int64_t>(eos);
    spec.column = getString(o, "column", "");
    Napi::Value mem = o.Get("tokens");
    if (mem.IsTypedArray()) {
      if (mem.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) throwUsage(env, "tokens must be a Uint32Array");
      Napi::Uint32Array ta = mem.As<Napi::Uint32Array>();
      spec.memory.assign(ta.Data(), ta.Data() + ta.ElementLength());
      spec.first = toIndex(env, o.Get("first"), "first");
    }
    Napi::Value ends = o.Get("docEnds");
    if (ends.IsTypedArray()) {
      Napi::TypedArray ta = ends.As<Napi::TypedArray>();
      if (ta.TypedArrayType() != napi_float64_array) throwUsage(env, "docEnds must be a Float64Array");
      Napi::Float64Array fa = ends.As<Napi::Float64Array>();
      spec.hasDocEnds = true;
      spec.docEnds.reserve(fa.ElementLength());
      for (size_t i = 0; i < fa.ElementLength(); ++i) {
        double d = fa[i];
        if (!(d >= 0) || d > 9007199254740991.0) throwUsage(env, "docEnds must hold non-negative integers");
        spec.docEnds.push_back(static_cast<uint64_t>(d));
      }
    }
    std::shared_ptr<bimix::TokenSource> src;
    Status s = noMemory(env, [&] { return bimix::openSource(spec, src); });
    if (!s.ok()) throwStatus(env, s);
    src_ = std::move(src);
  }
  // close(): drops the mapping now instead of at garbage collection; with many
  // files the kernel's map-count limit is reached long before the heap fills.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    src_.reset();
    return info.Env().Undefined();
  }
  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!src_) throwUsage(env, "the source was closed");
    Napi::Object o = Napi::Object::New(env);
    o.Set("path", src_->path);
    o.Set("format", src_->format);
    o.Set("dtype", bimix::dtypeName(src_->dtype));
    o.Set("width", src_->width());
    o.Set("tokens", static_cast<double>(src_->tokens));
    o.Set("dataOffset", static_cast<double>(src_->dataOffset));
    o.Set("bytes", static_cast<double>(src_->data.size()));
    // Whole milliseconds, computed in integers: the nanoseconds exceed 2^53.
    o.Set("mtimeMs", static_cast<double>(src_->data.mtimeNs() / 1000000));
    o.Set("separator", static_cast<double>(src_->separator));
    o.Set("parts", static_cast<double>(src_->parts.size()));
    o.Set("explicitDocuments", src_->hasDocEnds ? Napi::Value(Napi::Number::New(env, static_cast<double>(src_->docEnds.size())))
                                                : env.Null());
    return o;
  }
  const bimix::TokenSource& source() const {
    if (!src_) throwUsage(Env(), "the source was closed");
    return *src_;
  }

 private:
  std::shared_ptr<const bimix::TokenSource> src_;
};
// Per-environment data: each worker thread has its own class constructors.
struct AddonData {
  Napi::FunctionReference source;
};

const bimix::TokenSource& unwrapSource(Napi::Env env, const Napi::Value& v) {
  AddonData* data = env.GetInstanceData<AddonData>();
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(data->source.Value())) throwUsage(env, "expected a Source");
  return Source::Unwrap(v.As<Napi::Object>())->source();
}

// ---- Accumulator ------------------------------------------------------------

// Accumulators handed from the workers that filled them to the reduction of their
// domain, by the domain's name (worker threads share the process).
std::mutex gRegistryMutex;
std::map<std::string, std::vector<std::shared_ptr<bimix::Accumulator>>> gRegistry;

class Accumulator : public Napi::ObjectWrap<Accumulator> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Accumulator",
                       {InstanceMethod<&Accumulator::Add>("add"), InstanceMethod<&Accumulator::WritePartial>("writePartial"),
                        InstanceMethod<&Accumulator::Register>("register"),
                        InstanceAccessor<&Accumulator::Kernel>("kernel")});
  }
  explicit Accumulator(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Accumulator>(info) {
    Napi::Env env = info.Env();
    bimix::AccumulatorConfig cfg;
    if (info.Length() >= 1 && info[0].IsObject()) {
      Napi::Object o = info[0].As<Napi::Object>();
      cfg.memoryBytes = getU64(o, "memoryBytes", cfg.memoryBytes);
      cfg.spillDir = getString(o, "spillDir");
      cfg.simd = getString(o, "simd", "auto");
      cfg.layoutKey = getString(o, "layout");
      cfg.vocab = getU64(o, "vocab", 0);
      cfg.unigramsOnly = o.Get("unigramsOnly").ToBoolean().Value();
      cfg.batchTokens = getU64(o, "batchTokens", 0);
      cfg.sampleRate = getNumber(o, "sampleRate", 1.0);
      cfg.sampleSeed = getU64(o, "sampleSeed", 0);
      cfg.groups = getU32(o, "groups", 0);
      cfg.cancel = getCancel(o);
      Napi::Value nested = o.Get("nestedRates");
      if (nested.IsArray()) {
        Napi::Array a = nested.As<Napi::Array>();
        for (uint32_t i = 0; i < a.Length(); ++i) cfg.nestedRates.push_back(a.Get(i).ToNumber().DoubleValue());
      }
    }
    acc_ = std::make_shared<bimix::Accumulator>(cfg);
    Status s = noMemory(env, [&] { return acc_->init(); });
    if (!s.ok()) throwStatus(env, s);
  }
  Napi::Value Add(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3) throwUsage(env, "add(source, begin, end)");
    const bimix::TokenSource& src = unwrapSource(env, info[0]);
    uint64_t begin = toIndex(env, info[1], "begin");
    uint64_t end = toIndex(env, info[2], "end");
    bimix::ChunkStats st;
    Status s = noMemory(env, [&] { return acc_->addChunk(src, begin, end, &st); });
    if (!s.ok()) throwStatus(env, s);
    Napi::Object o = Napi::Object::New(env);
    o.Set("tokens", static_cast<double>(st.tokens));
    o.Set("documents", static_cast<double>(st.documents));
    o.Set("separators", static_cast<double>(st.separators));
    o.Set("bigrams", static_cast<double>(st.bigrams));
    return o;
  }
  Napi::Value WritePartial(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) throwUsage(env, "writePartial(path, meta)");
    Status s = noMemory(env, [&] { return acc_->writePartial(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value()); });
    if (!s.ok()) throwStatus(env, s);
    return env.Undefined();
  }
  Napi::Value Kernel(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), acc_->kernelName()); }
  // register(name): adds the counts to those registered under `name` (reduced by
  // reduceRegistered); this object is then empty. Returns how many runs it spilled.
  Napi::Value Register(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) throwUsage(env, "register(name)");
    std::string name = info[0].As<Napi::String>().Utf8Value();
    const uint64_t spills = acc_->spills();
    {
      std::lock_guard<std::mutex> lock(gRegistryMutex);
      gRegistry[name].push_back(acc_);
    }
    acc_ = std::make_shared<bimix::Accumulator>(bimix::AccumulatorConfig());
    acc_->init();
    return Napi::Number::New(env, static_cast<double>(spills));
  }

 private:
  std::shared_ptr<bimix::Accumulator> acc_;
};

// ---- functions --------------------------------------------------------------

Napi::Value HistToJs(Napi::Env env, const bimix::CountHistogram& h) {
  auto pairs = h.pairs();
  Napi::Float64Array counts = Napi::Float64Array::New(env, pairs.size());
  Napi::Float64Array mult = Napi::Float64Array::New(env, pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    counts[i] = static_cast<double>(pairs[i].first);
    mult[i] = static_cast<double>(pairs[i].second);
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("counts", counts);
  o.Set("multiplicities", mult);
  return o;
}

Napi::Float64Array DenseToJs(Napi::Env env, const std::vector<uint64_t>& v) {
  Napi::Float64Array a = Napi::Float64Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a[i] = static_cast<double>(v[i]);
  return a;
}

std::vector<std::string> StringList(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throwUsage(env, std::string(what) + " must be an array of paths");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value x = a.Get(i);
    if (!x.IsString()) throwUsage(env, std::string(what) + " must be an array of paths");
    out.push_back(x.As<Napi::String>().Utf8Value());
  }
  return out;
}

Napi::Value ReductionToJs(Napi::Env env, const bimix::Reduction& red, bool dense) {
  Napi::Object r = Napi::Object::New(env);
  r.Set("tokens", static_cast<double>(red.tokens));
  r.Set("documents", static_cast<double>(red.documents));
  r.Set("separators", static_cast<double>(red.separators));
  r.Set("unigramsOnly", red.unigramsOnly);
  r.Set("bigramTotal", static_cast<double>(red.bigramTotal));
  r.Set("bigramDistinct", static_cast<double>(red.bigramDistinct));
  r.Set("unigramDistinct", static_cast<double>(red.unigramDistinct));
  r.Set("leftDistinct", static_cast<double>(red.leftDistinct));
  r.Set("maxId", static_cast<double>(red.maxId));
  r.Set("unigramHist", HistToJs(env, red.unigramHist));
  r.Set("leftHist", HistToJs(env, red.leftHist));
  r.Set("bigramHist", HistToJs(env, red.bigramHist));
  if (dense) {
    r.Set("unigrams", DenseToJs(env, red.unigrams));
    r.Set("docFinal", DenseToJs(env, red.docFinal));
  }
  return r;
}

// mergePartials(inputs, { out?, meta?, reduce?, dense? })
Napi::Value MergePartials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> inputs = StringList(env, info[0], "inputs");
  Napi::Object o = info.Length() >= 2 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
  std::string out = getString(o, "out");
  std::string meta = getString(o, "meta", "{}");
  bool reduce = o.Get("reduce").ToBoolean().Value();
  bool dense = o.Get("dense").ToBoolean().Value();
  bimix::Reduction red;
  auto merge = [&] { return bimix::mergePartials(inputs, out, meta, reduce ? &red : nullptr, getCancel(o)); };
  // Partial-state files are mapped too (a Slurm merge reads files others wrote).
  Status s = noMemory(env, [&] { return bimix::guardMappedRead("", merge); });
  if (!s.ok()) throwStatus(env, s);
  if (!reduce) return env.Null();
  return ReductionToJs(env, red, dense);
}

Napi::Value ReductionToJs(Napi::Env env, const bimix::Reduction& red, bool dense);

// Takes the accumulators registered under `name` out of the registry.
std::vector<std::shared_ptr<bimix::Accumulator>> takeRegistered(Napi::Env env, const std::string& name) {
  std::vector<std::shared_ptr<bimix::Accumulator>> held;
  std::lock_guard<std::mutex> lock(gRegistryMutex);
  auto it = gRegistry.find(name);
  if (it == gRegistry.end()) throwUsage(env, "no counts are registered as " + name);
  held.swap(it->second);
  gRegistry.erase(it);
  return held;
}

// reduceRegistered(name, { threads?, dense? }): merges the accumulators registered under
// `name` (in memory on `threads` threads, through files if one spilled) and reduces them.
Napi::Value ReduceRegistered(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throwUsage(env, "reduceRegistered(name, options)");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  Napi::Object o = info.Length() >= 2 && info[1].IsObject() ? info[1].As<Napi::Object>() : Napi::Object::New(env);
  const bool dense = o.Get("dense").ToBoolean().Value();
  const uint32_t threads = getU32(o, "threads", 1);
  std::vector<std::shared_ptr<bimix::Accumulator>> held = takeRegistered(env, name);
  std::vector<bimix::Accumulator*> raw;
  for (auto& h : held) raw.push_back(h.get());
  bimix::Reduction red;
  Status s = noMemory(env, [&] { return bimix::Accumulator::reduceAll(raw, threads, red); });
  if (!s.ok()) throwStatus(env, s);
  return ReductionToJs(env, red, dense);
}

// writeRegistered(name, { out, meta }): writes the accumulators registered under `name`
// (their shared tables once) as one partial-state file.
Napi::Value WriteRegistered(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject()) throwUsage(env, "writeRegistered(name, { out, meta })");
  std::string name = info[0].As<Napi::String>().Utf8Value();
  Napi::Object o = info[1].As<Napi::Object>();
  const std::string out = getString(o, "out");
  const std::string meta = getString(o, "meta", "{}");
  if (out.empty()) throwUsage(env, "writeRegistered: out must name the partial file to write");
  std::vector<std::shared_ptr<bimix::Accumulator>> held = takeRegistered(env, name);
  std::vector<bimix::Accumulator*> raw;
  for (auto& h : held) raw.push_back(h.get());
  Status s = noMemory(env, [&] { return bimix::Accumulator::writeAll(raw, out, meta); });
  if (!s.ok()) throwStatus(env, s);
  return env.Undefined();
}

// discardRegistered(name): frees the accumulators registered under `name` (after a failure).
Napi::Value DiscardRegistered(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throwUsage(env, "discardRegistered(name)");
  std::vector<std::shared_ptr<bimix::Accumulator>> dropped;
  {
    std::lock_guard<std::mutex> lock(gRegistryMutex);
    auto it = gRegistry.find(info[0].As<Napi::String>().Utf8Value());
    if (it != gRegistry.end()) {
      dropped.swap(it->second);
      gRegistry.erase(it);
    }
  }
  return env.Undefined();
}

// dumpBigrams(path) -> { keys: BigUint64Array, counts: Float64Array } (tests and tools; small files only)
Napi::Value DumpBigrams(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throwUsage(env, "dumpBigrams(path)");
  bimix::PartialReader r;
  Status s = r.open(info[0].As<Napi::String>().Utf8Value());
  if (!s.ok()) throwStatus(env, s);
  uint64_t n = r.counts().bigramDistinct;
  if (n > (1ULL << 28)) throwUsage(env, "too many bigrams to dump");
  Napi::BigUint64Array keys = Napi::BigUint64Array::New(env, n);
  Napi::Float64Array counts = Napi::Float64Array::New(env, n);
  auto cur = r.bigrams();
  uint64_t k, c, i = 0;
  while (i < n && cur.next(k, c)) {
    keys[i] = k;
    counts[i] = static_cast<double>(c);
    ++i;
  }
  if (!cur.ok() || i != n) throwStatus(env, Status::Error(bimix::ec::E_STATE, r.path(), -1, "corrupt bigram section"));
  Napi::Object o = Napi::Object::New(env);
  o.Set("keys", keys);
  o.Set("counts", counts);
  return o;
}

// reduceGrouped(inputs, { groups, levels, jackknifeFrom }) -> Float64Array: the row count, then
// per row: level, omitted group (-1: none), documents, and for unigram, left and bigram counts
// the number m of distinct counts followed by m counts and m multiplicities.
Napi::Value ReduceGrouped(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> inputs = StringList(env, info[0], "inputs");
  if (info.Length() < 2 || !info[1].IsObject()) throwUsage(env, "reduceGrouped(inputs, options)");
  Napi::Object o = info[1].As<Napi::Object>();
  uint32_t groups = getU32(o, "groups", 0);
  uint32_t levels = getU32(o, "levels", 1);
  uint32_t jackknifeFrom = getU32(o, "jackknifeFrom", 0);
  std::vector<bimix::SubsampleCounts> rows;
  auto reduce = [&] { return bimix::reduceGrouped(inputs, groups, levels, jackknifeFrom, rows, getCancel(o)); };
  Status s = noMemory(env, [&] { return bimix::guardMappedRead("", reduce); });
  if (!s.ok()) throwStatus(env, s);
  size_t n = 1;
  for (const auto& r : rows) n += 3 + 3 + 2 * (r.unigram.size() + r.left.size() + r.bigram.size());
  Napi::Float64Array a = Napi::Float64Array::New(env, n);
  size_t i = 0;
  a[i++] = static_cast<double>(rows.size());
  for (const auto& r : rows) {
    a[i++] = r.level;
    a[i++] = r.omitted;
    a[i++] = static_cast<double>(r.documents);
    for (const bimix::CountPairs* h : {&r.unigram, &r.left, &r.bigram}) {
      a[i++] = static_cast<double>(h->size());
      for (const auto& p : *h) a[i++] = static_cast<double>(p.first);
      for (const auto& p : *h) a[i++] = static_cast<double>(p.second);
    }
  }
  return a;
}

Napi::Value ReadPartialInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throwUsage(env, "readPartialInfo(path)");
  bimix::PartialReader r;
  Status s = r.open(info[0].As<Napi::String>().Utf8Value());
  if (!s.ok()) throwStatus(env, s);
  const bimix::PartialCounts& c = r.counts();
  Napi::Object o = Napi::Object::New(env);
  o.Set("meta", r.meta());
  o.Set("flags", c.flags);
  o.Set("tokens", static_cast<double>(c.tokens));
  o.Set("documents", static_cast<double>(c.documents));
  o.Set("separators", static_cast<double>(c.separators));
  o.Set("bigramTotal", static_cast<double>(c.bigramTotal));
  o.Set("bigramDistinct", static_cast<double>(c.bigramDistinct));
  o.Set("formatVersion", bimix::kPartialVersion);
  return o;
}

// streamSum(source, begin, end, simd): the streaming limit used by the benchmark.
Napi::Value StreamSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bimix::TokenSource& src = unwrapSource(env, info[0]);
  uint64_t begin = toIndex(env, info[1], "begin");
  uint64_t end = toIndex(env, info[2], "end");
  std::string simd = info.Length() >= 4 && info[3].IsString() ? info[3].As<Napi::String>().Utf8Value() : "auto";
  const bimix::Kernels* k = bimix::selectKernels(simd);
  if (k == nullptr) throwUsage(env, "unknown SIMD variant " + simd);
  if (begin > end || end > src.tokens) throwUsage(env, "range outside the file");
  if (!src.parts.empty() || src.width() > 4) throwUsage(env, "streamSum reads single-run sources of up to 32-bit ids");
  const uint8_t* b = src.tokenBytes();
  uint64_t sum = 0;
  auto stream = [&]() {
    switch (src.width()) {
      case 1: sum = k->sum8(b + begin, end - begin); break;
      case 2: sum = k->sum16(reinterpret_cast<const uint16_t*>(b) + begin, end - begin); break;
      default: sum = k->sum32(reinterpret_cast<const uint32_t*>(b) + begin, end - begin); break;
    }
    return Status::Ok();
  };
  Status s = bimix::guardMappedRead(src.path, stream);
  if (!s.ok()) throwStatus(env, s);
  return Napi::BigInt::New(env, sum);
}

// embedChunk(source, begin, end, { seed, dims, maxSamples, window }) -> { hashes: BigUint64Array, vectors: Float64Array }
Napi::Value EmbedChunk(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bimix::TokenSource& src = unwrapSource(env, info[0]);
  uint64_t begin = toIndex(env, info[1], "begin");
  uint64_t end = toIndex(env, info[2], "end");
  if (info.Length() < 4 || !info[3].IsObject()) throwUsage(env, "embedChunk(source, begin, end, options)");
  Napi::Object o = info[3].As<Napi::Object>();
  bimix::EmbedConfig cfg;
  cfg.seed = getU64(o, "seed", 0);
  cfg.dims = getU32(o, "dims", 256);
  cfg.maxSamples = getU32(o, "maxSamples", 2048);
  cfg.window = getU32(o, "window", 512);
  cfg.cancel = getCancel(o);
  std::vector<bimix::EmbeddedWindow> docs;
  Status s = noMemory(env, [&] { return bimix::embedChunk(src, begin, end, cfg, docs); });
  if (!s.ok()) throwStatus(env, s);
  Napi::BigUint64Array hashes = Napi::BigUint64Array::New(env, docs.size());
  Napi::Float64Array vectors = Napi::Float64Array::New(env, docs.size() * cfg.dims);
  for (size_t i = 0; i < docs.size(); ++i) {
    hashes[i] = docs[i].hash;
    for (uint32_t j = 0; j < cfg.dims; ++j) vectors[i * cfg.dims + j] = docs[i].vector[j];
  }
  Napi::Object r = Napi::Object::New(env);
  r.Set("hashes", hashes);
  r.Set("vectors", vectors);
  return r;
}

// setCancelled(slot, on): raises (or clears) a run's cancel flag; every thread's kernels see it.
Napi::Value SetCancelled(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2) throwUsage(env, "setCancelled(slot, on)");
  uint64_t slot = toIndex(env, info[0], "slot");
  if (slot >= bimix::kCancelSlots) throwUsage(env, "cancel slot out of range");
  bimix::setCancelSlot(static_cast<uint32_t>(slot), info[1].ToBoolean().Value());
  return env.Undefined();
}

// armHardStop(graceMs) / disarmHardStop() / acknowledgeStop() / addCleanupPath(p) /
// removeCleanupPath(p): the command line's deadline for stop signals (common/hard_stop.h).
Napi::Value ArmHardStop(const Napi::CallbackInfo& info) {
  uint64_t ms = toIndex(info.Env(), info.Length() >= 1 ? info[0] : info.Env().Undefined(), "graceMs");
  bimix::armHardStop(static_cast<unsigned>(std::min<uint64_t>(ms, 60000)));
  return info.Env().Undefined();
}

Napi::Value DisarmHardStop(const Napi::CallbackInfo& info) {
  bimix::disarmHardStop();
  return info.Env().Undefined();
}

Napi::Value AcknowledgeStop(const Napi::CallbackInfo& info) {
  bimix::acknowledgeStop();
  return info.Env().Undefined();
}

Napi::Value CleanupPath(const Napi::CallbackInfo& info, bool add) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throwUsage(env, "cleanup path must be a string");
  std::string p = info[0].As<Napi::String>().Utf8Value();
  if (add) bimix::addCleanupPath(p);
  else bimix::removeCleanupPath(p);
  return env.Undefined();
}

// cancelRequested(slot): whether the run's cancel flag is raised.
Napi::Value CancelRequested(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t slot = toIndex(env, info.Length() >= 1 ? info[0] : env.Undefined(), "slot");
  return Napi::Boolean::New(env, bimix::cancelTokenForSlot(static_cast<uint32_t>(slot)).requested());
}

// detectFormat(path) -> the format `--format auto` reads it as; throws what it refuses.
Napi::Value DetectFormat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throwUsage(env, "detectFormat(path)");
  std::string format;
  Status s = bimix::detectFormat(info[0].As<Napi::String>().Utf8Value(), format);
  if (!s.ok()) throwStatus(env, s);
  return Napi::String::New(env, format);
}

// readEmbeddings(path) -> { vectors: Float32Array, rows, dims }: float32 N x d embeddings from a .npy file.
Napi::Value ReadEmbeddings(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throwUsage(env, "readEmbeddings(path)");
  bimix::EmbeddingsNpy e;
  // The values go straight into the Float32Array handed back (created on this thread, before the copy).
  struct Target {
    Napi::Env env;
    Napi::Float32Array array;
  } target{env, Napi::Float32Array()};
  auto allocate = [](void* ctx, uint64_t count) -> float* {
    auto* t = static_cast<Target*>(ctx);
    t->array = Napi::Float32Array::New(t->env, static_cast<size_t>(count));
    return t->array.Data();
  };
  Status s = noMemory(env, [&] { return bimix::readEmbeddingsNpy(info[0].As<Napi::String>().Utf8Value(), e, allocate, &target); });
  if (!s.ok()) throwStatus(env, s);
  Napi::Float32Array vectors = target.array;
  Napi::Object out = Napi::Object::New(env);
  out.Set("vectors", vectors);
  out.Set("rows", Napi::Number::New(env, static_cast<double>(e.rows)));
  out.Set("dims", Napi::Number::New(env, static_cast<double>(e.dims)));
  return out;
}

// ---- XGBoost (regression law) ----------------------------------------------

const float* float32Data(Napi::Env env, const Napi::Value& v, uint64_t need, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throwUsage(env, std::string(what) + " must be a Float32Array");
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  if (a.ElementLength() != need) throwUsage(env, std::string(what) + " has " + std::to_string(a.ElementLength()) + " values, expected " + std::to_string(need));
  return a.Data();
}

Napi::Float32Array floatsToJs(Napi::Env env, const std::vector<float>& v) {
  Napi::Float32Array a = Napi::Float32Array::New(env, v.size());
  std::copy(v.begin(), v.end(), a.Data());
  return a;
}

// xgboostInfo() -> { loaded, path, error, version }: loads the library on first call.
Napi::Value XgboostInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bimix::xgb::LibraryInfo& lib = bimix::xgb::library();
  Napi::Object o = Napi::Object::New(env);
  o.Set("loaded", lib.loaded);
  o.Set("path", lib.path);
  o.Set("error", lib.error);
  o.Set("version", lib.loaded ? std::to_string(lib.major) + "." + std::to_string(lib.minor) + "." + std::to_string(lib.patch) : "");
  return o;
}

// xgboostTrain(x, rows, cols, y, params, rounds, xPred, predRows) -> { model, predictions }
// x, y, xPred: Float32Array (row-major); params: [name, value, name, value, ...] set in order.
Napi::Value XgboostTrain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 8) throwUsage(env, "xgboostTrain(x, rows, cols, y, params, rounds, xPred, predRows)");
  uint64_t rows = toIndex(env, info[1], "rows");
  uint64_t cols = toIndex(env, info[2], "cols");
  const float* x = float32Data(env, info[0], rows * cols, "x");
  const float* y = float32Data(env, info[3], rows, "y");
  if (!info[4].IsArray()) throwUsage(env, "params must be an array of strings");
  Napi::Array p = info[4].As<Napi::Array>();
  bimix::xgb::TrainSpec spec;
  for (uint32_t i = 0; i + 1 < p.Length(); i += 2) {
    if (!p.Get(i).IsString() || !p.Get(i + 1).IsString()) throwUsage(env, "params must be an array of strings");
    spec.params.emplace_back(p.Get(i).As<Napi::String>().Utf8Value(), p.Get(i + 1).As<Napi::String>().Utf8Value());
  }
  uint64_t rounds = toIndex(env, info[5], "rounds");
  if (rounds > 1000000) throwUsage(env, "rounds must be at most 1000000");
  spec.rounds = static_cast<int>(rounds);
  uint64_t predRows = toIndex(env, info[7], "predRows");
  const float* xPred = float32Data(env, info[6], predRows * cols, "xPred");
  std::string model;
  std::vector<float> pred;
  Status s = noMemory(env, [&] { return bimix::xgb::train(x, rows, cols, y, spec, xPred, predRows, model, pred); });
  if (!s.ok()) throwStatus(env, s);
  Napi::Object o = Napi::Object::New(env);
  o.Set("model", Napi::String::New(env, model));
  o.Set("predictions", floatsToJs(env, pred));
  return o;
}

// xgboostPredict(model, x, rows, cols, nthread) -> Float32Array
Napi::Value XgboostPredict(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsString()) throwUsage(env, "xgboostPredict(model, x, rows, cols, nthread)");
  std::string model = info[0].As<Napi::String>().Utf8Value();
  uint64_t rows = toIndex(env, info[2], "rows");
  uint64_t cols = toIndex(env, info[3], "cols");
  const float* x = float32Data(env, info[1], rows * cols, "x");
  uint64_t nthread = toIndex(env, info[4], "nthread");
  if (nthread > 1024) throwUsage(env, "nthread must be at most 1024");
  std::vector<float> pred;
  Status s = noMemory(env, [&] { return bimix::xgb::predict(model.data(), model.size(), x, rows, cols, static_cast<int>(nthread), pred); });
  if (!s.ok()) throwStatus(env, s);
  return floatsToJs(env, pred);
}

Napi::Value KernelInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("available", bimix::availableKernels());
  const bimix::Kernels* k = bimix::selectKernels("auto");
  o.Set("selected", k != nullptr ? k->name : "none");
  o.Set("partialFormatVersion", bimix::kPartialVersion);
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Napi::Function source = Source::Init(env);
  AddonData* data = new AddonData();
  data->source = Napi::Persistent(source);
  env.SetInstanceData<AddonData>(data);
  exports.Set("Source", source);
  exports.Set("Accumulator", Accumulator::Init(env));
  exports.Set("mergePartials", Napi::Function::New(env, MergePartials));
  exports.Set("reduceRegistered", Napi::Function::New(env, ReduceRegistered));
  exports.Set("discardRegistered", Napi::Function::New(env, DiscardRegistered));
  exports.Set("writeRegistered", Napi::Function::New(env, WriteRegistered));
  exports.Set("reduceGrouped", Napi::Function::New(env, ReduceGrouped));
  exports.Set("readPartialInfo", Napi::Function::New(env, ReadPartialInfo));
  exports.Set("dumpBigrams", Napi::Function::New(env, DumpBigrams));
  exports.Set("streamSum", Napi::Function::New(env, StreamSum));
  exports.Set("embedChunk", Napi::Function::New(env, EmbedChunk));
  exports.Set("kernelInfo", Napi::Function::New(env, KernelInfo));
  exports.Set("setCancelled", Napi::Function::New(env, SetCancelled));
  exports.Set("cancelRequested", Napi::Function::New(env, CancelRequested));
  exports.Set("cancelSlots", Napi::Number::New(env, bimix::kCancelSlots));
  exports.Set("armHardStop", Napi::Function::New(env, ArmHardStop));
  exports.Set("disarmHardStop", Napi::Function::New(env, DisarmHardStop));
  exports.Set("acknowledgeStop", Napi::Function::New(env, AcknowledgeStop));
  exports.Set("addCleanupPath", Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return CleanupPath(i, true); }));
  exports.Set("removeCleanupPath", Napi::Function::New(env, [](const Napi::CallbackInfo& i) { return CleanupPath(i, false); }));
  exports.Set("detectFormat", Napi::Function::New(env, DetectFormat));
  exports.Set("readEmbeddings", Napi::Function::New(env, ReadEmbeddings));
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass));
  exports.Set("xgboostInfo", Napi::Function::New(env, XgboostInfo));
  exports.Set("xgboostTrain", Napi::Function::New(env, XgboostTrain));
  exports.Set("xgboostPredict", Napi::Function::New(env, XgboostPredict));
  return exports;
}

}  // namespace

NODE_API_MODULE(bimix, Init)
