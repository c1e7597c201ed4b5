// Scratch (branch w2c): CPU per GiB of SHA-256 over direct chunks (MessageDigest.update(ByteBuffer)),
// through a 16 or 64 KiB heap array, and over a heap array. Run: java ShaMicro.java
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.lang.management.*;
public class ShaMicro {
    public static void main(String[] a) throws Exception {
        ByteBuffer[] chunks = new ByteBuffer[3];
        for (int i = 0; i < 3; i++) { chunks[i] = ByteBuffer.allocateDirect(512 * 1024); while (chunks[i].hasRemaining()) chunks[i].put((byte) (chunks[i].position() * 31 + i)); chunks[i].flip(); }
        byte[] heap = new byte[512 * 1024];
        ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 8; round++) {
            for (int variant = 0; variant < 4; variant++) {
                int scratchSize = variant == 1 ? 16384 : variant == 2 ? 65536 : 0;
                byte[] scratch = new byte[Math.max(1, scratchSize)];
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                long c0 = tm.getCurrentThreadCpuTime();
                for (int k = 0; k < 2048; k++) {
                    ByteBuffer c = chunks[k % 3].duplicate();
                    if (variant == 0) md.update(c);
                    else if (variant == 3) md.update(heap, 0, heap.length);
                    else while (c.hasRemaining()) { int n = Math.min(scratchSize, c.remaining()); c.get(scratch, 0, n); md.update(scratch, 0, n); }
                }
                md.digest();
                long c1 = tm.getCurrentThreadCpuTime();
                if (round >= 3) System.out.printf("round %d %s %d ms%n", round, new String[]{"update(direct)", "16K scratch", "64K scratch", "heap"}[variant], (c1 - c0) / 1_000_000);
            }
        }
    }
}
