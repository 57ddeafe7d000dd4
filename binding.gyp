{
  "targets": [
    {
      "target_name": "bimix",
      "sources": [
        "native/addon.cc",
        "native/common/mapped_file.cc",
        "native/common/hard_stop.cc",
        "native/common/fault_guard.cc",
        "native/formats/open_source.cc",
        "native/formats/megatron.cc",
        "native/formats/llmc.cc",
        "native/formats/raw.cc",
        "native/formats/npy.cc",
        "native/formats/datatrove.cc",
        "native/formats/arrow.cc",
        "native/formats/parts.cc",
        "native/formats/detect.cc",
        "native/count/kernels_scalar.cc",
        "native/count/kernels_avx2.cc",
        "native/count/accumulator.cc",
        "native/count/shared_tables.cc",
        "native/count/embed.cc",
        "native/state/partial_file.cc",
        "native/state/merge.cc",
        "native/state/grouped.cc",
        "native/regress/xgboost.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-fexceptions", "-std=c++17", "-O3"],
      "conditions": [["OS=='linux'", { "libraries": ["-ldl"] }]]
    }
  ]
}
