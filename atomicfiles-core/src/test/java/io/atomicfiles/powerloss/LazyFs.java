package io.atomicfiles.powerloss;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * LazyFS (a FUSE filesystem that keeps written data in its own cache until fsync, and drops what
 * is not synced on command: a power cut) mounted on a folder for a test. The binary is named by
 * the environment variable {@code LAZYFS} ({@code .ci/run} builds it); see
 * {@code shared/tools/lazyfs/README.md} beside the repository.
 *
 * <p>Files written under {@link #mount()} land in {@link #backing()}. Power cut, as a test does
 * it: kill the program under test and wait for it, then {@link #clearCache()} (or let a crash
 * armed with {@link #armCrash} fire), {@link #unmount()}, {@link #mount(Path)} again (the
 * "reboot"), recover, check. {@link #unmount()} returns only once the LazyFS process has exited
 * and the mount is gone from {@code /proc/mounts}, so a remount never races the old instance.
 */
final class LazyFs implements AutoCloseable {
    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(20);
    /** LazyFS reads a command with one read(2) of at most 100 bytes, newline included. */
    private static final int MAX_COMMAND_BYTES = 99;

    private final Path binary;
    private final Path work;
    private final Path mount;
    private final Path backing;
    private final Path config;
    private final Path faults;
    private final Path completed;
    private Process process;
    private RandomAccessFile commandPipe;
    private RandomAccessFile completedPipe;
    private final BlockingQueue<String> completions = new LinkedBlockingQueue<>();

    private LazyFs(Path binary, Path work) {
        this.binary = binary;
        this.work = work;
        this.mount = work.resolve("mnt");
        this.backing = work.resolve("backing");
        this.config = work.resolve("config.toml");
        this.faults = work.resolve("faults.fifo");
        this.completed = work.resolve("completed.fifo");
    }

    /** Why LazyFS cannot run here, or empty when it can: {@code LAZYFS} set to a program, {@code /dev/fuse} there. */
    static Optional<String> unavailable() {
        String bin = System.getenv("LAZYFS");
        if (bin == null || bin.isBlank()) {
            return Optional.of("LAZYFS is not set (.ci/run sets it after building LazyFS)");
        }
        if (!Files.isExecutable(Path.of(bin))) {
            return Optional.of("LAZYFS=" + bin + " is not an executable file");
        }
        if (!Files.exists(Path.of("/dev/fuse"))) {
            return Optional.of("/dev/fuse is missing (no FUSE here)");
        }
        if (!Files.isExecutable(Path.of("/usr/bin/fusermount3")) && !Files.isExecutable(Path.of("/bin/fusermount3"))) {
            return Optional.of("fusermount3 is missing (package fuse3)");
        }
        return Optional.empty();
    }

    /** Prepares {@code work} (config, FIFOs, backing folder) and mounts LazyFS on {@code work/mnt}. */
    static LazyFs start(Path work) throws IOException {
        LazyFs fs = new LazyFs(Path.of(System.getenv("LAZYFS")), work);
        Files.createDirectories(fs.mount);
        Files.createDirectories(fs.backing);
        Files.writeString(fs.config, String.join("\n",
                "[faults]",
                "fifo_path=\"" + fs.faults + "\"",
                "fifo_path_completed=\"" + fs.completed + "\"",
                "[cache]",
                "apply_eviction=false",
                "[cache.simple]",
                "custom_size=\"64mb\"",
                "blocks_per_page=1",
                "[filesystem]",
                "log_all_operations=false",
                "logfile=\"" + work.resolve("lazyfs.log") + "\"", ""));
        run(List.of("mkfifo", fs.faults.toString(), fs.completed.toString()));
        fs.mount(null);
        return fs;
    }

    Path mount() {
        return mount;
    }

    Path backing() {
        return backing;
    }

    /**
     * Starts LazyFS and waits until it is mounted. Both FIFOs are opened read+write first (which
     * never blocks): LazyFS opens the completion FIFO for writing at start and its command thread
     * blocks until a reader has it, and a command written before it reads stays in the pipe.
     *
     * @param crash a {@code lazyfs::crash::...} command armed at once, or null
     */
    void mount(String crash) throws IOException {
        if (process != null) {
            throw new IllegalStateException("already mounted");
        }
        commandPipe = new RandomAccessFile(faults.toFile(), "rw");
        completedPipe = new RandomAccessFile(completed.toFile(), "rw");
        RandomAccessFile pipe = completedPipe;
        Thread reader = new Thread(() -> readCompletions(pipe), "LazyFS completions");
        reader.setDaemon(true);
        reader.start();
        List<String> command = new java.util.ArrayList<>(List.of(binary.toString(), mount.toString(), "--config-path",
                config.toString(), "-o", "modules=subdir", "-o", "subdir=" + backing, "-f"));
        if (isRoot()) {
            // As the README mounts it; other users need user_allow_other in /etc/fuse.conf for it,
            // and do not need it: the test and its children run as the user who mounts.
            command.addAll(List.of("-o", "allow_other"));
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("lazyfs.out").toFile()));
        process = builder.start();
        long deadline = System.nanoTime() + MOUNT_TIMEOUT.toNanos();
        while (!mounted()) {
            if (!process.isAlive()) {
                throw new IOException("LazyFS exited with " + process.exitValue() + " before it was mounted: "
                        + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("LazyFS was not mounted on " + mount + " within " + MOUNT_TIMEOUT + ": " + tail());
            }
            sleep(20);
        }
        if (crash != null) {
            armCrash(crash);
        }
    }

    /** Drops every byte not yet synced (a power cut) and waits until LazyFS says it is done. */
    void clearCache() throws IOException {
        completions.clear();
        command("lazyfs::clear-cache");
        String done;
        try {
            done = completions.poll(MOUNT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while LazyFS cleared its cache", e);
        }
        if (!"finished::clear-cache".equals(done)) {
            throw new IOException("LazyFS did not confirm clear-cache within " + MOUNT_TIMEOUT + " (got " + done
                    + "): " + tail());
        }
    }

    /** Arms {@code lazyfs::crash::...}: LazyFS kills itself (losing its cache) at the first matching operation. */
    void armCrash(String crash) throws IOException {
        if (!crash.startsWith("lazyfs::crash::")) {
            throw new IllegalArgumentException("not a crash command: " + crash);
        }
        command(crash);
    }

    /** Whether LazyFS has killed itself (an armed crash fired). */
    boolean crashed() {
        return process != null && !process.isAlive();
    }

    /**
     * Unmounts and returns once the LazyFS process has exited and the mount is gone. After a
     * crash (LazyFS gone, mount left dangling) the unmount is what removes it.
     */
    void unmount() throws IOException {
        if (process == null) {
            return;
        }
        long deadline = System.nanoTime() + MOUNT_TIMEOUT.toNanos();
        while (mounted()) {
            Process umount = new ProcessBuilder("fusermount3", "-u", mount.toString()).redirectErrorStream(true).start();
            String out = new String(umount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            waitFor(umount, deadline);
            if (!mounted()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("could not unmount " + mount + ": " + out.trim());
            }
            sleep(50);   // busy: a process that had files open there is still closing them
        }
        if (!waitFor(process, deadline)) {
            process.destroyForcibly();
            waitFor(process, System.nanoTime() + MOUNT_TIMEOUT.toNanos());
        }
        process = null;
        // The reader thread ends on the line it is sent here; then both pipes are closed.
        completedPipe.write("bye\n".getBytes(StandardCharsets.US_ASCII));
        completedPipe.close();
        commandPipe.close();
        while (mounted()) {
            if (System.nanoTime() > deadline) {
                throw new IOException(mount + " is still in /proc/mounts after LazyFS exited");
            }
            sleep(20);
        }
    }

    @Override
    public void close() throws IOException {
        unmount();
    }

    private void command(String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > MAX_COMMAND_BYTES + 1) {
            throw new IllegalArgumentException("LazyFS reads at most 100 bytes per command: " + line);
        }
        commandPipe.write(bytes);
    }

    private void readCompletions(RandomAccessFile pipe) {
        try {
            for (String line; (line = pipe.readLine()) != null; ) {
                if (line.equals("bye")) {
                    return;
                }
                completions.add(line);
            }
        } catch (IOException e) {
            // the pipe was closed: this mount is over
        }
    }

    boolean mounted() throws IOException {
        String needle = " " + mount.toString().replace(" ", "\\040") + " ";
        return Files.readAllLines(Path.of("/proc/mounts")).stream().anyMatch(l -> l.contains(needle));
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(work.resolve("lazyfs.out"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean waitFor(Process p, long deadline) {
        try {
            return p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!waitFor(p, System.nanoTime() + MOUNT_TIMEOUT.toNanos()) || p.exitValue() != 0) {
            throw new IOException(command + " failed: " + out.trim());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
