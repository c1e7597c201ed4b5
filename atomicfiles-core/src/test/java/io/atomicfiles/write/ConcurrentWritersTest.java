package io.atomicfiles.write;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.AtomicFiles;
import io.atomicfiles.testing.ChildJvm;
import io.atomicfiles.testing.HeldLockFiles;
import io.atomicfiles.testing.OpenFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight threads of this JVM and two other processes write one file over and over while a
 * reader reads it continuously. Every read parses and is one complete version; per writer, the
 * versions a reader sees never go back; writers are serialised across threads and processes
 * (each write reads the count under the lock and adds one: the counts written are exactly
 * 1..N, no update lost); at the end the file is the last version of some writer; no temp file
 * remains and no file (nor lock file) is left open.
 */
class ConcurrentWritersTest {
    private static final int THREADS = 8;
    private static final int WRITES_PER_THREAD = 25;
    private static final int PROCESSES = 2;
    private static final int WRITES_PER_PROCESS = 40;
    private static final Duration CHILD_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    void everyReadIsACompleteVersionAndNoUpdateIsLost() throws Exception {
        long started = System.nanoTime();
        Path target = dir.resolve("shared.json");
        AtomicFiles.writeJson(target, CountingWriter.document("init", 0, 0));

        List<ChildJvm> children = new ArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
        Map<String, List<Long>> countsByWriter = new ConcurrentHashMap<>();
        AtomicLong reads = new AtomicLong();
        Thread reader = new Thread(() -> readContinuously(target, writing, reads, errors), "reader");
        try {
            for (int p = 0; p < PROCESSES; p++) {
                children.add(ChildJvm.builder(CountingWriter.class).quickStart()
                        .args(target.toString(), "process-" + p, Integer.toString(WRITES_PER_PROCESS),
                                dir.resolve("warm-up-" + p + ".json").toString())
                        .start());
            }
            for (ChildJvm child : children) {
                assertThat(child.readLine(CHILD_TIMEOUT)).as("%s: %s", child, child.stderr()).isEqualTo("ready");
            }
            // All ten writers start together; the reader watches.
            reader.start();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                String name = "thread-" + t;
                Thread thread = new Thread(() -> {
                    try {
                        go.await();
                        countsByWriter.put(name, CountingWriter.writeAll(target, name, WRITES_PER_THREAD));
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }, name);
                thread.start();
                threads.add(thread);
            }
            for (ChildJvm child : children) {
                child.go();
            }
            go.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            for (int p = 0; p < PROCESSES; p++) {
                ChildJvm child = children.get(p);
                assertThat(child.awaitExit(CHILD_TIMEOUT)).as("%s exit code; stderr: %s", child, child.stderr())
                        .isZero();
                List<String> lines = child.readRemainingLines();
                assertThat(lines).as("%s output", child).hasSize(1);
                countsByWriter.put("process-" + p, Arrays.stream(lines.get(0).split(" ")).skip(1)
                        .map(Long::valueOf).toList());
            }
        } finally {
            writing.set(false);
            reader.join();
            children.forEach(ChildJvm::close);
        }
        assertThat(errors).as("errors of readers and writers").isEmpty();

        int total = THREADS * WRITES_PER_THREAD + PROCESSES * WRITES_PER_PROCESS;
        List<Long> allCounts = countsByWriter.values().stream().flatMap(List::stream).sorted().toList();
        assertThat(allCounts).as("each write saw the one before it: counts 1..%d, none twice", total)
                .isEqualTo(LongStream.rangeClosed(1, total).boxed().toList());

        CountingWriter.Version last = CountingWriter.parse(Files.readAllBytes(target), "final file");
        assertThat(last.count()).as("the file is the last write").isEqualTo(total);
        List<Long> lastWritersCounts = countsByWriter.get(last.writer());
        assertThat(last.seq()).as("the file is the last version of %s", last.writer())
                .isEqualTo(lastWritersCounts.size());
        assertThat(lastWritersCounts.get(lastWritersCounts.size() - 1)).isEqualTo(total);

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-")))
                    .as("temp files left").isEmpty();
        }
        assertThat(OpenFiles.under(dir)).as("files left open").isEmpty();
        assertThat(HeldLockFiles.in(dir)).as("locks still held after the writes").isEmpty();
        List<String> processRuns = processRuns(countsByWriter);
        System.out.printf("ConcurrentWritersTest: %d writes, %d reads in %d ms; processes wrote at counts %s%n",
                total, reads.get(), (System.nanoTime() - started) / 1_000_000, processRuns);
        assertThat(reads.get()).as("reads while writing").isPositive();
        // Waiting processes get their turn while the threads write (the OS lock wakes them);
        // before, they polled, slept through the moments the lock was free and wrote in one or
        // two long bursts, once the threads were done or in a lucky gap.
        assertThat(processRuns).as("separate runs of process writes among the thread writes").hasSizeGreaterThan(4);
    }

    /** Reads until the writers are done, checking every read; per writer, versions never go back. */
    private static void readContinuously(Path target, AtomicBoolean writing, AtomicLong reads, Queue<Throwable> errors) {
        Map<String, Integer> lastSeq = new HashMap<>();
        long lastCount = 0;
        try {
            while (writing.get()) {
                CountingWriter.Version v = CountingWriter.parse(Files.readAllBytes(target), "read " + reads.get());
                Integer previous = lastSeq.put(v.writer(), v.seq());
                if (previous != null && previous > v.seq()) {
                    throw new AssertionError(v.writer() + " went back from " + previous + " to " + v.seq());
                }
                if (v.count() < lastCount) {
                    throw new AssertionError("the count went back from " + lastCount + " to " + v.count());
                }
                lastCount = v.count();
                reads.incrementAndGet();
            }
        } catch (Throwable e) {
            errors.add(e);
        }
    }

    /** The processes' counts, as ranges, to show how their writes interleaved with the threads'. */
    private static List<String> processRuns(Map<String, List<Long>> countsByWriter) {
        TreeSet<Long> counts = countsByWriter.entrySet().stream().filter(e -> e.getKey().startsWith("process-"))
                .flatMap(e -> e.getValue().stream()).collect(Collectors.toCollection(TreeSet::new));
        List<String> runs = new ArrayList<>();
        Long first = null;
        Long previous = null;
        for (Long c : counts) {
            if (previous == null || c != previous + 1) {
                if (first != null) {
                    runs.add(first.equals(previous) ? "" + first : first + "-" + previous);
                }
                first = c;
            }
            previous = c;
        }
        if (first != null) {
            runs.add(first.equals(previous) ? "" + first : first + "-" + previous);
        }
        return runs;
    }
}
