# Built by scripts/build-native.js (npm's install script), which finds cblas.h
# and passes its folder in BREVITY_BLAS_INCLUDE (and the library folder in
# BREVITY_BLAS_LIBDIR when it is not on the default linker path).
{
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
}
