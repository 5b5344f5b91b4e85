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

#define CHECK(env, call)                                                     \
  do {                                                                       \
    if ((call) != napi_ok) {                                                 \
      napi_throw_error((env), NULL, "brevity_blas: N-API call failed: " #call); \
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

static napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 14) {
    napi_throw_type_error(env, NULL, "brevity_blas.gemm: expected 14 arguments");
    return NULL;
  }
  void* data = NULL;
  size_t byteLength = 0;
  bool isAb = false;
  CHECK(env, napi_is_arraybuffer(env, argv[0], &isAb));
  if (!isAb) {
    napi_throw_type_error(env, NULL, "brevity_blas.gemm: heap must be an ArrayBuffer");
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
                          "brevity_blas.gemm: arguments must be (ArrayBuffer, bool, bool, 11 numbers)");
    return NULL;
  }
  const int64_t heapLen = (int64_t)(byteLength / sizeof(float));
  if (M < 0 || N < 0 || K < 0 || batch < 0 || aOff < 0 || bOff < 0 || cOff < 0 ||
      aStride < 0 || bStride < 0 || act < 0 || act > 1 || M > INT32_MAX ||
      N > INT32_MAX || K > INT32_MAX) {
    napi_throw_range_error(env, NULL, "brevity_blas.gemm: negative size/offset or unknown activation");
    return NULL;
  }
  if (batch == 0 || M == 0 || N == 0) return NULL;
  if (extent(aOff, aStride, batch, M * K) > heapLen ||
      extent(bOff, bStride, batch, K * N) > heapLen ||
      extent(cOff, M * N, batch, M * N) > heapLen ||
      (biasOff >= 0 && biasOff + N > heapLen)) {
    char msg[256];
    snprintf(msg, sizeof msg,
             "brevity_blas.gemm: operand outside the heap (heap %lld floats, M=%lld N=%lld K=%lld batch=%lld)",
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
      cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                  transB ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K, 1.0f, A,
                  lda, B, ldb, beta, C, ldc);
    }
    if (act == 1) relu_inplace(C, M * N);
  }
  return NULL;
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
