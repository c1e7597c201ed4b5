import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteOptions;
import java.nio.file.*;
import java.util.*;
public class Count {
    public static void main(String[] a) throws Exception {
        Path dir = Files.createDirectories(Path.of(a[0]));
        byte[] content = new byte[1024];
        WriteOptions o = WriteOptions.builder().backup(false).verifyIntegrity(false).showProgress(false).build();
        Path target = dir.resolve("lib.bin");
        Files.write(target, content);
        for (int i = 0; i < 2000; i++) AtomicFiles.writeBytes(target, content, o);
        Files.exists(Path.of("/MARK-START"));
        for (int i = 0; i < 100; i++) AtomicFiles.writeBytes(target, content, o);
        Files.exists(Path.of("/MARK-END"));
    }
}
