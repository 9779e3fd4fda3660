// The Java decode dots' operations, written with AVX2 intrinsics and compiled by gcc: the same
// instruction forms (16-bit products, pairs summed by shifts, one 32-bit scale multiply per 32
// weights) that Q4_0Format.dot and Q4_KFormat.dot ask of the Vector API, without the JIT. Beside
// llama.cpp's own vec_dot (test-quantize-perf) and ours (JMH DotBenchmark), it tells which part of
// a gap is the instruction set the Vector API offers and which is C2's code for it.
//
//   cc -O3 -mavx2 -mfma -mf16c -o dot_forms dot_forms.c && ./dot_forms q4_0|q4_K|q6_K N [seconds]
//
// Prints one line: bytes of stored blocks dotted per second (GB/s), one thread, one row of N values
// against int16 activations, repeated for about the given seconds (default 1) with the row in cache.
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { uint16_t d; uint8_t qs[16]; } __attribute__((packed)) block_q4_0;                     // 18 bytes
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qs[128]; } __attribute__((packed)) block_q4_K; // 144
typedef struct { uint8_t ql[128], qh[64]; int8_t scales[16]; uint16_t d; } __attribute__((packed)) block_q6_K;   // 210

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static float half(uint16_t h) { return _cvtsh_ss(h); }
static float lanes(__m256 v) {
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    r = _mm_hadd_ps(r, r);
    return _mm_cvtss_f32(_mm_hadd_ps(r, r));
}

// adjacent 16-bit lanes summed into 32-bit lanes: p + (p << 16), shifted back with its sign
static inline __m256i pairs(__m256i p) {
    return _mm256_srai_epi32(_mm256_add_epi32(p, _mm256_slli_epi32(p, 16)), 16);
}
static inline __m256i pairs_times(__m256i p, int scale) {
    return _mm256_mullo_epi32(pairs(p), _mm256_set1_epi32(scale));
}

// Q4_0Format.dot(data, offset, QuantizedActivations, n): xq the int16 activations, xs their block scales
__attribute__((noinline)) static float dot_q4_0(int blocks, const block_q4_0 *w, const int16_t *xq, const float *xs) {
    const __m256i low = _mm256_set1_epi16(0xF), eight = _mm256_set1_epi16(8);
    __m256 acc = _mm256_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        __m256i q = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) w[b].qs));
        __m256i lo = _mm256_mullo_epi16(_mm256_sub_epi16(_mm256_and_si256(q, low), eight), _mm256_loadu_si256((const __m256i *) (xq + 32 * b)));
        __m256i hi = _mm256_mullo_epi16(_mm256_sub_epi16(_mm256_and_si256(_mm256_srli_epi32(q, 4), low), eight), _mm256_loadu_si256((const __m256i *) (xq + 32 * b + 16)));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(pairs(_mm256_add_epi16(lo, hi))), _mm256_set1_ps(half(w[b].d) * xs[b]), acc);
    }
    return lanes(acc);
}

// Q4_KFormat.dot: per super-block the six-bit scales and mins unpacked from two words, per 64 weights
// two 16-byte loads widened, low and high nibbles times the activations, pairs summed, times the scales
__attribute__((noinline)) static float dot_q4_K(int blocks, const block_q4_K *w, const int16_t *xq, const float *xs, const int32_t *xsum) {
    const __m256i low = _mm256_set1_epi16(0xF);
    __m256 acc = _mm256_setzero_ps(), accMin = _mm256_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        uint64_t h0, h1;
        memcpy(&h0, &w[b], 8);
        memcpy(&h1, (const char *) &w[b] + 8, 8);
        uint32_t w0 = h0 >> 32, w1 = (uint32_t) h1, w2 = h1 >> 32;
        uint64_t scales = (uint64_t) (w0 & 0x3f3f3f3f) | (uint64_t) ((w2 & 0x0f0f0f0f) | (((w0 >> 6) & 0x03030303) << 4)) << 32;
        uint64_t mins = (uint64_t) (w1 & 0x3f3f3f3f) | (uint64_t) (((w2 >> 4) & 0x0f0f0f0f) | (((w1 >> 6) & 0x03030303) << 4)) << 32;
        const int16_t *x = xq + 256 * b;
        __m256i sum = _mm256_setzero_si256();
        for (int g = 0; g < 4; g++) {
            __m256i va = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) (w[b].qs + 32 * g)));
            __m256i vb = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) (w[b].qs + 32 * g + 16)));
            __m256i lo = _mm256_add_epi16(
                    _mm256_mullo_epi16(_mm256_and_si256(va, low), _mm256_loadu_si256((const __m256i *) (x + 64 * g))),
                    _mm256_mullo_epi16(_mm256_and_si256(vb, low), _mm256_loadu_si256((const __m256i *) (x + 64 * g + 16))));
            __m256i hi = _mm256_add_epi16(
                    _mm256_mullo_epi16(_mm256_and_si256(_mm256_srli_epi32(va, 4), low), _mm256_loadu_si256((const __m256i *) (x + 64 * g + 32))),
                    _mm256_mullo_epi16(_mm256_and_si256(_mm256_srli_epi32(vb, 4), low), _mm256_loadu_si256((const __m256i *) (x + 64 * g + 48))));
            sum = _mm256_add_epi32(sum, _mm256_add_epi32(pairs_times(lo, (int) ((scales >> (16 * g)) & 0xFF)),
                                                         pairs_times(hi, (int) ((scales >> (16 * g + 8)) & 0xFF))));
        }
        __m256i m = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long) mins));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum), _mm256_set1_ps(half(w[b].d) * xs[b]), acc);
        accMin = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_mullo_epi32(m, _mm256_loadu_si256((const __m256i *) (xsum + 8 * b)))),
                                 _mm256_set1_ps(half(w[b].dmin) * xs[b]), accMin);
    }
    return lanes(_mm256_sub_ps(acc, accMin));
}


// Q6KFormat.dot: per 128 weights, 16 low-nibble bytes, 16 more and 16 high-bit bytes widened, each
// 16 weights' six bits assembled, less 32, times the activations, pairs summed, times a signed scale
__attribute__((noinline)) static float dot_q6_K(int blocks, const block_q6_K *w, const int16_t *xq, const float *xs) {
    const __m256i low = _mm256_set1_epi16(0xF), b01 = _mm256_set1_epi16(0x03), b23 = _mm256_set1_epi16(0x0C),
            b45 = _mm256_set1_epi16(0x30), t32 = _mm256_set1_epi16(32);
    __m256 acc = _mm256_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        __m256i sum = _mm256_setzero_si256();
        for (int half = 0; half < 2; half++) {
            const uint8_t *ql = w[b].ql + 64 * half, *qh = w[b].qh + 32 * half;
            const int8_t *sc = w[b].scales + 8 * half;
            const int16_t *x = xq + 256 * b + 128 * half;
            for (int part = 0; part < 2; part++) {  // weights l in [16 part, 16 part + 16) of each 32
                int l = 16 * part;
                __m256i a = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) (ql + l)));
                __m256i c = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) (ql + 32 + l)));
                __m256i h = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *) (qh + l)));
                __m256i p1 = _mm256_mullo_epi16(_mm256_sub_epi16(_mm256_or_si256(_mm256_and_si256(a, low),
                        _mm256_slli_epi32(_mm256_and_si256(h, b01), 4)), t32), _mm256_loadu_si256((const __m256i *) (x + l)));
                __m256i p2 = _mm256_mullo_epi16(_mm256_sub_epi16(_mm256_or_si256(_mm256_and_si256(c, low),
                        _mm256_slli_epi32(_mm256_and_si256(h, b23), 2)), t32), _mm256_loadu_si256((const __m256i *) (x + 32 + l)));
                __m256i p3 = _mm256_mullo_epi16(_mm256_sub_epi16(_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(a, 4), low),
                        _mm256_and_si256(h, b45)), t32), _mm256_loadu_si256((const __m256i *) (x + 64 + l)));
                __m256i p4 = _mm256_mullo_epi16(_mm256_sub_epi16(_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(c, 4), low),
                        _mm256_and_si256(_mm256_srli_epi32(h, 2), b45)), t32), _mm256_loadu_si256((const __m256i *) (x + 96 + l)));
                sum = _mm256_add_epi32(sum, _mm256_add_epi32(_mm256_add_epi32(pairs_times(p1, sc[part]), pairs_times(p2, sc[2 + part])),
                                                             _mm256_add_epi32(pairs_times(p3, sc[4 + part]), pairs_times(p4, sc[6 + part]))));
            }
        }
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum), _mm256_set1_ps(half(w[b].d) * xs[b]), acc);
    }
    return lanes(acc);
}

int main(int argc, char **argv) {
    if (argc < 3 || (strcmp(argv[1], "q4_0") && strcmp(argv[1], "q4_K") && strcmp(argv[1], "q6_K"))) {
        fprintf(stderr, "usage: %s q4_0|q4_K|q6_K N [seconds]\n", argv[0]);
        return 2;
    }
    int k = strcmp(argv[1], "q4_K") == 0, six = strcmp(argv[1], "q6_K") == 0, n = atoi(argv[2]);
    double seconds = argc > 3 ? atof(argv[3]) : 1.0;
    int per = k || six ? 256 : 32, size = six ? 210 : k ? 144 : 18, blocks = n / per;
    if (n <= 0 || n % per) {
        fprintf(stderr, "N must be a positive multiple of %d\n", per);
        return 2;
    }
    unsigned char *w = malloc((size_t) blocks * size);
    int16_t *xq = malloc(sizeof(int16_t) * n);
    float *xs = malloc(sizeof(float) * (n / 32 + 1));
    int32_t *xsum = malloc(sizeof(int32_t) * (n / 32 + 1));
    srand(42);
    for (long i = 0; i < (long) blocks * size; i++) w[i] = (unsigned char) rand();
    for (int b = 0; b < blocks; b++) {  // finite scales: d (and dmin) small halves
        uint16_t d = _cvtss_sh(0.01f, 0), dmin = _cvtss_sh(0.002f, 0);
        memcpy(w + (long) b * size + (six ? 208 : 0), &d, 2);
        if (k) memcpy(w + (long) b * size + 2, &dmin, 2);
    }
    for (int i = 0; i < n; i++) xq[i] = (int16_t) (rand() % 255 - 127);
    for (int i = 0; i < n / 32; i++) {
        int s = 0;
        for (int j = 0; j < 32; j++) s += xq[32 * i + j];
        xsum[i] = s;
    }
    for (int i = 0; i < (k || six ? blocks : n / 32); i++) xs[i] = 0.01f;
    volatile float sink = 0;
    long reps = 0;
    double t0 = now(), t;
    do {  // batches of 1000 dots between clock reads
        for (int r = 0; r < 1000; r++)
            sink += six ? dot_q6_K(blocks, (const block_q6_K *) w, xq, xs)
                    : k ? dot_q4_K(blocks, (const block_q4_K *) w, xq, xs, xsum) : dot_q4_0(blocks, (const block_q4_0 *) w, xq, xs);
        reps += 1000;
        t = now();
    } while (t - t0 < seconds);
    printf("%.3f GB/s\n", (double) reps * blocks * size / (t - t0) / 1e9);
    return sink == 12345.678f;  // keeps the dots
}
