// XGBoost through its C API, opened with dlopen (see xgboost.h for why).
//
// The prototypes below are the few functions of XGBoost's c_api.h (1.7) this file
// calls, declared here so no XGBoost header is needed to build the addon. Every
// function returns 0 on success and -1 on failure, with XGBGetLastError() saying why.
#include "xgboost.h"

#include <dlfcn.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace bimix::xgb {
namespace {

using bst_ulong = uint64_t;
using DMatrixHandle = void*;
using BoosterHandle = void*;

struct Api {
  const char* (*GetLastError)();
  void (*Version)(int* major, int* minor, int* patch);
  int (*DMatrixCreateFromMat)(const float* data, bst_ulong nrow, bst_ulong ncol, float missing, DMatrixHandle* out);
  int (*DMatrixSetFloatInfo)(DMatrixHandle handle, const char* field, const float* array, bst_ulong len);
  int (*DMatrixFree)(DMatrixHandle handle);
  int (*BoosterCreate)(const DMatrixHandle dmats[], bst_ulong len, BoosterHandle* out);
  int (*BoosterFree)(BoosterHandle handle);
  int (*BoosterSetParam)(BoosterHandle handle, const char* name, const char* value);
  int (*BoosterUpdateOneIter)(BoosterHandle handle, int iter, DMatrixHandle dtrain);
  int (*BoosterPredict)(BoosterHandle handle, DMatrixHandle dmat, int option_mask, unsigned ntree_limit, int training,
                        bst_ulong* out_len, const float** out_result);
  int (*BoosterSaveModelToBuffer)(BoosterHandle handle, const char* config, bst_ulong* out_len, const char** out_dptr);
  int (*BoosterLoadModelFromBuffer)(BoosterHandle handle, const void* buf, bst_ulong len);
};

Api api;
LibraryInfo info;
std::once_flag once;

std::vector<std::string> candidates() {
  const char* env = std::getenv("BIMIX_XGBOOST_LIB");
  // An override is the only candidate: falling back to another copy would hide a typo.
  if (env != nullptr && *env != '\0') return {env};
#ifdef __APPLE__
  return {"libxgboost.dylib"};
#else
  return {"libxgboost.so.0", "libxgboost.so"};
#endif
}

template <typename F>
bool bind(void* lib, const char* name, F& fn, std::string& missing) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  if (fn == nullptr) missing += (missing.empty() ? "" : ", ") + std::string(name);
  return fn != nullptr;
}

void load() {
  std::string tried;
  for (const std::string& c : candidates()) {
    void* lib = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* why = dlerror();
      tried += (tried.empty() ? "" : "; ") + c + " (" + (why != nullptr ? why : "not found") + ")";
      continue;
    }
    std::string missing;
    bind(lib, "XGBGetLastError", api.GetLastError, missing);
    bind(lib, "XGBoostVersion", api.Version, missing);
    bind(lib, "XGDMatrixCreateFromMat", api.DMatrixCreateFromMat, missing);
    bind(lib, "XGDMatrixSetFloatInfo", api.DMatrixSetFloatInfo, missing);
    bind(lib, "XGDMatrixFree", api.DMatrixFree, missing);
    bind(lib, "XGBoosterCreate", api.BoosterCreate, missing);
    bind(lib, "XGBoosterFree", api.BoosterFree, missing);
    bind(lib, "XGBoosterSetParam", api.BoosterSetParam, missing);
    bind(lib, "XGBoosterUpdateOneIter", api.BoosterUpdateOneIter, missing);
    bind(lib, "XGBoosterPredict", api.BoosterPredict, missing);
    bind(lib, "XGBoosterSaveModelToBuffer", api.BoosterSaveModelToBuffer, missing);
    bind(lib, "XGBoosterLoadModelFromBuffer", api.BoosterLoadModelFromBuffer, missing);
    if (!missing.empty()) {
      // Kept open: a library that was loaded may have run initialisers; closing it gains nothing.
      tried += (tried.empty() ? "" : "; ") + c + " (lacks " + missing + ")";
      continue;
    }
    api.Version(&info.major, &info.minor, &info.patch);
    info.loaded = true;
    info.path = c;
    return;
  }
  info.path = tried;
  info.error = "XGBoost could not be loaded: tried " + tried;
}

Status noLibrary() {
  return Status::Error(ec::E_NO_XGBOOST, "", -1,
                       library().error +
                           ". The regression law needs XGBoost's shared library (1.7 or later): install it "
                           "(Debian/Ubuntu: apt-get install libxgboost0) or set BIMIX_XGBOOST_LIB to its path");
}

Status failed(const char* what) {
  const char* why = api.GetLastError();
  return Status::Error(ec::E_NATIVE, "", -1, std::string("XGBoost ") + what + " failed: " + (why != nullptr ? why : "no message"));
}

// Owners of XGBoost handles, freed on every path.
struct Matrix {
  DMatrixHandle h = nullptr;
  ~Matrix() {
    if (h != nullptr) api.DMatrixFree(h);
  }
};
struct Booster {
  BoosterHandle h = nullptr;
  ~Booster() {
    if (h != nullptr) api.BoosterFree(h);
  }
};

Status predictWith(BoosterHandle b, const float* x, uint64_t rows, uint64_t cols, std::vector<float>& out) {
  out.clear();
  if (rows == 0) return Status::Ok();
  Matrix m;
  if (api.DMatrixCreateFromMat(x, rows, cols, NAN, &m.h) != 0) return failed("matrix creation");
  bst_ulong len = 0;
  const float* result = nullptr;
  if (api.BoosterPredict(b, m.h, 0, 0, 0, &len, &result) != 0) return failed("prediction");
  if (len != rows) return Status::Error(ec::E_NATIVE, "", -1, "XGBoost returned " + std::to_string(len) + " predictions for " + std::to_string(rows) + " rows");
  out.assign(result, result + len);
  return Status::Ok();
}

}  // namespace

const LibraryInfo& library() {
  std::call_once(once, load);
  return info;
}

Status train(const float* x, uint64_t rows, uint64_t cols, const float* y, const TrainSpec& spec, const float* xPred,
             uint64_t predRows, std::string& modelJson, std::vector<float>& predictions) {
  if (!library().loaded) return noLibrary();
  // Missing values are NaN (none occur in mixtures): explicit zero shares stay values, as
  // they are when XGBoost's Python package builds a matrix from a dense array.
  Matrix d;
  if (api.DMatrixCreateFromMat(x, rows, cols, NAN, &d.h) != 0) return failed("matrix creation");
  if (api.DMatrixSetFloatInfo(d.h, "label", y, rows) != 0) return failed("setting labels");
  Booster b;
  if (api.BoosterCreate(&d.h, 1, &b.h) != 0) return failed("booster creation");
  for (const auto& [name, value] : spec.params) {
    if (api.BoosterSetParam(b.h, name.c_str(), value.c_str()) != 0) return failed(("setting " + name).c_str());
  }
  for (int i = 0; i < spec.rounds; ++i) {
    if (api.BoosterUpdateOneIter(b.h, i, d.h) != 0) return failed("training");
  }
  bst_ulong len = 0;
  const char* buf = nullptr;
  if (api.BoosterSaveModelToBuffer(b.h, "{\"format\": \"json\"}", &len, &buf) != 0) return failed("saving the model");
  modelJson.assign(buf, len);
  return predictWith(b.h, xPred, predRows, cols, predictions);
}

Status predict(const char* model, uint64_t modelBytes, const float* x, uint64_t rows, uint64_t cols, int nthread,
               std::vector<float>& predictions) {
  if (!library().loaded) return noLibrary();
  // Parsing a model of 1000 trees takes far longer than predicting a few rows, and callers
  // predict one domain's model many times in a row (a chart's points, a mixture per call):
  // the last few loaded models are kept, matched on their full text.
  struct Cached {
    std::string model;
    std::unique_ptr<Booster> booster;
  };
  static std::mutex mu;
  static auto* cache = new std::vector<Cached>();  // never freed: boosters outlive static destruction
  constexpr size_t kCached = 8;
  std::lock_guard<std::mutex> lock(mu);
  auto hit = std::find_if(cache->begin(), cache->end(), [&](const Cached& c) {
    return c.model.size() == modelBytes && std::memcmp(c.model.data(), model, modelBytes) == 0;
  });
  if (hit == cache->end()) {
    auto b = std::make_unique<Booster>();
    if (api.BoosterCreate(nullptr, 0, &b->h) != 0) return failed("booster creation");
    if (api.BoosterLoadModelFromBuffer(b->h, model, modelBytes) != 0) return failed("loading the model");
    if (cache->size() == kCached) cache->erase(cache->begin());
    cache->push_back(Cached{std::string(model, modelBytes), std::move(b)});
    hit = cache->end() - 1;
  }
  // Each row is predicted on its own, so the thread count does not change the values.
  if (api.BoosterSetParam(hit->booster->h, "nthread", std::to_string(nthread > 0 ? nthread : 1).c_str()) != 0) return failed("setting nthread");
  return predictWith(hit->booster->h, x, rows, cols, predictions);
}

}  // namespace bimix::xgb
