package io.atomicfiles;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link FileTransaction#recover()} found and did: one entry per interrupted transaction.
 *
 * @param journalDir the folder whose journals were examined
 * @param transactions the transactions recovered, in the order they were handled
 * @param skipped journals left alone because their owner is still running
 * @param unfinished journals recovery could not finish (or refused to run): each is left as it
 *     is, with its files, and the other journals were recovered all the same
 */
public record RecoveryReport(Path journalDir, List<Transaction> transactions, List<String> skipped,
        List<Unfinished> unfinished) {

    public RecoveryReport {
        transactions = List.copyOf(transactions);
        skipped = List.copyOf(skipped);
        unfinished = List.copyOf(unfinished);
    }

    /** A report in which every journal found was either recovered or skipped. */
    public RecoveryReport(Path journalDir, List<Transaction> transactions, List<String> skipped) {
        this(journalDir, transactions, skipped, List.of());
    }

    /**
     * A journal left unfinished: recovery failed on it or refused it (a journal of another user,
     * a plan naming files that are not the transaction's own, a file the journal says exists is
     * gone). Nothing more is done to it until someone looks; a transaction that touches one of
     * {@code paths} is refused meanwhile.
     *
     * @param journal the journal file
     * @param reason why it was left
     * @param paths the user-visible files its plan names, as far as it could be read (may be empty)
     */
    public record Unfinished(Path journal, String reason, List<Path> paths) {
        public Unfinished {
            paths = List.copyOf(paths);
        }
    }

    /** What became of an interrupted transaction. */
    public enum Outcome {
        /** It had not reached its commit point: every file is as it was before it. */
        ROLLED_BACK,
        /** It had reached its commit point: its remaining steps were completed. */
        ROLLED_FORWARD,
        /** It had finished; only its leftovers (undo links, the journal) were removed. */
        CLEANED_UP,
        /** Its journal was unreadable before any file was staged; only the journal was removed. */
        DISCARDED
    }

    /**
     * One recovered transaction.
     *
     * @param id the transaction id
     * @param outcome what was done
     * @param actions each change made, such as "renamed .app.json.tx-…stage to /x/app.json"
     * @param conflicts files changed by someone else since the journal was written: reported, not overwritten
     */
    public record Transaction(String id, Outcome outcome, List<String> actions, List<String> conflicts) {
        public Transaction {
            actions = List.copyOf(actions);
            conflicts = List.copyOf(conflicts);
        }
    }

    /** Whether there was nothing to recover (and nothing left unfinished). */
    public boolean isEmpty() {
        return transactions.isEmpty() && unfinished.isEmpty();
    }

    /** Whether some journal could not be finished: see {@link #unfinished()}. */
    public boolean hasUnfinished() {
        return !unfinished.isEmpty();
    }

    /** Whether any transaction found a file changed by someone else. */
    public boolean hasConflicts() {
        return transactions.stream().anyMatch(t -> !t.conflicts().isEmpty());
    }

    @Override
    public String toString() {
        if (!unfinished.isEmpty()) {
            StringBuilder text = new StringBuilder(transactions.isEmpty() ? "nothing recovered in " + journalDir
                    : recovered());
            text.append("\n").append(unfinished.size()).append(" journal(s) left unfinished:");
            unfinished.forEach(u -> text.append("\n  ").append(u.journal()).append(": ").append(u.reason()));
            return text.toString();
        }
        if (transactions.isEmpty()) {
            return "nothing to recover in " + journalDir
                    + (skipped.isEmpty() ? "" : " (" + skipped.size() + " journal(s) of running transactions skipped)");
        }
        return recovered();
    }

    private String recovered() {
        StringBuilder text = new StringBuilder("recovered ").append(transactions.size())
                .append(" transaction(s) in ").append(journalDir);
        for (Transaction t : transactions) {
            text.append("\n  ").append(t.id()).append(": ").append(t.outcome());
            t.actions().forEach(a -> text.append("\n    ").append(a));
            t.conflicts().forEach(c -> text.append("\n    CONFLICT: ").append(c));
        }
        return text.toString();
    }
}
