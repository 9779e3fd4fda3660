/** Next-token selection with llama.cpp's sampler chain: repetition penalty, top-k, top-p, min-p, temperature. */
package io.github.tornadollava.sampling;
