package io.atomicfiles.hadoop.journal;

import io.atomicfiles.hadoop.internal.ClusterFs;
import io.atomicfiles.hadoop.internal.Names;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;

/**
 * Removes what killed writers left in one folder on the cluster: single writes' temp files
 * ({@code .NAME.tmp-<random>}, {@code .NAME.backup.tmp-<random>}) and transactions' hidden files
 * ({@code .NAME.tx-<tag>-<op>.<role>}) that no journal accounts for. Each rule names what it
 * protects:
 *
 * <ol>
 *   <li>Only names the library makes (a random part of the right shape): a user's file whose name
 *       merely starts with a dot is never touched.</li>
 *   <li>Only files older than {@code olderThan} (their modification time, the NameNode's clock):
 *       a write or transaction still working on its file is left alone. A temp name carries no
 *       process identity on a cluster (the writer may be any host), so age is the test.</li>
 *   <li>On HDFS, only closed files: a file still open for writing belongs to a writer whose lease
 *       the NameNode still sees (a long streaming write keeps its creation time as modification
 *       time). A dead writer's file is closed by the NameNode once its lease expires.</li>
 *   <li>A transaction's hidden file only when no journal of the journal folder names its tag: a
 *       journal is recovery's list of what to finish or remove, and its files are recovery's.</li>
 * </ol>
 *
 * <p>A writer paused for longer than {@code olderThan} between closing its temp file and renaming
 * it finds the temp file gone: its publish fails, and the target keeps its old content.
 */
public final class Sweep {
    private Sweep() {
    }

    /**
     * Sweeps {@code folder} (not its sub-folders).
     *
     * @return the number of files removed
     */
    public static int run(ClusterFs cfs, Path folder, Duration olderThan, Path journalDir) throws IOException {
        FileStatus[] entries;
        try {
            entries = cfs.fs().listStatus(folder);
        } catch (FileNotFoundException e) {
            return 0;
        }
        Set<String> liveTags = null;
        long now = System.currentTimeMillis();
        int removed = 0;
        for (FileStatus entry : entries) {
            String name = entry.getPath().getName();
            String tag = Names.transactionTag(name);
            boolean temp = Names.isTemp(name);
            if (!entry.isFile() || (!temp && tag == null)) {
                continue; // rule 1
            }
            if (now - entry.getModificationTime() < olderThan.toMillis()) {
                continue; // rule 2
            }
            if (cfs.hasLeases() && !cfs.leases().isFileClosed(entry.getPath())) {
                continue; // rule 3
            }
            if (tag != null) {
                if (liveTags == null) {
                    liveTags = journalTags(cfs, journalDir);
                }
                if (liveTags.contains(tag)) {
                    continue; // rule 4
                }
            }
            if (cfs.deleteFile(entry.getPath())) {
                removed++;
            }
        }
        return removed;
    }

    /** The tags of every journal in {@code journalDir}, read now. */
    private static Set<String> journalTags(ClusterFs cfs, Path journalDir) throws IOException {
        Set<String> tags = new HashSet<>();
        FileStatus[] journals;
        try {
            journals = cfs.fs().listStatus(journalDir);
        } catch (FileNotFoundException e) {
            return tags;
        }
        for (FileStatus journal : journals) {
            if (!journal.isFile() || !journal.getPath().getName().endsWith(JournalRecords.SUFFIX)) {
                continue;
            }
            try (InputStream in = cfs.fs().open(journal.getPath())) {
                String tag = JournalRecords.read(in.readAllBytes()).tag();
                if (tag != null) {
                    tags.add(tag);
                }
            } catch (FileNotFoundException e) {
                // Finished and deleted meanwhile: its files are gone or going.
            }
        }
        return tags;
    }
}
