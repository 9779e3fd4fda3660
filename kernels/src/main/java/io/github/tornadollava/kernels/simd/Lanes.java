package io.github.tornadollava.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lane math whose bits do not depend on which JIT tier runs it.
 *
 * <p>The same prompt must give the same logits on its first run and later ones, and the Vector
 * API does not promise that. Its {@code reduceLanes(ADD)} leaves the order of the additions open:
 * the interpreter and C1 add lane 0, 1, 2, ... while C2 adds in a tree, so a dot product's last
 * bits changed once its caller got compiled (measured: 538 of 1000 random 8-lane sums). Its
 * {@code lanewise(EXP)} is Java code before C2 and the SVML library after (324 of 8000 values
 * differed). A test asserting that a rerun is bit-identical failed now and then.
 *
 * <p>So the kernels sum lanes with {@code lane(i)} and scalar adds in an order they write out
 * (a pairwise tree in the 8-lane weight-format dots, lane order elsewhere), written in place
 * rather than called, see {@link #exp(float[], int, int)} on why; and take exp from here. Both
 * are built from lanewise add, multiply, fma and integer bit operations, which IEEE and the JLS
 * fix exactly.
 *
 * <p>The price, measured in one JVM against the SVML versions: siluMul and quickGelu 1.2-1.6x
 * slower (0.3-0.5 ns more per value: about 50 us of a 1B decode step's ~80 ms, 30 ms of a CLIP-L
 * encode's ~4 s).
 */
public final class Lanes {

    /** Rounds to an integer by adding 1.5 * 2^23: the float's low mantissa bits then hold that integer. */
    private static final float ROUND = 0x1.8p23f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that {@code k * LN2_HI} is exact for every {@code k} reached (Cephes' constants). */
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Below it exp rounds to 0 (2^-159, under the smallest subnormal); above it, to infinity. */
    private static final float LOWEST = -110f;
    private static final float HIGHEST = 89f;
    /** Cephes expf's fit of (e^r - 1 - r) / r^2 on |r| <= ln2 / 2, highest power first. */
    private static final float P5 = 1.9875691500e-4f;
    private static final float P4 = 1.3981999507e-3f;
    private static final float P3 = 8.3334519073e-3f;
    private static final float P2 = 4.1665795894e-2f;
    private static final float P1 = 1.6666665459e-1f;
    private static final float P0 = 5.0000001201e-1f;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final FloatVector MINUS_LN2_LO = FloatVector.broadcast(F, -LN2_LO);
    private static final FloatVector V_P3 = FloatVector.broadcast(F, P3);
    private static final FloatVector V_P2 = FloatVector.broadcast(F, P2);
    private static final FloatVector V_P1 = FloatVector.broadcast(F, P1);
    private static final FloatVector V_P0 = FloatVector.broadcast(F, P0);

    private Lanes() {
    }

    /**
     * {@code a[off .. off+n) = e^a[...]} in place (Cephes' expf: x = k ln 2 + r, a degree-7
     * polynomial in r, times 2^k applied as two halves so that subnormal results come out too).
     * Within 0.99 ulp of e^x over [-104, 88.72], measured against {@link Math#exp} every 1e-4;
     * -infinity gives 0, +infinity and overflow give infinity, NaN gives NaN. Every element gets
     * the bits {@link #exp(float)} gives it, in the vector body or the tail.
     *
     * <p>Arrays in and out rather than a vector: a method taking or returning a vector that C2
     * does not inline boxes that vector on every call, and C2 stops inlining once a compilation
     * passes its node budget, which the big K-quant dots and a JMH loop around an inlined
     * activation did (with a vector-taking lane sum here, 1B Q4_K_M decode ran 9.9-10.2 t/s against
     * 11.8-12.0 in one alternating pair).
     */
    public static void exp(float[] a, int off, int n) {
        int i = 0;
        for (int upper = F.loopBound(n); i < upper; i += F.length()) {
            FloatVector c = FloatVector.fromArray(F, a, off + i).max(LOWEST).min(HIGHEST);
            FloatVector t = c.fma(LOG2E, ROUND);
            FloatVector k = t.sub(ROUND);
            // k * LN2_HI is exact (|k| <= 159 times 9 significant bits), so mul then add is the fma
            FloatVector r = k.mul(-LN2_HI).add(c);
            r = k.fma(MINUS_LN2_LO, r);
            FloatVector p = r.fma(P5, P4).fma(r, V_P3).fma(r, V_P2).fma(r, V_P1).fma(r, V_P0);
            FloatVector y = p.fma(r.mul(r), r).add(1f);
            IntVector ki = ((IntVector) t.reinterpretAsInts()).sub(ROUND_BITS);
            IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
            IntVector k2 = ki.sub(k1);
            FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            y.mul(s1).mul(s2).intoArray(a, off + i);
        }
        for (; i < n; i++) {
            a[off + i] = exp(a[off + i]);
        }
    }

    /** e^x of one value: the operations of {@link #exp(float[], int, int)}'s lanes, in scalar form. */
    public static float exp(float x) {
        float c = Math.min(Math.max(x, LOWEST), HIGHEST);
        float t = Math.fma(c, LOG2E, ROUND);
        float k = t - ROUND;
        float r = k * -LN2_HI + c;
        r = Math.fma(k, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, P5, P4), r, P3), r, P2), r, P1), r, P0);
        float y = Math.fma(p, r * r, r) + 1f;
        int ki = Float.floatToRawIntBits(t) - ROUND_BITS;
        int k1 = ki >> 1;
        int k2 = ki - k1;
        return y * Float.intBitsToFloat((k1 + 127) << 23) * Float.intBitsToFloat((k2 + 127) << 23);
    }
}
