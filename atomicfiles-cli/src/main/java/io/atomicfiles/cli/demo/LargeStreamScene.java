package io.atomicfiles.cli.demo;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.WriteResult;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** A large file streamed in chunks with constant memory, hashed in the same pass and verified. */
final class LargeStreamScene implements Scene {
    private static final int CHUNK = 1 << 20;
    private static final int CHUNKS = 64;

    @Override
    public String title() {
        return "Streaming a large file, with its SHA-256";
    }

    @Override
    public void play(Stage stage) throws Exception {
        Path data = stage.file("measurements.bin");
        MessageDigest ours = MessageDigest.getInstance("SHA-256");
        stage.say("64 MiB of generated data, written 1 MiB at a time: the chunk is the only copy in memory.");
        stage.say("The library hashes it as it goes, forces it to disk, reads it back and compares, then renames.");
        stage.call("AtomicFiles.write(measurements.bin, options, writer -> { for (...) writer.outputStream().write(chunk); })");
        WriteResult result = AtomicFiles.write(data, WriteOptions.defaults(), writer -> {
            OutputStream out = writer.outputStream();
            SplittableRandom random = new SplittableRandom(2024);
            byte[] chunk = new byte[CHUNK];
            for (int i = 0; i < CHUNKS; i++) {
                fill(chunk, random);
                ours.update(chunk);
                out.write(chunk);
            }
        });
        String expected = HexFormat.of().formatHex(ours.digest());
        long millis = Math.max(1, result.duration().toMillis());
        stage.say("wrote " + result.size() + " bytes in " + millis + " ms (" + (result.size() / 1024 / 1024 * 1000 / millis)
                + " MiB/s, fsync and read-back included)");
        stage.say("sha256 reported by the write:   " + result.sha256());
        stage.say("sha256 computed by the demo:    " + expected);
        String onDisk = AtomicFiles.checksum(data);
        stage.say("sha256 of the file on disk now: " + onDisk);
        stage.check("the file has all " + CHUNKS + " MiB", Files.size(data) == (long) CHUNK * CHUNKS);
        stage.check("the three SHA-256s agree", result.sha256().equals(expected) && onDisk.equals(expected));
        stage.checkNoTempFiles();
    }

    private static void fill(byte[] chunk, SplittableRandom random) {
        for (int i = 0; i < chunk.length; i += 8) {
            long value = random.nextLong();
            for (int b = 0; b < 8; b++) {
                chunk[i + b] = (byte) (value >>> (8 * b));
            }
        }
    }
}
