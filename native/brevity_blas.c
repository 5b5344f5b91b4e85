/*
 * brevity_blas: a tiny N-API addon that runs OpenBLAS cblas_sgemm directly on
 * the tfjs wasm backend's heap (an ArrayBuffer), so matmuls need no copies.
 *
 * Exports:
 *   gemm(heap, transA, transB, M, N, K, batch,
 *        aOff, aStride, bOff, bStride, cOff, biasOff, act) -> undefined
 *     For i in [0, batch):  C_i = act(op(A_i) · op(B_i) + bias)
 *     where op(X) = Xᵀ when trans is set, all matrices row-major, and
 *     A_i = heap[aOff + i·aStride ..], B_i = heap[bOff + i·bStride ..],
 *     C_i = heap[cOff + i·M·N ..]; offsets/strides count float32 elements.
 *     A stride of 0 broadcasts that operand. biasOff < 0: no bias (else a
 *     length-N row added to every output row). act: 0 linear, 1 relu.
 *   threads() -> number            openblas_get_num_threads()
 *   setThreads(n) -> undefined     openblas_set_num_threads(n)
 *   config() -> string             openblas_get_config() (build, core, MAX_THREADS)
 *   corename() -> string           openblas_get_corename()
 *
 * Every extent is bounds-checked against the heap length before calling BLAS:
 * a wrong offset throws a JS error instead of corrupting memory.
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gemm_napi.h"

static void blas_sgemm(bool transA, bool transB, int M, int N, int K, const float* A, int lda,
                       const float* B, int ldb, float beta, float* C, int ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
              M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc);
}

static napi_value Gemm(napi_env env, napi_callback_info info) {
  return gemm_entry(env, info, blas_sgemm, "brevity_blas");
}

static napi_value Threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(env, napi_create_int32(env, openblas_get_num_threads(), &out));
  return out;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n = 0;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    napi_throw_range_error(env, NULL, "brevity_blas.setThreads: expected a positive integer");
    return NULL;
  }
  openblas_set_num_threads(n);
  return NULL;
}

static napi_value Config(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(env, napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value Corename(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(env, napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"gemm", NULL, Gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"threads", NULL, Threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"config", NULL, Config, NULL, NULL, NULL, napi_enumerable, NULL},
      {"corename", NULL, Corename, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) {
    return NULL;
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
