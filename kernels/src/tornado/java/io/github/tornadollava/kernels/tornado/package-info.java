/**
 * TornadoVM kernels for the accelerator backend: plain Java that TornadoVM JIT-compiles to
 * OpenCL C or PTX. Every kernel is written in the {@code KernelContext} style (explicit
 * work-groups, local memory, barriers) and none uses {@code @Reduce}, native half types or
 * other device extensions, so each also runs on PoCL's CPU device.
 *
 * <h2>Conventions the task graphs must follow</h2>
 * <ul>
 *   <li><b>Scalars are compile-time constants.</b> TornadoVM specialises a kernel on the values
 *   of its {@code int}/{@code float} arguments when it first compiles it. Sizes fixed for the
 *   lifetime of a task graph (dimensions, head counts, epsilon, cache offsets) are therefore
 *   plain {@code int}/{@code float} parameters; anything that changes between executions (the
 *   token position, the number of keys) is read from an {@code IntArray} on the device.</li>
 *   <li><b>Layouts are row-major</b>: a matrix with {@code rows} rows of {@code cols} values keeps
 *   element {@code (r, c)} at {@code r * cols + c}; an activation batch of {@code tokens} rows
 *   keeps token {@code t}'s vector at {@code t * dim}. Weights are stored as in GGUF/PyTorch,
 *   {@code W[out][in]}, so {@code y = W x}.</li>
 *   <li><b>Weight formats</b> (see {@link io.github.tornadollava.kernels.tornado.Fp16}):
 *   F32 in a {@code FloatArray}; F16 as raw IEEE half bits in a {@code ShortArray}, decoded in
 *   the kernel with integer arithmetic (PoCL has no {@code cl_khr_fp16}); Q8_0 as two arrays,
 *   the int8 quants in a {@code ByteArray} ({@code rows * cols}, row-major) and one float scale
 *   per 32 consecutive quants of a row in a {@code FloatArray} ({@code rows * cols / 32}), the
 *   ggml block's fp16 scale widened once on the host. {@code cols} must be a multiple of 32.</li>
 *   <li><b>Work-group shapes</b>: row kernels (mat-vec, norms, softmax, attention) run one
 *   work-group per row with a power-of-two local size of at most {@link KernelConfig#MAX_LOCAL};
 *   the tiled mat-mul runs {@link KernelConfig#TILE_THREADS}&#xd7;{@link KernelConfig#TILE_THREADS}
 *   threads per tile. {@link Grids} builds the matching worker grids.</li>
 *   <li>Helpers that kernels call never take local arrays: TornadoVM mis-indexes a local array
 *   passed into an inlined helper, so every local-memory reduction is written out in its kernel.</li>
 * </ul>
 */
package io.github.tornadollava.kernels.tornado;
