package io.atomicfiles.tx;

import io.atomicfiles.ContentType;
import io.atomicfiles.Durability;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.internal.Hashing;
import io.atomicfiles.testing.ChildSide;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The process the crash harness kills ({@link CrashHarnessTest}).
 *
 * <p>{@code run FILES JOURNALS LOG SEED PREFIX SCRATCH TARGET}: warms up in the folder SCRATCH,
 * prints "ready", then commits random transactions over the files of
 * FILES, forever. Before each commit it appends to LOG, and forces, the transaction's intended
 * after-state ({@code intent <id> <name>=<sha256>;...}); after {@code commit()} returns it
 * appends {@code ack <id>}. With TARGET "stage" or "apply" (not "random"), each transaction
 * stops at a random progress note of that step, prints "now" and waits for the kill. It computes the after-state from its own model of what each
 * operation does, so the harness checks the library against an independent account.
 *
 * <p>{@code recover JOURNALS SCRATCH}: warms up in SCRATCH, prints "ready", runs recovery, prints
 * "recovered".
 */
public final class CrashChild {
    static final String BYSTANDER = "bystander.dat";
    private static final int WARM_UP_TRANSACTIONS = 1;
    /** The files transactions work on: up to 20 names, about 8 of them present at a time. */
    static final List<String> NAMES = new ArrayList<>();

    static {
        String[] extensions = {".json", ".yaml", ".txt", ".bin"};
        for (int i = 0; i < 20; i++) {
            NAMES.add(String.format("f%02d%s", i, extensions[i % 4]));
        }
    }

    private final Path dir;
    private final Path journals;
    private final FileChannel log;
    private final Random random;
    private final String prefix;
    /** Warming up: small files only, no fsync (the code paths matter, not the data). */
    private final boolean warmingUp;
    /** The files of dir (but the bystander) as this process believes they are: name → SHA-256. */
    private Map<String, String> state;

    private CrashChild(Path dir, Path journals, FileChannel log, long seed, String prefix, boolean warmingUp)
            throws IOException {
        this.warmingUp = warmingUp;
        this.dir = dir;
        this.journals = journals;
        this.log = log;
        this.random = new Random(seed);
        this.prefix = prefix;
        this.state = TxFiles.hashes(dir);
        state.remove(BYSTANDER);
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("recover")) {
            // Warmed up, the recovery itself takes a few milliseconds: the kill, 0 to 40 ms after
            // "ready", can land in it.
            ChildSide.warmUp(Paths.get(args[2]));
            ChildSide.ready();
            FileTransaction.recover(Paths.get(args[1]));
            ChildSide.say("recovered");
            return;
        }
        long seed = Long.parseLong(args[4]);
        // Warm up first: a small transaction like the real ones, in a scratch folder, so
        // that the kill, which comes 10 to 300 ms after "ready", lands in transactions running
        // at speed rather than in class loading.
        Path scratch = Paths.get(args[6]);
        TxFiles.empty(scratch);
        Path scratchFiles = Files.createDirectories(scratch.resolve("files"));
        try (FileChannel scratchLog = FileChannel.open(scratch.resolve("log"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            CrashChild warmUp = new CrashChild(scratchFiles, scratch.resolve("journals"), scratchLog, seed + 1,
                    "warm-up", true);
            for (int n = 1; n <= WARM_UP_TRANSACTIONS; n++) {
                warmUp.transaction("warm-up-" + n, null);
            }
        }
        try (FileChannel log = FileChannel.open(Paths.get(args[3]), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            CrashChild child = new CrashChild(Paths.get(args[1]), Paths.get(args[2]), log, seed, args[5], false);
            String target = args[7];
            ChildSide.ready();
            for (int n = 1; ; n++) {
                child.transaction(child.prefix + "-" + n, target.equals("random") ? null : target + " ");
            }
        }
    }

    /**
     * A listener that stops the transaction at its {@code which}-th progress note starting with
     * {@code prefix} ("stage ", "apply "): it prints "now" and waits there for the kill. (Stage
     * notes come before the commit point, apply notes after it, one before each rename.)
     */
    private static ProgressListener stopAt(String prefix, int which) {
        AtomicInteger seen = new AtomicInteger();
        return new ProgressListener() {
            @Override
            public void started(String task, long total) {
            }

            @Override
            public void progressed(long done) {
            }

            @Override
            public void note(String message) {
                if (message.startsWith(prefix) && seen.incrementAndGet() == which) {
                    ChildSide.say("now");
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(120));
                }
            }

            @Override
            public void finished(boolean succeeded) {
            }
        };
    }

    /** One operation, as the child plans it. */
    private record Op(String kind, String source, String target, Object content, ContentType type) {
    }

    /** One transaction; with {@code stopAt}, it stops at a random note of that kind for the kill. */
    private void transaction(String id, String stopAt) throws IOException {
        boolean backup = random.nextInt(10) < 6;
        Durability durability = warmingUp ? Durability.NONE : random.nextInt(2) == 0 ? Durability.FULL
                : random.nextBoolean() ? Durability.FILE : Durability.NONE;
        List<Op> ops = plan(3 + random.nextInt(18));
        Map<String, String> after = afterState(ops, backup);
        TransactionOptions options = TransactionOptions.builder().journalDir(journals).transactionId(id)
                .showProgress(stopAt != null).backup(backup).durability(durability)
                .progressListener(stopAt == null ? null : stopAt(stopAt, 1 + random.nextInt(ops.size())))
                .build();
        try (FileTransaction tx = new FileTransaction(options)) {
            for (Op op : ops) {
                switch (op.kind()) {
                    case "write" -> tx.addWrite(dir.resolve(op.target()), op.content(), op.type());
                    case "copy" -> tx.addCopy(dir.resolve(op.source()), dir.resolve(op.target()));
                    case "move" -> tx.addMove(dir.resolve(op.source()), dir.resolve(op.target()));
                    default -> tx.addDelete(dir.resolve(op.target()));
                }
            }
            append("intent " + id + " " + encode(after));
            tx.commit();
        }
        append("ack " + id);
        state = after;
    }

    /** Up to {@code wanted} operations, one per file, as the library demands. */
    private List<Op> plan(int wanted) {
        List<String> present = new ArrayList<>();
        for (String name : NAMES) {
            if (state.containsKey(name)) {
                present.add(name);
            }
        }
        Set<String> used = new HashSet<>();
        List<Op> ops = new ArrayList<>();
        int large = 0;
        for (int attempt = 0; attempt < 400 && ops.size() < wanted; attempt++) {
            String target = NAMES.get(random.nextInt(NAMES.size()));
            String source = present.isEmpty() ? null : present.get(random.nextInt(present.size()));
            int dice = random.nextInt(100);
            // Keep about 8 files present: create more when fewer, remove more when more.
            boolean grow = present.size() < 8;
            if (dice < 45 && !used.contains(target)) {
                boolean big = !warmingUp && large == 0 && random.nextInt(100) < 10;
                large += big ? 1 : 0;
                ops.add(write(target, big));
                used.add(target);
            } else if (dice < 62 && source != null && !used.contains(target) && !target.equals(source)) {
                ops.add(new Op("copy", source, target, null, null));
                used.add(target);
            } else if (dice < 80 && source != null && !used.contains(source) && !used.contains(target)
                    && !target.equals(source)) {
                ops.add(new Op("move", source, target, null, null));
                used.add(source);
                used.add(target);
            } else if (dice >= 80 && !grow && source != null && !used.contains(source)) {
                ops.add(new Op("delete", null, source, null, null));
                used.add(source);
            }
        }
        return ops;
    }

    private Op write(String target, boolean big) {
        if (big) {
            byte[] bytes = new byte[(1 << 20) + random.nextInt(2 << 20)];
            random.nextBytes(bytes);
            return new Op("write", null, target, bytes, ContentType.BYTES);
        }
        int n = random.nextInt(1000);
        switch (random.nextInt(4)) {
            case 0:
                return new Op("write", null, target, Map.of("n", n, "name", target), ContentType.JSON);
            case 1:
                return new Op("write", null, target, Map.of("n", n, "list", List.of(1, 2, n)), ContentType.YAML);
            case 2:
                return new Op("write", null, target, "text " + n + "\n".repeat(random.nextInt(3)), ContentType.TEXT);
            default:
                byte[] bytes = new byte[random.nextInt(5000)];
                random.nextBytes(bytes);
                return new Op("write", null, target, bytes, ContentType.BYTES);
        }
    }

    /**
     * The files after the operations, from the model: every operation reads the state before
     * the transaction (a copy is staged before anything is renamed), and one operation per file
     * makes their order irrelevant.
     */
    private Map<String, String> afterState(List<Op> ops, boolean backup) {
        Map<String, String> before = state;
        Map<String, String> after = new TreeMap<>(before);
        for (Op op : ops) {
            String t = op.target();
            switch (op.kind()) {
                case "write", "copy", "move" -> {
                    if (backup && before.containsKey(t)) {
                        after.put(t + ".backup", before.get(t));
                    }
                    after.put(t, op.kind().equals("write") ? Hashing.sha256Hex(bytesOf(op)) : before.get(op.source()));
                    if (op.kind().equals("move")) {
                        after.remove(op.source());
                    }
                }
                default -> {
                    if (backup) {
                        after.put(t + ".deleted_backup", before.get(t));
                    }
                    after.remove(t);
                }
            }
        }
        return after;
    }

    /** The bytes the library writes for a write operation (JSON indented by 2, YAML, UTF-8 text). */
    private static byte[] bytesOf(Op op) {
        try {
            switch (op.type()) {
                case BYTES:
                    return (byte[]) op.content();
                case TEXT:
                    return op.content().toString().getBytes(StandardCharsets.UTF_8);
                case JSON: {
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    io.atomicfiles.format.Codecs.writeJson(op.content(), 2, out);
                    return out.toByteArray();
                }
                default: {
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    io.atomicfiles.format.Codecs.writeYaml(op.content(), out);
                    return out.toByteArray();
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String encode(Map<String, String> state) {
        if (state.isEmpty()) {
            return "-";
        }
        StringBuilder text = new StringBuilder();
        state.forEach((name, sha) -> text.append(text.length() == 0 ? "" : ";").append(name).append('=').append(sha));
        return text.toString();
    }

    static Map<String, String> decode(String text) {
        Map<String, String> state = new TreeMap<>();
        if (!text.equals("-")) {
            for (String entry : text.split(";")) {
                int eq = entry.indexOf('=');
                state.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return state;
    }

    /** One line, written with one call and forced: a kill leaves it whole or, at worst, without its newline. */
    private void append(String line) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            log.write(buffer);
        }
        if (!warmingUp) {
            log.force(false);
        }
    }

    /** For the harness: the log's complete lines. */
    static List<String> lines(Path logFile) throws IOException {
        byte[] bytes = Files.exists(logFile) ? Files.readAllBytes(logFile) : new byte[0];
        String text = new String(bytes, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
    }

    /** A line of the log: {@code intent <id> <state>} or {@code ack <id>}. */
    record Entry(String kind, String id, Map<String, String> state) {
        static Entry parse(String line) {
            String[] parts = line.split(" ", 3);
            return new Entry(parts[0], parts[1], parts.length > 2 ? decode(parts[2]) : null);
        }
    }
}
