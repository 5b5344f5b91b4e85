# Built by scripts/build-native.js (npm's install script). brevity_gemm (our
# own kernel, no library) always builds; brevity_blas needs OpenBLAS: the
# script finds cblas.h and passes its folder in BREVITY_BLAS_INCLUDE (and the
# library folder in BREVITY_BLAS_LIBDIR when it is not on the default linker
# path), or BREVITY_GEMM_ONLY=1 to build brevity_gemm alone.
{
  "variables": {
    "with_blas%": "<!(node -p \"process.env.BREVITY_GEMM_ONLY === '1' ? 0 : 1\")"
  },
  "targets": [
    {
      "target_name": "brevity_gemm",
      "sources": ["brevity_gemm.c"],
      "cflags": ["-O3", "-std=gnu11", "-pthread"],
      "ldflags": ["-pthread"]
    }
  ],
  "conditions": [
    ["with_blas==1", {
      "targets": [
        {
          "target_name": "brevity_blas",
          "sources": ["brevity_blas.c"],
          "include_dirs": ["<!(node -p \"process.env.BREVITY_BLAS_INCLUDE || '/usr/include'\")"],
          "cflags": ["-O2", "-std=c11"],
          "libraries": [
            "<!(node -p \"process.env.BREVITY_BLAS_LIBDIR ? '-L' + process.env.BREVITY_BLAS_LIBDIR : ''\")",
            "<!(node -p \"process.env.BREVITY_BLAS_LIBDIR ? '-Wl,-rpath,' + process.env.BREVITY_BLAS_LIBDIR : ''\")",
            "-lopenblas"
          ]
        }
      ]
    }]
  ]
}
