/*
 * The CPU of one stat call in a tight loop: UntimedStat (statx through JNA) against Java's stat of
 * the same three attributes, and the byte-for-byte name check (Stat.ioFile's) UntimedStat makes.
 * BENCHMARKS.md, "W1 with a stat that does not ask for the times".
 *   javac -cp atomicfiles-cli/target/atomicfiles.jar -d /tmp/scc StatCallCost.java
 *   java -cp atomicfiles-cli/target/atomicfiles.jar:/tmp/scc StatCallCost /mnt/jext4/w1s/scc.txt
 */
import io.atomicfiles.internal.*;
import java.nio.file.*;
public class StatCallCost {
  public static void main(String[] a) throws Exception {
    Path p = Path.of(a[0]); Files.writeString(p, "x");
    System.out.println(UntimedStat.loadNow());
    LinkOption[] nf = {LinkOption.NOFOLLOW_LINKS};
    for (int r = 0; r < 5; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < 200000; i++) if (UntimedStat.of(p) == null) throw new Error();
      long t1 = System.nanoTime();
      for (int i = 0; i < 200000; i++) if (Files.readAttributes(p, "unix:mode,uid,gid", nf) == null) throw new Error();
      long t2 = System.nanoTime();
      for (int i = 0; i < 200000; i++) if (new java.io.File(p.toString()).toPath().equals(p) == false) throw new Error();
      long t3 = System.nanoTime();
      System.out.printf("untimed %.0f ns  java %.0f ns  ioFile %.0f ns%n", (t1-t0)/2e5, (t2-t1)/2e5, (t3-t2)/2e5);
    }
  }
}
