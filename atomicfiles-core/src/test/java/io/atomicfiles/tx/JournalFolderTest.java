package io.atomicfiles.tx;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.ContentType;
import io.atomicfiles.FileTransaction;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.RecoveryReport;
import io.atomicfiles.TransactionOptions;
import io.atomicfiles.internal.StateDir;
import io.atomicfiles.testing.ChildJvm;
import io.atomicfiles.testing.FaultyFileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a transaction keeps its journal: the {@code journalDir} option, else the state folder,
 * chosen by the system property {@code atomicfiles.stateDir}, the environment variable
 * {@code ATOMICFILES_STATE_DIR}, {@code $XDG_STATE_HOME/atomicfiles} or
 * {@code ~/.local/state/atomicfiles}, in that order. The journal is there while the
 * transaction applies (seen from its progress listener) and gone once it ends. A new transaction
 * first recovers the crashed journal of its folder, and says so to its listener.
 */
class JournalFolderTest {
    @TempDir
    Path root;

    /** Notes whether {@code <folder>/<id>.journal} exists whenever an operation is applied. */
    private static final class JournalObserver implements ProgressListener {
        final List<String> notes = Collections.synchronizedList(new ArrayList<>());
        private final Path folder;
        String id;
        boolean seen;
        boolean missed;

        JournalObserver(Path folder) {
            this.folder = folder;
        }

        @Override
        public void started(String task, long total) {
        }

        @Override
        public void progressed(long done) {
        }

        @Override
        public void note(String message) {
            notes.add(message);
            if (message.startsWith("apply ")) {
                if (Files.exists(folder.resolve(id + ".journal"))) {
                    seen = true;
                } else {
                    missed = true;
                }
            }
        }

        @Override
        public void finished(boolean succeeded) {
        }
    }

    private void commitObserved(TransactionOptions.Builder options, Path expectedFolder) throws IOException {
        JournalObserver observer = new JournalObserver(expectedFolder);
        Path files = Files.createDirectories(root.resolve("files"));
        try (FileTransaction tx = new FileTransaction(options.progressListener(observer).build())) {
            observer.id = tx.id();
            tx.addWrite(files.resolve("a.txt"), "a", ContentType.TEXT);
            tx.addWrite(files.resolve("b.txt"), "b", ContentType.TEXT);
            tx.commit();
        }
        assertThat(observer.seen).as("journal in " + expectedFolder + " during the transaction").isTrue();
        assertThat(observer.missed).isFalse();
        assertThat(TxFiles.journals(expectedFolder)).as("journals after the transaction").isEmpty();
        assertThat(Files.readString(files.resolve("a.txt"))).isEqualTo("a");
    }

    @Test
    void theOptionNamesTheJournalFolder() throws IOException {
        Path journals = root.resolve("option-journals");
        commitObserved(TransactionOptions.builder().journalDir(journals), journals);
        assertThat(journals).isDirectory();
    }

    @Test
    void aJournalFolderThatIsAFileFailsTheCommitAndChangesNothing() throws IOException {
        Path files = Files.createDirectories(root.resolve("files"));
        Files.writeString(files.resolve("a.txt"), "a");
        Path notAFolder = Files.writeString(root.resolve("journals-file"), "not a folder");
        try (FileTransaction tx = new FileTransaction(TransactionOptions.builder().journalDir(notAFolder)
                .showProgress(false).build())) {
            tx.addWrite(files.resolve("a.txt"), "new", ContentType.TEXT);
            org.assertj.core.api.Assertions.assertThatThrownBy(tx::commit)
                    .isInstanceOf(io.atomicfiles.AtomicWriteException.class).hasMessageContaining("journals-file");
        }
        assertThat(TxFiles.state(files)).isEqualTo(Map.of("a.txt", "a"));
        assertThat(Files.readString(notAFolder)).isEqualTo("not a folder");
    }

    @Test
    void theSystemPropertyNamesTheStateFolder() throws IOException {
        String original = System.getProperty(StateDir.PROPERTY);
        Path state = root.resolve("property-state");
        System.setProperty(StateDir.PROPERTY, state.toString());
        try {
            commitObserved(TransactionOptions.builder(), state);
        } finally {
            if (original == null) {
                System.clearProperty(StateDir.PROPERTY);
            } else {
                System.setProperty(StateDir.PROPERTY, original);
            }
        }
    }

    /**
     * Runs {@link JournalFolderChild} with {@code jvmOptions} and the environment changed by
     * {@code environment} (a null value removes a variable); {@code user.home} always points into
     * the temp folder, which must stay untouched unless it is {@code expected}'s.
     */
    private void childFindsJournalIn(Path expected, List<String> jvmOptions, Map<String, String> environment)
            throws Exception {
        Path home = Files.createDirectories(root.resolve("home"));
        Path files = Files.createDirectories(root.resolve("child-files"));
        ChildJvm.Builder builder = ChildJvm.builder(JournalFolderChild.class).quickStart().withoutStateDirProperty()
                .jvmArgs(jvmOptions.toArray(String[]::new)).jvmArgs("-Duser.home=" + home)
                .args(files.toString(), expected.toString())
                .env(StateDir.ENVIRONMENT, null).env("XDG_STATE_HOME", null);
        environment.forEach(builder::env);
        List<String> output;
        try (ChildJvm child = builder.start()) {
            output = child.readRemainingLines();
            assertThat(child.process().waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(child.process().exitValue()).as("child output: " + output + "; its errors: " + child.stderr()).isZero();
        }
        assertThat(output).as("where the child saw its journal").contains("during=true", "after=false");
        assertThat(TxFiles.journals(expected)).isEmpty();
        assertThat(Files.readString(files.resolve("y.txt"))).isEqualTo("y");
        if (!expected.startsWith(home)) {
            try (Stream<Path> inHome = Files.list(home)) {
                assertThat(inHome.toList()).as("the home folder").isEmpty();
            }
        }
    }

    @Test
    void theEnvironmentVariableNamesTheStateFolder() throws Exception {
        Path state = root.resolve("env-state");
        childFindsJournalIn(state, List.of(), Map.of(StateDir.ENVIRONMENT, state.toString(),
                "XDG_STATE_HOME", root.resolve("xdg-unused").toString()));
    }

    @Test
    void thePropertyWinsOverTheEnvironmentVariable() throws Exception {
        Path state = root.resolve("property-state");
        childFindsJournalIn(state, List.of("-D" + StateDir.PROPERTY + "=" + state),
                Map.of(StateDir.ENVIRONMENT, root.resolve("env-unused").toString()));
    }

    @Test
    void withoutEitherTheXdgStateHomeAndThenTheHomeFolderHoldIt() throws Exception {
        Path xdg = root.resolve("xdg");
        childFindsJournalIn(xdg.resolve("atomicfiles"), List.of(), Map.of("XDG_STATE_HOME", xdg.toString()));
        childFindsJournalIn(root.resolve("home/.local/state/atomicfiles"), List.of(), Map.of());
    }

    @Test
    void aNewTransactionFirstRecoversTheCrashedJournalOfItsFolder() throws IOException {
        Path files = root.resolve("files");
        Path journals = root.resolve("journals");
        FaultyFileSystem faulty = FaultyFileSystem.overDefault();
        TxFiles.empty(files);
        TxFiles.empty(journals);
        TxFiles.write(files, Map.of("early.txt", "early before", "late.txt", "late before"));

        // A transaction crashes while staging (before its commit point): the next one rolls it back.
        String early = crashed(faulty, files.resolve("early.txt"), journals, "early", "stage ");
        assertThat(TxFiles.journals(journals)).containsExactly(early + ".journal");
        List<String> notes = commitAnother(files.resolve("other1.txt"), journals);
        assertThat(notes).anySatisfy(n -> assertThat(n).contains(early, "ROLLED_BACK"));
        assertThat(TxFiles.journals(journals)).isEmpty();
        assertThat(Files.readString(files.resolve("early.txt"))).isEqualTo("early before");
        assertThat(files.resolve("early-new.txt")).doesNotExist();

        // A transaction crashes while applying (after its commit point): the next one completes it.
        String late = crashed(faulty, files.resolve("late.txt"), journals, "late", "apply ");
        assertThat(TxFiles.journals(journals)).containsExactly(late + ".journal");
        notes = commitAnother(files.resolve("other2.txt"), journals);
        assertThat(notes).anySatisfy(n -> assertThat(n).contains(late, "ROLLED_FORWARD"));
        assertThat(TxFiles.journals(journals)).isEmpty();
        assertThat(Files.readString(files.resolve("late.txt"))).isEqualTo("late after");
        assertThat(Files.readString(files.resolve("late-new.txt"))).isEqualTo("new");

        assertThat(TxFiles.hiddenLeftovers(files)).isEmpty();
        assertThat(Files.readString(files.resolve("other1.txt"))).isEqualTo("other");
        assertThat(Files.readString(files.resolve("other2.txt"))).isEqualTo("other");
        RecoveryReport nothingLeft = FileTransaction.recover(journals);
        assertThat(nothingLeft.isEmpty()).isTrue();
    }

    /**
     * A recovery in this JVM that reaches a running transaction's journal through another
     * spelling of its folder (here a symbolic link) must leave it alone, and must not, by opening
     * and closing the journal, drop the OS lock that tells other processes its owner is alive:
     * a recovery in another process then skips it too.
     */
    @Test
    void aRunningTransactionStaysLockedWhateverSpellingOfItsFolderRecoveryUses() throws Exception {
        Path files = Files.createDirectories(root.resolve("files"));
        Path journals = Files.createDirectories(root.resolve("journals"));
        Path link = Files.createSymbolicLink(root.resolve("journals-link"), journals);
        java.util.concurrent.CountDownLatch applying = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch resume = new java.util.concurrent.CountDownLatch(1);
        ProgressListener pause = new ProgressListener() {
            @Override
            public void started(String task, long total) {
            }

            @Override
            public void progressed(long done) {
            }

            @Override
            public void note(String message) {
                if (message.startsWith("apply 2 ")) {
                    applying.countDown();
                    try {
                        // Bounded: were the transaction exposed, the other process's recovery
                        // would wait for its files' locks until this pause ends.
                        resume.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void finished(boolean succeeded) {
            }
        };
        java.util.concurrent.CompletableFuture<Void> running = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try (FileTransaction tx = new FileTransaction(TransactionOptions.builder().journalDir(link)
                    .progressListener(pause).build())) {
                tx.addWrite(files.resolve("one.txt"), "one", ContentType.TEXT);
                tx.addWrite(files.resolve("two.txt"), "two", ContentType.TEXT);
                tx.commit();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            assertThat(applying.await(60, TimeUnit.SECONDS)).isTrue();
            RecoveryReport here = FileTransaction.recover(journals);
            assertThat(here.transactions()).as("recovered in this JVM: a running transaction").isEmpty();

            List<String> output;
            try (ChildJvm child = ChildJvm.builder(JournalFolderChild.class).quickStart()
                    .args("recover", journals.toString()).start()) {
                output = child.readRemainingLines();
                assertThat(child.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(output).as("another process's recovery").contains("recovered=0", "skipped=1");
        } finally {
            resume.countDown();
            running.get(60, TimeUnit.SECONDS);
        }
        assertThat(Files.readString(files.resolve("one.txt"))).isEqualTo("one");
        assertThat(Files.readString(files.resolve("two.txt"))).isEqualTo("two");
        assertThat(TxFiles.journals(journals)).isEmpty();
    }

    /** Commits a write of "other" to {@code file}; returns the notes its listener heard. */
    private static List<String> commitAnother(Path file, Path journals) throws IOException {
        JournalObserver observer = new JournalObserver(journals);
        try (FileTransaction tx = new FileTransaction(TransactionOptions.builder().journalDir(journals)
                .progressListener(observer).build())) {
            observer.id = tx.id();
            tx.addWrite(file, "other", ContentType.TEXT);
            tx.commit();
        }
        return observer.notes;
    }

    /**
     * A transaction writing "{@code name} after" to {@code file} that "dies" (a simulated crash,
     * which unwinds like a killed process) at its first progress note starting with {@code step}.
     */
    private static String crashed(FaultyFileSystem faulty, Path file, Path journals, String name, String step)
            throws IOException {
        ProgressListener dieThere = new ProgressListener() {
            @Override
            public void started(String task, long total) {
            }

            @Override
            public void progressed(long done) {
            }

            @Override
            public void note(String message) {
                if (message.startsWith(step)) {
                    faulty.crashAt(1);
                }
            }

            @Override
            public void finished(boolean succeeded) {
            }
        };
        TransactionOptions options = TransactionOptions.builder().journalDir(faulty.path(journals))
                .transactionId(name + "-tx").progressListener(dieThere).build();
        try (FileTransaction tx = new FileTransaction(options)) {
            tx.addWrite(faulty.path(file), name + " after", ContentType.TEXT);
            tx.addWrite(faulty.path(file.resolveSibling(name + "-new.txt")), "new", ContentType.TEXT);
            tx.commit();
            throw new AssertionError("the transaction did not crash");
        } catch (FaultyFileSystem.SimulatedCrash expected) {
            return name + "-tx";
        } finally {
            faulty.crashAt(0);
        }
    }
}
