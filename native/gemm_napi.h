/*
 * The N-API gemm entry shared by brevity_blas.c (OpenBLAS) and
 * brevity_gemm.c (brevity's own kernel): argument parsing, bounds checks
 * against the heap, bias seeding, the batch loop and relu; the product
 * itself is the `sgemm` passed in.
 */
#ifndef BREVITY_GEMM_NAPI_H
#define BREVITY_GEMM_NAPI_H
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CHECK(env, call)                                                     \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      napi_throw_error((env), NULL, "gemm: N-API call failed: " #call); \
      return NULL;                                                           \
    }                                                                        \
  } while (0)

static int get_i64(napi_env env, napi_value v, int64_t* out) {
  return napi_get_value_int64(env, v, out) == napi_ok;
}

static int get_bool(napi_env env, napi_value v, bool* out) {
  return napi_get_value_bool(env, v, out) == napi_ok;
}

/* Last float index touched by `batch` matrices of `size` floats at off + i*stride. */
static int64_t extent(int64_t off, int64_t stride, int64_t batch, int64_t size) {
  return off + (batch - 1) * stride + size;
}

/*
 * relu on the bit pattern: v & ~(v >> 31) clears every float whose sign bit is
 * set (negatives and -0 become +0). Integer ops vectorize at -O3, unlike a
 * float compare (NaN rules); a branch would mispredict on half the elements.
 */
typedef int32_t __attribute__((may_alias)) alias_i32;
static void relu_inplace(float* x, int64_t n) {
  alias_i32* b = (alias_i32*)x;
  for (int64_t j = 0; j < n; j++) b[j] &= ~(b[j] >> 31);
}

/*
 * Row-major C = op(A)·op(B) + beta·C (beta 0 or 1), leading dimensions in
 * floats: what cblas_sgemm computes for CblasRowMajor with alpha 1.
 */
typedef void (*sgemm_fn)(bool transA, bool transB, int M, int N, int K, const float* A, int lda,
                         const float* B, int ldb, float beta, float* C, int ldc);

/* gemm(heap, transA, transB, M, N, K, batch, aOff, aStride, bOff, bStride, cOff, biasOff, act) with `sgemm`. */
static napi_value gemm_entry(napi_env env, napi_callback_info info, sgemm_fn sgemm, const char* name) {
  size_t argc = 14;
  napi_value argv[14];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 14) {
    napi_throw_type_error(env, NULL, "gemm: expected 14 arguments");
    return NULL;
  }
  void* data = NULL;
  size_t byteLength = 0;
  bool isAb = false;
  CHECK(env, napi_is_arraybuffer(env, argv[0], &isAb));
  if (!isAb) {
    napi_throw_type_error(env, NULL, "gemm: heap must be an ArrayBuffer");
    return NULL;
  }
  CHECK(env, napi_get_arraybuffer_info(env, argv[0], &data, &byteLength));

  bool transA = false, transB = false;
  int64_t M, N, K, batch, aOff, aStride, bOff, bStride, cOff, biasOff, act;
  if (!get_bool(env, argv[1], &transA) || !get_bool(env, argv[2], &transB) ||
      !get_i64(env, argv[3], &M) || !get_i64(env, argv[4], &N) ||
      !get_i64(env, argv[5], &K) || !get_i64(env, argv[6], &batch) ||
      !get_i64(env, argv[7], &aOff) || !get_i64(env, argv[8], &aStride) ||
      !get_i64(env, argv[9], &bOff) || !get_i64(env, argv[10], &bStride) ||
      !get_i64(env, argv[11], &cOff) || !get_i64(env, argv[12], &biasOff) ||
      !get_i64(env, argv[13], &act)) {
    napi_throw_type_error(env, NULL,
                          "gemm: arguments must be (ArrayBuffer, bool, bool, 11 numbers)");
    return NULL;
  }
  const int64_t heapLen = (int64_t)(byteLength / sizeof(float));
  if (M < 0 || N < 0 || K < 0 || batch < 0 || aOff < 0 || bOff < 0 || cOff < 0 ||
      aStride < 0 || bStride < 0 || act < 0 || act > 1 || M > INT32_MAX ||
      N > INT32_MAX || K > INT32_MAX) {
    napi_throw_range_error(env, NULL, "gemm: negative size/offset or unknown activation");
    return NULL;
  }
  if (batch == 0 || M == 0 || N == 0) return NULL;
  if (extent(aOff, aStride, batch, M * K) > heapLen ||
      extent(bOff, bStride, batch, K * N) > heapLen ||
      extent(cOff, M * N, batch, M * N) > heapLen ||
      (biasOff >= 0 && biasOff + N > heapLen)) {
    char msg[256];
    snprintf(msg, sizeof msg,
             "%s.gemm: operand outside the heap (heap %lld floats, M=%lld N=%lld K=%lld batch=%lld)", name,
             (long long)heapLen, (long long)M, (long long)N, (long long)K, (long long)batch);
    napi_throw_range_error(env, NULL, msg);
    return NULL;
  }

  float* heap = (float*)data;
  const int lda = transA ? (int)M : (int)K; /* row-major: leading dim = stored columns */
  const int ldb = transB ? (int)K : (int)N;
  const int ldc = (int)N;
  for (int64_t i = 0; i < batch; i++) {
    const float* A = heap + aOff + i * aStride;
    const float* B = heap + bOff + i * bStride;
    float* C = heap + cOff + i * M * N;
    float beta = 0.0f;
    if (biasOff >= 0) {
      /* Seed every row with the bias, then accumulate the product (beta = 1). */
      const float* bias = heap + biasOff;
      for (int64_t r = 0; r < M; r++) memcpy(C + r * N, bias, (size_t)N * sizeof(float));
      beta = 1.0f;
    }
    if (K == 0) {
      if (biasOff < 0) memset(C, 0, (size_t)(M * N) * sizeof(float));
    } else {
      sgemm(transA, transB, (int)M, (int)N, (int)K, A, lda, B, ldb, beta, C, ldc);
    }
    if (act == 1) relu_inplace(C, M * N);
  }
  return NULL;
}

#endif
