/*
 * brevity_gemm: brevity's own single-precision matmul, no BLAS library
 * needed. Same N-API interface as brevity_blas (gemm_napi.h), used when
 * OpenBLAS is absent.
 *
 * Blocked like BLIS/GotoBLAS: for each KC-deep slice of K and MC-tall block
 * of rows, op(B) is packed into NR-wide column panels and op(A) into MR-tall
 * row panels (transposes are absorbed by the packing, panels zero-padded at
 * the edges), then a register-blocked micro-kernel computes each MR×NR tile
 * of C over the slice with broadcast-A × vector-B fused multiply-adds.
 * Micro-kernels, chosen at run time from the CPU's features:
 *   avx512: MR 8 × NR 32 (16 zmm accumulators)
 *   avx2:   MR 6 × NR 16 (12 ymm accumulators, FMA)
 *   plain C: MR 4 × NR 16 (auto-vectorised by the compiler; any CPU)
 * Threads: a product of ≥ 2^21 multiply-adds is split along its longer
 * output side (rows of C, or columns) into one part per thread (default: the
 * online cores, at most 8; setThreads(n)); each part packs its own panels.
 *
 * Exports gemm(...) as brevity_blas, plus threads(), setThreads(n),
 * config() → "brevity-gemm <isa>", corename() → "<isa>".
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "gemm_napi.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BREVITY_X86 1
#endif

#define KC 256
#define MC 96 /* a multiple of every MR (8, 6, 4): 96 = 12·8 = 16·6 = 24·4 */
#define NC 2048
#define MR_MAX 8
#define NR_MAX 32

typedef void (*micro_fn)(int kc, const float* Ap, const float* Bp, float* acc);

/* Plain C: acc[MR×NR] = Ap·Bp over kc, MR 4, NR 16. */
static void micro_plain(int kc, const float* Ap, const float* Bp, float* acc) {
  float c[4][16] = {{0}};
  for (int k = 0; k < kc; k++) {
    const float* b = Bp + k * 16;
    for (int i = 0; i < 4; i++) {
      const float a = Ap[k * 4 + i];
      for (int j = 0; j < 16; j++) c[i][j] += a * b[j];
    }
  }
  memcpy(acc, c, sizeof c);
}

#ifdef BREVITY_X86
__attribute__((target("avx2,fma"))) static void micro_avx2(int kc, const float* Ap, const float* Bp, float* acc) {
  __m256 c[6][2];
  for (int i = 0; i < 6; i++) c[i][0] = c[i][1] = _mm256_setzero_ps();
  for (int k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_loadu_ps(Bp + k * 16), b1 = _mm256_loadu_ps(Bp + k * 16 + 8);
    for (int i = 0; i < 6; i++) {
      const __m256 a = _mm256_broadcast_ss(Ap + k * 6 + i);
      c[i][0] = _mm256_fmadd_ps(a, b0, c[i][0]);
      c[i][1] = _mm256_fmadd_ps(a, b1, c[i][1]);
    }
  }
  for (int i = 0; i < 6; i++) {
    _mm256_storeu_ps(acc + i * 16, c[i][0]);
    _mm256_storeu_ps(acc + i * 16 + 8, c[i][1]);
  }
}

__attribute__((target("avx512f"))) static void micro_avx512(int kc, const float* Ap, const float* Bp, float* acc) {
  __m512 c[8][2];
  for (int i = 0; i < 8; i++) c[i][0] = c[i][1] = _mm512_setzero_ps();
  for (int k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_loadu_ps(Bp + k * 32), b1 = _mm512_loadu_ps(Bp + k * 32 + 16);
    for (int i = 0; i < 8; i++) {
      const __m512 a = _mm512_set1_ps(Ap[k * 8 + i]);
      c[i][0] = _mm512_fmadd_ps(a, b0, c[i][0]);
      c[i][1] = _mm512_fmadd_ps(a, b1, c[i][1]);
    }
  }
  for (int i = 0; i < 8; i++) {
    _mm512_storeu_ps(acc + i * 32, c[i][0]);
    _mm512_storeu_ps(acc + i * 32 + 16, c[i][1]);
  }
}
#endif

static struct { micro_fn fn; int mr, nr; const char* isa; } kern;

static void pick_kernel(void) {
  kern.fn = micro_plain, kern.mr = 4, kern.nr = 16, kern.isa = "plain-c";
#ifdef BREVITY_X86
  __builtin_cpu_init();
  const char* force = getenv("BREVITY_GEMM_ISA"); /* tests: plain-c | avx2 | avx512 (if supported) */
  const int has512 = __builtin_cpu_supports("avx512f");
  const int has2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (has512 && (!force || !strcmp(force, "avx512"))) {
    kern.fn = micro_avx512, kern.mr = 8, kern.nr = 32, kern.isa = "avx512";
  } else if (has2 && (!force || !strcmp(force, "avx2") || !strcmp(force, "avx512"))) {
    kern.fn = micro_avx2, kern.mr = 6, kern.nr = 16, kern.isa = "avx2";
  }
#endif
}

/* Pack rows [i0, i0+mc) × k [k0, k0+kc) of op(A) into MR-tall panels: Ap[p][k][r]. */
static void pack_a(bool tA, const float* A, int lda, int i0, int mc, int k0, int kc, float* Ap) {
  const int mr = kern.mr;
  for (int p = 0; p < mc; p += mr) {
    for (int k = 0; k < kc; k++) {
      for (int r = 0; r < mr; r++) {
        const int i = p + r;
        *Ap++ = i < mc ? (tA ? A[(size_t)(k0 + k) * lda + i0 + i] : A[(size_t)(i0 + i) * lda + k0 + k]) : 0.0f;
      }
    }
  }
}

/* Pack k [k0, k0+kc) × columns [j0, j0+nc) of op(B) into NR-wide panels: Bp[p][k][c]. */
static void pack_b(bool tB, const float* B, int ldb, int k0, int kc, int j0, int nc, float* Bp) {
  const int nr = kern.nr;
  for (int p = 0; p < nc; p += nr) {
    const int w = nc - p < nr ? nc - p : nr;
    for (int k = 0; k < kc; k++) {
      if (!tB && w == nr) {
        memcpy(Bp, B + (size_t)(k0 + k) * ldb + j0 + p, sizeof(float) * nr);
        Bp += nr;
        continue;
      }
      for (int c = 0; c < nr; c++) {
        const int j = j0 + p + c;
        *Bp++ = c < w ? (tB ? B[(size_t)j * ldb + k0 + k] : B[(size_t)(k0 + k) * ldb + j]) : 0.0f;
      }
    }
  }
}

/* Packing buffers of the calling (JS) thread, grown on demand and kept. */
static float* scratch(int which, size_t floats) {
  static float* buf[2];
  static size_t cap[2];
  if (floats > cap[which]) {
    free(buf[which]);
    const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    buf[which] = aligned_alloc(64, bytes);
    cap[which] = buf[which] ? floats : 0;
  }
  return buf[which];
}

static size_t a_floats(int M, int K) { return (size_t)((M < MC ? M : MC) + MR_MAX) * (K < KC ? K : KC); }
static size_t b_floats(int N, int K) { return (size_t)((N < NC ? N : NC) + NR_MAX) * (K < KC ? K : KC); }

/* One thread's product into the packing buffers Ap, Bp (a_floats, b_floats). */
static void serial_sgemm(bool tA, bool tB, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
                         float beta, float* C, int ldc, float* Ap, float* Bp) {
  const int mr = kern.mr, nr = kern.nr;
  float acc[MR_MAX * NR_MAX];
  for (int j0 = 0; j0 < N; j0 += NC) {
    const int nc = N - j0 < NC ? N - j0 : NC;
    for (int k0 = 0; k0 < K; k0 += KC) {
      const int kc = K - k0 < KC ? K - k0 : KC;
      const float b = (k0 == 0) ? beta : 1.0f; /* later slices accumulate */
      pack_b(tB, B, ldb, k0, kc, j0, nc, Bp);
      for (int i0 = 0; i0 < M; i0 += MC) {
        const int mc = M - i0 < MC ? M - i0 : MC;
        pack_a(tA, A, lda, i0, mc, k0, kc, Ap);
        for (int jp = 0; jp < nc; jp += nr) {
          const int w = nc - jp < nr ? nc - jp : nr;
          for (int ip = 0; ip < mc; ip += mr) {
            const int h = mc - ip < mr ? mc - ip : mr;
            kern.fn(kc, Ap + (size_t)ip * kc, Bp + (size_t)jp * kc, acc);
            for (int r = 0; r < h; r++) {
              float* c = C + (size_t)(i0 + ip + r) * ldc + j0 + jp;
              const float* t = acc + r * nr;
              if (b == 0.0f) memcpy(c, t, sizeof(float) * w);
              else for (int x = 0; x < w; x++) c[x] += t[x];
            }
          }
        }
      }
    }
  }
}

static int nthreads;

typedef struct {
  bool tA, tB;
  int M, N, K, lda, ldb, ldc;
  const float *A, *B;
  float beta;
  float* C;
} part_t;

static void* run_part(void* arg) {
  part_t* p = arg;
  float* Ap = aligned_alloc(64, (a_floats(p->M, p->K) * sizeof(float) + 63) / 64 * 64);
  float* Bp = aligned_alloc(64, (b_floats(p->N, p->K) * sizeof(float) + 63) / 64 * 64);
  if (Ap && Bp) serial_sgemm(p->tA, p->tB, p->M, p->N, p->K, p->A, p->lda, p->B, p->ldb, p->beta, p->C, p->ldc, Ap, Bp);
  free(Ap);
  free(Bp);
  return NULL;
}

static void own_sgemm(bool tA, bool tB, int M, int N, int K, const float* A, int lda, const float* B, int ldb,
                      float beta, float* C, int ldc) {
  if (!kern.fn) pick_kernel();
  if (nthreads < 1) {
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    nthreads = n < 1 ? 1 : n > 8 ? 8 : (int)n;
  }
  const int split_rows = M >= N;
  const int side = split_rows ? M : N, unit = split_rows ? MC : kern.nr;
  int t = nthreads;
  while (t > 1 && side / t < unit) t--; /* each part at least one block of its side */
  if (t > 1 && (double)M * N * K >= (double)(1 << 21)) {
    part_t parts[8];
    pthread_t ids[8];
    int started = 0;
    for (int i = 0; i < t; i++) {
      /* part i covers [lo, hi) of the split side, in whole blocks */
      const int lo = (int)((long long)side * i / t) / unit * unit, hi = i == t - 1 ? side : (int)((long long)side * (i + 1) / t) / unit * unit;
      part_t p = {tA, tB, M, N, K, lda, ldb, ldc, A, B, beta, C};
      if (split_rows) {
        p.M = hi - lo, p.A = tA ? A + lo : A + (size_t)lo * lda, p.C = C + (size_t)lo * ldc;
      } else {
        p.N = hi - lo, p.B = tB ? B + (size_t)lo * ldb : B + lo, p.C = C + lo;
      }
      parts[i] = p;
      if (hi <= lo) continue;
      if (i < t - 1 && pthread_create(&ids[i], NULL, run_part, &parts[i]) == 0) started |= 1 << i;
      else run_part(&parts[i]); /* the last part (or a failed start) on this thread */
    }
    for (int i = 0; i < t - 1; i++) if (started & (1 << i)) pthread_join(ids[i], NULL);
    return;
  }
  float* Ap = scratch(0, a_floats(M, K));
  float* Bp = scratch(1, b_floats(N, K));
  if (!Ap || !Bp) return; /* out of memory: C stays as seeded (cannot happen below ~10 MB) */
  serial_sgemm(tA, tB, M, N, K, A, lda, B, ldb, beta, C, ldc, Ap, Bp);
}

static napi_value Gemm(napi_env env, napi_callback_info info) {
  return gemm_entry(env, info, own_sgemm, "brevity_gemm");
}

static napi_value Threads(napi_env env, napi_callback_info info) {
  (void)info;
  if (nthreads < 1) {
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    nthreads = n < 1 ? 1 : n > 8 ? 8 : (int)n;
  }
  napi_value out;
  CHECK(env, napi_create_int32(env, nthreads, &out));
  return out;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t n = 0;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 1 || napi_get_value_int32(env, argv[0], &n) != napi_ok || n < 1) {
    napi_throw_range_error(env, NULL, "brevity_gemm.setThreads: expected a positive integer");
    return NULL;
  }
  nthreads = n > 8 ? 8 : n;
  return NULL;
}

static napi_value Config(napi_env env, napi_callback_info info) {
  (void)info;
  if (!kern.fn) pick_kernel();
  char buf[96];
  snprintf(buf, sizeof buf, "brevity-gemm %s MR=%d NR=%d KC=%d MC=%d", kern.isa, kern.mr, kern.nr, KC, MC);
  napi_value out;
  CHECK(env, napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value Corename(napi_env env, napi_callback_info info) {
  (void)info;
  if (!kern.fn) pick_kernel();
  napi_value out;
  CHECK(env, napi_create_string_utf8(env, kern.isa, NAPI_AUTO_LENGTH, &out));
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
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
