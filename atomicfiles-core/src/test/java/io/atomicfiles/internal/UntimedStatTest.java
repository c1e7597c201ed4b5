package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The temp file's stat that does not ask for the file's times ({@link UntimedStat}): it reads
 * what Java's stat reads, does not follow a link, answers nothing where it could name another
 * file, and leaves the file's times unmarked, which is what it is for.
 */
class UntimedStatTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void loaded() {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "statx(2) is Linux's");
        assertThat(UntimedStat.loadNow()).as("statx(2) through JNA loads on Linux").isTrue();
    }

    @Test
    void readsTheModeOwnerAndGroupJavaReadsForEachKindOfFile() throws Exception {
        Path file = Files.writeString(dir.resolve("app.conf"), "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        Path folder = Files.createDirectory(dir.resolve("folder"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();

        if ("root".equals(System.getProperty("user.name"))) {
            // An owner and a group that differ, both past 2^31 (negative as Java's ints): a field
            // read at the other's offset, or as unsigned, would show.
            Files.setAttribute(file, "unix:uid", (int) 3_000_000_000L, FileModes.NOFOLLOW);
            Files.setAttribute(file, "unix:gid", (int) 3_000_000_001L, FileModes.NOFOLLOW);
        }
        for (Path path : new Path[] {file, folder, link, fifo, Paths.get("/dev/null")}) {
            Map<String, Object> java = Files.readAttributes(path, "unix:mode,uid,gid", FileModes.NOFOLLOW);
            assertThat(UntimedStat.of(path)).as(path.toString())
                    .isEqualTo(new UntimedStat.Result((Integer) java.get("mode"), (Integer) java.get("uid"),
                            (Integer) java.get("gid")));
        }
    }

    @Test
    void aLinkSwappedInForATempFileIsSeenAsALinkNotAsTheFileItNames() throws IOException {
        Path victim = Files.writeString(dir.resolve("victim"), "secret");
        Path temp = Files.createSymbolicLink(dir.resolve(".app.conf.tmp"), victim);

        FileModes.Kept seen = FileModes.read(temp);

        assertThat(seen.regularFile()).isFalse();
        assertThat(FileModes.mode(seen.permissions())).as("a link's own mode").isEqualTo(0777);
    }

    @Test
    void answersNothingWhereItCouldNameAnotherFileOrNone() throws Exception {
        assertThat(UntimedStat.of(dir.resolve("missing"))).isNull();
        assertThat(UntimedStat.of(Files.writeString(dir.resolve("here"), "x").getFileName()))
                .as("a relative path, which the JDK resolves against user.dir").isNull();
        // A name whose bytes are not valid in the platform's encoding: its text names other bytes
        // (the decoy), whose attributes must not be taken for it.
        Path raw = RawNames.make(dir, "raw-\\377");
        RawNames.decoyFor(raw);
        assertThat(UntimedStat.of(raw)).isNull();
        assertThat(FileModes.read(raw).regularFile()).as("Java's stat answers for it instead").isTrue();
        try (FileSystem memory = Jimfs.newFileSystem(Configuration.unix())) {
            assertThat(UntimedStat.of(Files.writeString(memory.getPath("/file"), "x"))).isNull();
        }
    }

    /**
     * Multigrain timestamps (Linux 6.13 and later, on ext4, XFS, Btrfs, tmpfs): a change within
     * the clock tick after a stat that asked for the times takes a fine-grained timestamp; without
     * one, a {@code chmod} in the same tick as the file's creation leaves its change time equal to
     * its modification time. Java's stat shows the first; this stat must show the second, at least
     * once in 50 tries (a try fails only when a tick passes between the creation and the chmod).
     */
    @Test
    void doesNotMarkTheFilesTimesAsSeen() throws IOException {
        int sameTimesAfterJavasStat = chmodsInTheSameTick(path -> Files.readAttributes(path, "unix:mode",
                FileModes.NOFOLLOW));
        assumeTrue(sameTimesAfterJavasStat == 0, "this kernel or filesystem has no multigrain timestamps: a chmod"
                + " after Java's stat kept the change time " + sameTimesAfterJavasStat + " times of 50");

        assertThat(chmodsInTheSameTick(UntimedStat::of)).as("chmods that took no new change time after this stat")
                .isPositive();
    }

    /**
     * The writes themselves stat their temp file this way: a temp file created and published
     * within one clock tick keeps change time = modification time through its rename, which a
     * stat that asked for the times would have prevented (the rename would stamp a finer ctime).
     * For a new file (the stat that refuses a swapped-in link) and a rewrite (the stat that
     * reads the owner and group the temp file got).
     */
    @Test
    void aWriteStatsItsTempFileWithoutMarkingItsTimes() throws IOException {
        assumeTrue(chmodsInTheSameTick(path -> Files.readAttributes(path, "unix:mode", FileModes.NOFOLLOW)) == 0,
                "this kernel or filesystem has no multigrain timestamps");
        io.atomicfiles.WriteOptions lean = io.atomicfiles.WriteOptions.builder().backup(false)
                .verifyIntegrity(false).durability(io.atomicfiles.Durability.NONE).build();
        int newFiles = 0;
        int rewrites = 0;
        for (int i = 0; i < 50; i++) {
            Path target = dir.resolve("written-" + i);
            io.atomicfiles.AtomicFiles.writeBytes(target, new byte[] {1}, lean);
            newFiles += sameTimes(target) ? 1 : 0;
            io.atomicfiles.AtomicFiles.writeBytes(target, new byte[] {2}, lean);
            rewrites += sameTimes(target) ? 1 : 0;
        }
        assertThat(newFiles).as("new files published with ctime = mtime").isPositive();
        assertThat(rewrites).as("rewrites published with ctime = mtime").isPositive();
    }

    private static boolean sameTimes(Path file) throws IOException {
        Map<String, Object> times = Files.readAttributes(file, "unix:ctime,lastModifiedTime", FileModes.NOFOLLOW);
        return times.get("ctime").equals(times.get("lastModifiedTime"));
    }

    private interface StatOf {
        Object stat(Path path) throws IOException;
    }

    /** Of 50 files, each created, stat'ed and chmod'ed at once: how many kept change time = modification time. */
    private int chmodsInTheSameTick(StatOf stat) throws IOException {
        int same = 0;
        for (int i = 0; i < 50; i++) {
            Path file = dir.resolve("tick-" + i);
            Files.write(file, new byte[] {1});
            assertThat(stat.stat(file)).isNotNull();
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
            same += sameTimes(file) ? 1 : 0;
            Files.delete(file);
        }
        return same;
    }
}
