package io.atomicfiles.testing;

import java.io.InputStream;
import java.util.Objects;

/**
 * Content of any size that is never held in memory: a deterministic stream of pseudo-random
 * bytes, the same for the same seed and size wherever it is generated. A writer in a child JVM
 * and a checker in the test each generate it and compare checksums instead of shipping the
 * bytes around.
 *
 * <p>The byte at position {@code p} is byte {@code p % 8} of SplitMix64's output for word
 * {@code p / 8} (offset by the seed), so every position of the stream has its own value (a misplaced or repeated
 * chunk changes the checksum).
 */
public final class GeneratedBytes extends InputStream {
    private static final int BLOCK_WORDS = 8 * 1024;

    private final long seed;
    private final long size;
    private final byte[] block = new byte[BLOCK_WORDS * 8];
    private long position;
    private long blockStart = -1;

    private GeneratedBytes(long seed, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative: " + size);
        }
        this.seed = seed;
        this.size = size;
    }

    /** {@code size} bytes generated from {@code seed}. */
    public static GeneratedBytes of(long seed, long size) {
        return new GeneratedBytes(seed, size);
    }

    @Override
    public int read() {
        if (position >= size) {
            return -1;
        }
        int offset = fillBlockOf(position);
        position++;
        return block[offset] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, into.length);
        if (length == 0) {
            return 0;
        }
        if (position >= size) {
            return -1;
        }
        int done = 0;
        while (done < length && position < size) {
            int inBlock = fillBlockOf(position);
            int n = (int) Math.min(Math.min(length - done, block.length - inBlock), size - position);
            System.arraycopy(block, inBlock, into, offset + done, n);
            done += n;
            position += n;
        }
        return done;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, size - position);
    }

    /** Generates the block holding {@code at} (unless it is there) and returns {@code at}'s offset in it. */
    private int fillBlockOf(long at) {
        long start = at - at % block.length;
        if (start != blockStart) {
            long word = start / 8;
            for (int i = 0; i < BLOCK_WORDS; i++) {
                long v = splitMix64(seed * 0x632BE59BD9B4E019L + word + i);
                int b = i * 8;
                block[b] = (byte) v;
                block[b + 1] = (byte) (v >>> 8);
                block[b + 2] = (byte) (v >>> 16);
                block[b + 3] = (byte) (v >>> 24);
                block[b + 4] = (byte) (v >>> 32);
                block[b + 5] = (byte) (v >>> 40);
                block[b + 6] = (byte) (v >>> 48);
                block[b + 7] = (byte) (v >>> 56);
            }
            blockStart = start;
        }
        return (int) (at - start);
    }

    private static long splitMix64(long x) {
        long z = x * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
