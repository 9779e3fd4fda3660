package io.github.tornadollava.kernels.cpu;

import static io.github.tornadollava.kernels.cpu.Transpose8.ODD1;
import static io.github.tornadollava.kernels.cpu.Transpose8.ODD2;
import static io.github.tornadollava.kernels.cpu.Transpose8.ODD4;
import static io.github.tornadollava.kernels.cpu.Transpose8.S8;
import static io.github.tornadollava.kernels.cpu.Transpose8.SWAP1;
import static io.github.tornadollava.kernels.cpu.Transpose8.SWAP2;
import static io.github.tornadollava.kernels.cpu.Transpose8.SWAP4;

import java.lang.invoke.VarHandle;
import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Matrix-matrix product of a {@link WeightMatrix} with a batch of activation rows:
 * {@code out[t][r] = dot(W row r, x row t)}. This is where the ViT and the decoder's prefill spend
 * nearly all their time, so it is a register-blocked GEMM rather than one dot per output.
 *
 * <p>Layout choices (why the tokens, not the weights, are the vector dimension): the activations are
 * transposed once per call into token blocks of {@link #TB} lanes ({@code xT[block][k][lane]}), which
 * costs O(tokens x cols). The weights then stay row-major as {@code dequantize} writes them (long
 * batches interleave them by micro-panel, below), and the micro-kernel broadcasts one weight value
 * against a whole token block. The alternative (weights as the vector dimension) would need every
 * decoded weight tile transposed, O(rows x cols) extra work per call, which is a large fraction of a
 * short prefill.
 *
 * <p>Blocking: a work item is a tile of {@link #ROW_TILE} weight rows. For each slice of {@link #KC}
 * columns the tile's rows are decoded once into a scratch buffer (ROW_TILE x KC floats, kept in L2)
 * and every token block passes over them; a token block's slice ({@code KC x TB} floats) stays in L1
 * while all micro-panels of the tile use it. Partial sums live in a per-tile accumulator
 * {@code acc[row][token]}, written to {@code out} (transposed back) when the tile is done. The
 * micro-kernels hold rows x 2 vectors of accumulators: {@link #MR} = 4 rows (8 independent FMA
 * chains, twice the FMA latency of 4 cycles on two FMA ports) for long batches, {@link #SHORT_MR}
 * = 6 (12 chains) for short ones, see {@link #kernelRows}.
 *
 * <p>Two layouts of the decoded slice, one kernel each (their loads differ only in the constant
 * displacements, which must stay constants, see {@link #kernelRows}): long batches pack each
 * micro-panel k-major ({@code [k][MR]}), so the kernel's four broadcasts per step read one cache
 * line stream instead of four rows 8 KiB apart; the re-layout is paid once per slice and reused by
 * every token block. Short batches have too few token blocks to pay for it and keep the rows as
 * decoded.
 */
final class MatMul {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final FloatVector ZERO8 = FloatVector.zero(S8);
    private static final int L = S.length();
    /** Tokens per block: the micro-kernel's two accumulator vectors per weight row. */
    static final int TB = 2 * L;
    /** Weight rows per call of the long batches' micro-kernel, {@link #kernelPacked}. */
    static final int MR = 4;
    /**
     * Weight rows per work item of a long batch (a multiple of MR). Every row tile reads all of the
     * transposed activations (megabytes for the ViT, from L3), so the more panels per token-block
     * slice, the less of that traffic per FMA: 128 rows against 64, paired on the ViT's shapes
     * (577 tokens, F16, 2 threads): 1.00-1.05x.
     */
    static final int ROW_TILE = 32 * MR;
    /**
     * Columns decoded and multiplied per step: a multiple of every ggml block size (32 and 256), so a
     * slice always starts on a block boundary. ROW_TILE x KC floats = 128 KiB.
     */
    static final int KC = 256;
    /**
     * Short batches (at most {@link #SHORT_BLOCKS} token blocks, e.g. a 64-token prefill) use tiles
     * of {@link #SHORT_ROW_TILE} rows and slices of up to {@link #SHORT_KC} columns instead. With few
     * tokens to amortize it over, decoding dominates, and decoding 64 rows x 256 columns reads 64
     * short runs of the file at once, too many streams for the hardware prefetcher, so it waits on
     * memory; 16 long runs stream. Measured on 64 x 2048 x 2048 Q8_0 and 64 x 5632 x 2048 Q4_K (one
     * thread): ~40 -> ~52 GFLOP/s. Long batches keep the short slices: there a token block's slice
     * must stay in L1 across the micro-panels (577 x 1024 x 4096 F16 ran slower with longer ones).
     * The tile is four panels of the six-row kernel; 18 and 36 rows measured the same as 24 (within
     * this VM's noise, whole 64-token matmuls on 2 threads).
     */
    static final int SHORT_BLOCKS = 8;
    /** Weight rows per call of the short batches' micro-kernel, {@link #kernelRows}. */
    static final int SHORT_MR = 6;
    static final int SHORT_ROW_TILE = 4 * SHORT_MR;
    static final int SHORT_KC = 2048;
    /**
     * Row stride of a short batch's decoded tile: the longest slice plus a cache line, so the rows
     * of a micro-panel (2048 floats apart otherwise) do not map to the same L1 sets.
     */
    private static final int LDW = SHORT_KC + 16;

    /**
     * Per calling thread, the transposed activations, grown on demand and kept: the ViT and the
     * prefill call this hundreds of times with the same few shapes (at most tokens x cols floats).
     */
    private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);
    /** Per worker thread, the decoded weight slices of both layouts and the tile's partial sums. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        /** A short batch's slice, row-major with stride {@link #LDW} (SHORT_ROW_TILE x LDW floats, 194 KiB); for long batches, one micro-panel's MR rows as decoded. */
        final float[] wt = new float[SHORT_ROW_TILE * LDW];
        /** A long batch's slice, packed per micro-panel as {@code [panel][k][MR]} (ROW_TILE x KC floats, 128 KiB). */
        final float[] panels = new float[ROW_TILE * KC];
        private float[] acc = new float[0];

        float[] acc(int size) {
            if (acc.length < size) {
                acc = new float[size];
            }
            return acc;
        }
    }

    private MatMul() {
    }

    /**
     * {@code out[t][r] = dot(W row r, x row t) + bias[r]}, or with {@code accumulate}
     * {@code out[t][r] += dot + bias[r]}; {@code bias} may be null. Bias and residual are applied
     * in the tile's write-back, saving the ViT separate passes over its activations.
     */
    static void matmul(WeightMatrix w, float[] x, int nTokens, float[] out, float[] bias, boolean accumulate) {
        int rows = w.rows();
        int cols = w.cols();
        if (nTokens <= 0) {
            return;
        }
        if (x.length < (long) nTokens * cols || out.length < (long) nTokens * rows) {
            throw new IllegalArgumentException(w.name() + ": matmul of " + nTokens + " tokens needs x of "
                    + (long) nTokens * cols + " and out of " + (long) nTokens * rows + " floats, got "
                    + x.length + " and " + out.length);
        }
        if (bias != null && bias.length < rows) {
            throw new IllegalArgumentException(w.name() + ": bias of " + bias.length + " for " + rows + " rows");
        }
        if (nTokens == 1) {
            // A single token reuses nothing: the dot straight from the stored format is cheapest.
            if (bias == null && !accumulate) {
                w.matvec(x, 0, out, 0);
            } else {
                float[] y = new float[rows];
                w.matvec(x, 0, y, 0);
                for (int r = 0; r < rows; r++) {
                    float v = y[r] + (bias == null ? 0f : bias[r]);
                    out[r] = accumulate ? out[r] + v : v;
                }
            }
            return;
        }
        int blocks = (nTokens + TB - 1) / TB;
        boolean shortBatch = blocks <= SHORT_BLOCKS;
        float[] xT = pack(x, nTokens, cols, blocks, shortBatch ? SHORT_KC : KC);
        int rowTile = shortBatch ? SHORT_ROW_TILE : ROW_TILE;
        int tiles = (rows + rowTile - 1) / rowTile;
        // Few row tiles (small matrices): also split the tokens, so every thread has work. Each token
        // chunk decodes the tile again, which is why this is only done when rows alone cannot feed the pool.
        int tokenChunks = Math.max(1, Math.min(blocks, (Parallel.threads() * 4 + tiles - 1) / tiles));
        if (tiles >= 2 * Parallel.threads()) {
            tokenChunks = 1;
        }
        int chunks = tokenChunks;
        int maxChunkBlocks = (blocks + chunks - 1) / chunks;
        // Threads take work items one at a time: with a quarter of each thread's share per chunk
        // (Parallel.forRange), the thread that finished first waited out the other's last chunk.
        // Paired, 2 threads: whole matmuls on the 1B's shapes 1.03-1.05x; 1B F16 pp64, jar
        // against jar, 1.15-1.22x.
        Parallel.forEachItem(tiles * chunks, (start, end) -> {
            Scratch scratch = SCRATCH.get();
            float[] acc = scratch.acc(ROW_TILE * maxChunkBlocks * TB);
            for (int item = start; item < end; item++) {
                int tile = item / chunks;
                int chunk = item % chunks;
                int b0 = (int) ((long) blocks * chunk / chunks);
                int b1 = (int) ((long) blocks * (chunk + 1) / chunks);
                tile(w, xT, nTokens, out, bias, accumulate, tile * rowTile, b0, b1, scratch, acc, !shortBatch);
            }
        });
    }

    /**
     * Transposes x into {@code blocks} token blocks of {@code [kc][TB]} per column slice of
     * {@code kcMax} (the tiles' slice width), zero-padding the last block. A slice's blocks lie one
     * after the other, block b of the slice at column k0 at {@code (k0 * blocks + b * kc) * TB}: a
     * tile walks them in that order, so its reads of the slice are one contiguous run instead of
     * {@code blocks} runs {@code cols * TB} floats apart (each entered through a cold page).
     * Paired in one JVM with the kernel alone on 37 blocks: ~1.1x.
     */
    private static float[] pack(float[] x, int nTokens, int cols, int blocks, int kcMax) {
        int size = Math.multiplyExact(blocks * TB, cols);
        float[] xT = PACKED.get();
        if (xT.length < size) {
            xT = new float[size];
            PACKED.set(xT);
        }
        float[] dst = xT;
        Parallel.forRange(blocks, 1, (start, end) -> {
            for (int b = start; b < end; b++) {
                // eight tokens by eight columns at a time in registers, where all eight tokens exist
                int vectorTokens = 0;
                if (Transpose8.NATIVE && TB % 8 == 0) {
                    for (; vectorTokens + 8 <= TB && b * TB + vectorTokens + 8 <= nTokens; vectorTokens += 8) {
                        for (int k0 = 0; k0 < cols; k0 += kcMax) {
                            int kc = Math.min(kcMax, cols - k0);
                            Transpose8.rows(x, (b * TB + vectorTokens) * cols + k0, cols, dst, (k0 * blocks + b * kc) * TB + vectorTokens, TB, kc);
                        }
                    }
                }
                for (int j = vectorTokens; j < TB; j++) {
                    int t = b * TB + j;
                    // reads run along a token row; reading down a column instead (k outer) made
                    // TB streams 4 KiB apart, which alias in L1 and measured twice as slow
                    for (int k0 = 0; k0 < cols; k0 += kcMax) {
                        int kc = Math.min(kcMax, cols - k0);
                        int base = (k0 * blocks + b * kc) * TB + j;
                        if (t < nTokens) {
                            int src = t * cols + k0;
                            for (int k = 0; k < kc; k++) {
                                dst[base + k * TB] = x[src + k];
                            }
                        } else {
                            for (int k = 0; k < kc; k++) {
                                dst[base + k * TB] = 0f;
                            }
                        }
                    }
                }
            }
        });
        return xT;
    }

    /** All of one row tile against token blocks [b0, b1). */
    private static void tile(WeightMatrix w, float[] xT, int nTokens, float[] out, float[] bias, boolean accumulate,
                             int r0, int b0, int b1, Scratch scratch, float[] acc, boolean packed) {
        int rows = w.rows();
        int cols = w.cols();
        int kcMax = packed ? KC : SHORT_KC;
        int nr = Math.min(packed ? ROW_TILE : SHORT_ROW_TILE, rows - r0);
        int mr = packed ? MR : SHORT_MR;
        int panels = (nr + mr - 1) / mr;
        int blocks = (nTokens + TB - 1) / TB;
        int ldAcc = (b1 - b0) * TB;
        Arrays.fill(acc, 0, panels * mr * ldAcc, 0f);
        float[] wt = scratch.wt;
        float[] wp = scratch.panels;
        // Rows of the last micro-panel beyond the matrix multiply zeros; their sums are never stored.
        // (The packed layout zeroes them as it interleaves each slice, below.)
        if (!packed) {
            for (int i = nr; i < panels * mr; i++) {
                Arrays.fill(wt, i * LDW, i * LDW + kcMax, 0f);
            }
        }
        long rowBytes = w.rowBytes();
        for (int k0 = 0; k0 < cols; k0 += kcMax) {
            int kc = Math.min(kcMax, cols - k0);
            long colBytes = w.type().byteSize(k0);
            if (packed) {
                // A panel's MR rows are decoded side by side, then interleaved k-major in one pass
                // whose stores run contiguously (spreading one row at a time stored with stride MR;
                // the four statements are the MR = 4 rows).
                for (int p0 = 0; p0 < nr; p0 += MR) {
                    int m = Math.min(MR, nr - p0);
                    for (int i = 0; i < m; i++) {
                        w.format().dequantize(w.data(), (r0 + p0 + i) * rowBytes + colBytes, wt, i * KC, kc);
                    }
                    for (int i = m; i < MR; i++) {
                        Arrays.fill(wt, i * KC, i * KC + kc, 0f);
                    }
                    interleave(wt, kc, wp, p0 * KC);
                }
            } else {
                for (int i = 0; i < nr; i++) {
                    w.format().dequantize(w.data(), (r0 + i) * rowBytes + colBytes, wt, i * LDW, kc);
                }
            }
            for (int b = b0; b < b1; b++) {
                int xOff = (k0 * blocks + b * kc) * TB;
                int aOff = (b - b0) * TB;
                for (int p = 0; p < panels; p++) {
                    if (packed) {
                        kernelPacked(wp, p * MR * KC, xT, xOff, acc, p * MR * ldAcc + aOff, ldAcc, kc);
                    } else {
                        kernelRows(wt, p * SHORT_MR * LDW, xT, xOff, acc, p * SHORT_MR * ldAcc + aOff, ldAcc, kc);
                    }
                }
            }
        }
        writeBack(acc, ldAcc, out, rows, bias, accumulate, r0, nr, b0 * TB, Math.min(nTokens, b1 * TB));
    }

    /**
     * {@code wp[base + k * MR + i] = wt[i * KC + k]}: a panel's four decoded rows (MR = 4) regrouped
     * k-major. Eight columns at a time in registers, the 4 x 8 block becoming 8 x 4 in the
     * lane swaps and blends of {@link Transpose8}, 24 vector ops for 32 values where one
     * scalar load and store each took 64; the last {@code kc % 8} columns (F32 rows of any length)
     * one at a time.
     */
    private static void interleave(float[] wt, int kc, float[] wp, int base) {
        int k = 0;
        if (Transpose8.NATIVE) {
            for (; k + 8 <= kc; k += 8) {
                FloatVector r0 = FloatVector.fromArray(S8, wt, k);
                FloatVector r1 = FloatVector.fromArray(S8, wt, KC + k);
                FloatVector r2 = FloatVector.fromArray(S8, wt, 2 * KC + k);
                FloatVector r3 = FloatVector.fromArray(S8, wt, 3 * KC + k);
                FloatVector w0 = r0.blend(r1.rearrange(SWAP1), ODD1), w1 = r0.rearrange(SWAP1).blend(r1, ODD1);
                FloatVector w2 = r2.blend(r3.rearrange(SWAP1), ODD1), w3 = r2.rearrange(SWAP1).blend(r3, ODD1);
                // x0: the four rows at columns k and k + 4; x1: k + 1, k + 5; x2: k + 2, k + 6; x3: k + 3, k + 7
                FloatVector x0 = w0.blend(w2.rearrange(SWAP2), ODD2), x2 = w0.rearrange(SWAP2).blend(w2, ODD2);
                FloatVector x1 = w1.blend(w3.rearrange(SWAP2), ODD2), x3 = w1.rearrange(SWAP2).blend(w3, ODD2);
                int o = base + k * MR;
                x0.blend(x1.rearrange(SWAP4), ODD4).intoArray(wp, o);
                x2.blend(x3.rearrange(SWAP4), ODD4).intoArray(wp, o + 8);
                x0.rearrange(SWAP4).blend(x1, ODD4).intoArray(wp, o + 16);
                x2.rearrange(SWAP4).blend(x3, ODD4).intoArray(wp, o + 24);
            }
        }
        for (; k < kc; k++) {
            wp[base + k * MR] = wt[k];
            wp[base + k * MR + 1] = wt[KC + k];
            wp[base + k * MR + 2] = wt[2 * KC + k];
            wp[base + k * MR + 3] = wt[3 * KC + k];
        }
    }

    /**
     * {@code out[t][r0 + i] (+)= acc[i][t - t0] + bias[r0 + i]} for rows {@code i < nr} and tokens
     * [t0, t1): the tile's sums transposed back into token rows. Blocks of 8 rows x 8 tokens are
     * transposed in registers as in {@link Transpose8#rows}, written out here with the bias and
     * the residual added on the way (one scalar load, add and store per value was 3.7% of an image
     * encode); the ragged rows and tokens stay scalar. Why a second copy of the transpose: a
     * variant of {@code Transpose8.rows} adding bias and residual, called per 8 rows over all the
     * tokens, took the write-back and the packing together from 4.2% to 5.5% of an encode (perf);
     * per 8 x 8 block it would be a call for every 64 values.
     */
    private static void writeBack(float[] acc, int ldAcc, float[] out, int rows, float[] bias, boolean accumulate,
                                  int r0, int nr, int t0, int t1) {
        int t = t0;
        int nr8 = Transpose8.NATIVE ? nr & -8 : 0;
        if (nr8 > 0) {
            for (; t + 8 <= t1; t += 8) {
                int a = t - t0;
                for (int i = 0; i < nr8; i += 8) {
                    int c = i * ldAcc + a;
                    FloatVector v0 = FloatVector.fromArray(S8, acc, c);
                    FloatVector v1 = FloatVector.fromArray(S8, acc, c + ldAcc);
                    FloatVector v2 = FloatVector.fromArray(S8, acc, c + 2 * ldAcc);
                    FloatVector v3 = FloatVector.fromArray(S8, acc, c + 3 * ldAcc);
                    FloatVector v4 = FloatVector.fromArray(S8, acc, c + 4 * ldAcc);
                    FloatVector v5 = FloatVector.fromArray(S8, acc, c + 5 * ldAcc);
                    FloatVector v6 = FloatVector.fromArray(S8, acc, c + 6 * ldAcc);
                    FloatVector v7 = FloatVector.fromArray(S8, acc, c + 7 * ldAcc);
                    // the transpose: rows 1, 2 and 4 apart exchange single lanes, then pairs, then halves
                    // (row k keeps its own groups where bit d of the lane index equals bit d of k)
                    FloatVector w0 = v0.blend(v1.rearrange(SWAP1), ODD1), w1 = v0.rearrange(SWAP1).blend(v1, ODD1);
                    FloatVector w2 = v2.blend(v3.rearrange(SWAP1), ODD1), w3 = v2.rearrange(SWAP1).blend(v3, ODD1);
                    FloatVector w4 = v4.blend(v5.rearrange(SWAP1), ODD1), w5 = v4.rearrange(SWAP1).blend(v5, ODD1);
                    FloatVector w6 = v6.blend(v7.rearrange(SWAP1), ODD1), w7 = v6.rearrange(SWAP1).blend(v7, ODD1);
                    FloatVector x0 = w0.blend(w2.rearrange(SWAP2), ODD2), x2 = w0.rearrange(SWAP2).blend(w2, ODD2);
                    FloatVector x1 = w1.blend(w3.rearrange(SWAP2), ODD2), x3 = w1.rearrange(SWAP2).blend(w3, ODD2);
                    FloatVector x4 = w4.blend(w6.rearrange(SWAP2), ODD2), x6 = w4.rearrange(SWAP2).blend(w6, ODD2);
                    FloatVector x5 = w5.blend(w7.rearrange(SWAP2), ODD2), x7 = w5.rearrange(SWAP2).blend(w7, ODD2);
                    FloatVector b = bias == null ? ZERO8 : FloatVector.fromArray(S8, bias, r0 + i);
                    int o = t * rows + r0 + i;
                    // the stores written out: a helper taking vectors was not inlined here, so they were boxed
                    FloatVector y;
                    y = x0.blend(x4.rearrange(SWAP4), ODD4).add(b);
                    (accumulate ? y.add(FloatVector.fromArray(S8, out, o)) : y).intoArray(out, o);
                    y = x1.blend(x5.rearrange(SWAP4), ODD4).add(b);
                    (accumulate ? y.add(FloatVector.fromArray(S8, out, o + rows)) : y).intoArray(out, o + rows);
                    y = x2.blend(x6.rearrange(SWAP4), ODD4).add(b);
                    (accumulate ? y.add(FloatVector.fromArray(S8, out, o + 2 * rows)) : y).intoArray(out, o + 2 * rows);
                    y = x3.blend(x7.rearrange(SWAP4), ODD4).add(b);
                    (accumulate ? y.add(FloatVector.fromArray(S8, out, o + 3 * rows)) : y).intoArray(out, o + 3 * rows);
                    y = x0.rearrange(SWAP4).blend(x4, ODD4).add(b);
                    (accumulate ? y.add(FloatVector.fromArray(S8, out, o + 4 * rows)) : y).intoArray(out, o + 4 * rows);
                    y = x1.rearrange(SWAP4).blend(x5, ODD4).add(b);
                    (accumulate ? y.add(FloatVector.fromArray(S8, out, o + 5 * rows)) : y).intoArray(out, o + 5 * rows);
                    y = x2.rearrange(SWAP4).blend(x6, ODD4).add(b);
                    (accumulate ? y.add(FloatVector.fromArray(S8, out, o + 6 * rows)) : y).intoArray(out, o + 6 * rows);
                    y = x3.rearrange(SWAP4).blend(x7, ODD4).add(b);
                    (accumulate ? y.add(FloatVector.fromArray(S8, out, o + 7 * rows)) : y).intoArray(out, o + 7 * rows);
                }
                writeBackScalar(acc, ldAcc, out, rows, bias, accumulate, r0, nr8, nr, t0, t, t + 8);
            }
        }
        writeBackScalar(acc, ldAcc, out, rows, bias, accumulate, r0, 0, nr, t0, t, t1);
    }

    /** As {@link #writeBack} for rows [i0, i1) and tokens [ta, tb), one value at a time. */
    private static void writeBackScalar(float[] acc, int ldAcc, float[] out, int rows, float[] bias, boolean accumulate,
                                        int r0, int i0, int i1, int t0, int ta, int tb) {
        // Token by token, so the writes run along an out row; the acc reads stride by ldAcc, which is
        // not a power of two (unlike the out row length), so they do not alias in L1.
        for (int t = ta; t < tb; t++) {
            int o = t * rows + r0;
            int a = t - t0;
            if (accumulate) {
                for (int i = i0; i < i1; i++) {
                    out[o + i] += acc[i * ldAcc + a] + (bias == null ? 0f : bias[r0 + i]);
                }
            } else if (bias != null) {
                for (int i = i0; i < i1; i++) {
                    out[o + i] = acc[i * ldAcc + a] + bias[r0 + i];
                }
            } else {
                for (int i = i0; i < i1; i++) {
                    out[o + i] = acc[i * ldAcc + a];
                }
            }
        }
    }

    /**
     * acc[SHORT_MR rows][TB tokens] += wt[SHORT_MR rows, LDW apart][0..kc) x xT[0..kc)[TB tokens]:
     * per k one broadcast weight per row against two token vectors, 6 x 2 = 12 accumulators, 12
     * independent FMA chains per step where 4 rows gave 8. C2 schedules every load of a loop step
     * ahead of the step's FMAs; with six broadcasts that needs 20 vector registers, AVX2 has 16, and
     * accumulators were spilled to the stack, which halved the throughput. The load-load fences,
     * which emit no instruction on x86 but keep C2 from moving loads above them, hold each
     * broadcast back until the previous row's FMAs are issued, so a step needs 15 registers.
     * Measured against the 4 x 2 kernel this replaced, paired in one JVM: the kernels alone (one
     * thread, 64 tokens x 2048 columns, medians of 40 alternations) 1.10-1.19x; whole matmuls (2
     * threads, medians of 12) 64 x 16384 x 2048 F16 1.10x and Q8_0 1.14x, 64 x 5632 x 2048 Q4_0
     * 1.10x; the same bits, since each sum still runs over k in order. A packed six-row kernel for
     * long batches ran 0.95x of {@link #kernelPacked}: its step recomputes both indices (6k, 16k),
     * 29 instructions per 12 FMAs against 19 per 8.
     *
     * <p>One induction variable, k, indexes both operands; rows 1-5 are row 0's index plus a
     * constant, which C2 folds into the load's displacement. Separate row offsets (w0 + LDW + k and
     * so on) cost an address computation per row and a spilled register per iteration (measured on
     * the 4-row kernel: 28 instructions per 8 FMAs against 21, the kernel alone up to 40% slower).
     * With the fences, two induction variables (one per array, as {@link #kernelPacked} has) made
     * C2 reload the arrays' bases from the stack every step: 1.06-1.10x of the 4 x 2 instead of
     * 1.10-1.19x.
     */
    private static void kernelRows(float[] wt, int w0, float[] xT, int x0, float[] acc, int a0, int ldAcc, int kc) {
        int a1 = a0 + ldAcc, a2 = a1 + ldAcc, a3 = a2 + ldAcc, a4 = a3 + ldAcc, a5 = a4 + ldAcc;
        FloatVector c00 = FloatVector.fromArray(S, acc, a0), c01 = FloatVector.fromArray(S, acc, a0 + L);
        FloatVector c10 = FloatVector.fromArray(S, acc, a1), c11 = FloatVector.fromArray(S, acc, a1 + L);
        FloatVector c20 = FloatVector.fromArray(S, acc, a2), c21 = FloatVector.fromArray(S, acc, a2 + L);
        FloatVector c30 = FloatVector.fromArray(S, acc, a3), c31 = FloatVector.fromArray(S, acc, a3 + L);
        FloatVector c40 = FloatVector.fromArray(S, acc, a4), c41 = FloatVector.fromArray(S, acc, a4 + L);
        FloatVector c50 = FloatVector.fromArray(S, acc, a5), c51 = FloatVector.fromArray(S, acc, a5 + L);
        for (int k = 0; k < kc; k++) {
            int i = w0 + k, xo = x0 + k * TB;
            FloatVector x0v = FloatVector.fromArray(S, xT, xo);
            FloatVector x1v = FloatVector.fromArray(S, xT, xo + L);
            FloatVector b = FloatVector.broadcast(S, wt[i]);
            c00 = x0v.fma(b, c00);
            c01 = x1v.fma(b, c01);
            VarHandle.loadLoadFence();
            b = FloatVector.broadcast(S, wt[i + LDW]);
            c10 = x0v.fma(b, c10);
            c11 = x1v.fma(b, c11);
            VarHandle.loadLoadFence();
            b = FloatVector.broadcast(S, wt[i + 2 * LDW]);
            c20 = x0v.fma(b, c20);
            c21 = x1v.fma(b, c21);
            VarHandle.loadLoadFence();
            b = FloatVector.broadcast(S, wt[i + 3 * LDW]);
            c30 = x0v.fma(b, c30);
            c31 = x1v.fma(b, c31);
            VarHandle.loadLoadFence();
            b = FloatVector.broadcast(S, wt[i + 4 * LDW]);
            c40 = x0v.fma(b, c40);
            c41 = x1v.fma(b, c41);
            VarHandle.loadLoadFence();
            b = FloatVector.broadcast(S, wt[i + 5 * LDW]);
            c50 = x0v.fma(b, c50);
            c51 = x1v.fma(b, c51);
        }
        c00.intoArray(acc, a0);
        c01.intoArray(acc, a0 + L);
        c10.intoArray(acc, a1);
        c11.intoArray(acc, a1 + L);
        c20.intoArray(acc, a2);
        c21.intoArray(acc, a2 + L);
        c30.intoArray(acc, a3);
        c31.intoArray(acc, a3 + L);
        c40.intoArray(acc, a4);
        c41.intoArray(acc, a4 + L);
        c50.intoArray(acc, a5);
        c51.intoArray(acc, a5 + L);
    }

    /**
     * As {@link #kernelRows} with four rows and the panel packed k-major
     * ({@code wp[w0 + k * MR + row]}): the four broadcasts of a step are adjacent floats, one cache
     * line serves four steps, and the loop is two instructions shorter (19 per 8 FMAs). Measured
     * against the rows kernel in its four-row form on long batches, paired in one JVM, 2 threads,
     * F16: 577x4096x1024 (the ViT's fc1) 1.18x, 577x1024x4096 (fc2) 1.12x, 616x4096x4096 1.18x;
     * Q8_0 577x4096x1024 1.10x (the six-row rows kernel on the rows layout: 1.03x and 0.74x of
     * this on fc1 and fc2). On 64-token batches the packing pass cost more than it saved
     * (0.8-0.9x), hence the two layouts.
     */
    private static void kernelPacked(float[] wp, int w0, float[] xT, int x0, float[] acc, int a0, int ldAcc, int kc) {
        int a1 = a0 + ldAcc, a2 = a1 + ldAcc, a3 = a2 + ldAcc;
        FloatVector c00 = FloatVector.fromArray(S, acc, a0), c01 = FloatVector.fromArray(S, acc, a0 + L);
        FloatVector c10 = FloatVector.fromArray(S, acc, a1), c11 = FloatVector.fromArray(S, acc, a1 + L);
        FloatVector c20 = FloatVector.fromArray(S, acc, a2), c21 = FloatVector.fromArray(S, acc, a2 + L);
        FloatVector c30 = FloatVector.fromArray(S, acc, a3), c31 = FloatVector.fromArray(S, acc, a3 + L);
        int xo = x0;
        for (int i = w0, end = w0 + MR * kc; i < end; i += MR, xo += TB) {
            FloatVector x0v = FloatVector.fromArray(S, xT, xo);
            FloatVector x1v = FloatVector.fromArray(S, xT, xo + L);
            FloatVector b0 = FloatVector.broadcast(S, wp[i]);
            FloatVector b1 = FloatVector.broadcast(S, wp[i + 1]);
            FloatVector b2 = FloatVector.broadcast(S, wp[i + 2]);
            FloatVector b3 = FloatVector.broadcast(S, wp[i + 3]);
            c00 = x0v.fma(b0, c00);
            c01 = x1v.fma(b0, c01);
            c10 = x0v.fma(b1, c10);
            c11 = x1v.fma(b1, c11);
            c20 = x0v.fma(b2, c20);
            c21 = x1v.fma(b2, c21);
            c30 = x0v.fma(b3, c30);
            c31 = x1v.fma(b3, c31);
        }
        c00.intoArray(acc, a0);
        c01.intoArray(acc, a0 + L);
        c10.intoArray(acc, a1);
        c11.intoArray(acc, a1 + L);
        c20.intoArray(acc, a2);
        c21.intoArray(acc, a2 + L);
        c30.intoArray(acc, a3);
        c31.intoArray(acc, a3 + L);
    }
}
