// Gradient-boosted trees through XGBoost's C API, loaded at run time.
//
// The addon never links libxgboost: the library is opened with dlopen the first
// time it is needed and its functions are found with dlsym, so the addon (and the
// prebuild shipped in the package) loads on machines without XGBoost, and only the
// regression law needs it. Lookup: $BIMIX_XGBOOST_LIB alone when set, otherwise
// libxgboost.so.0 then libxgboost.so (libxgboost.dylib on macOS) on the loader's
// search path. No Node-API here.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../common/status.h"

namespace bimix::xgb {

// The outcome of the (one, per process) attempt to load the library.
struct LibraryInfo {
  bool loaded = false;
  std::string path;     // the file that was loaded, or the candidates tried
  std::string error;    // why nothing loaded (empty when loaded)
  int major = 0, minor = 0, patch = 0;
};

// Loads the library on first use (thread-safe) and reports the outcome.
const LibraryInfo& library();

// One booster's settings: XGBoost parameters in the order they are set, and the rounds.
struct TrainSpec {
  std::vector<std::pair<std::string, std::string>> params;
  int rounds = 0;
};

// Trains on `rows` x `cols` features (row-major, NaN = missing) with labels `y`, then
// predicts `predRows` rows of `xPred` (same columns). The model is returned as XGBoost's
// JSON (XGBoosterSaveModelToBuffer, format "json"). E_NO_XGBOOST when the library is absent.
Status train(const float* x, uint64_t rows, uint64_t cols, const float* y, const TrainSpec& spec,
             const float* xPred, uint64_t predRows, std::string& modelJson, std::vector<float>& predictions);

// Loads a JSON model (the last few stay loaded) and predicts `rows` rows of `x` on `nthread`
// threads (0: one); rows are independent, so the values do not depend on it.
Status predict(const char* model, uint64_t modelBytes, const float* x, uint64_t rows, uint64_t cols, int nthread,
               std::vector<float>& predictions);

}  // namespace bimix::xgb
