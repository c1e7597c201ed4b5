package io.atomicfiles;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link FileTransaction#recover()} found and did: one entry per interrupted transaction.
 *
 * @param journalDir the folder whose journals were examined
 * @param transactions the transactions recovered, in the order they were handled
 * @param skipped journals left alone because their owner is still running
 */
public record RecoveryReport(Path journalDir, List<Transaction> transactions, List<String> skipped) {

    public RecoveryReport {
        transactions = List.copyOf(transactions);
        skipped = List.copyOf(skipped);
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

    /** Whether there was nothing to recover. */
    public boolean isEmpty() {
        return transactions.isEmpty();
    }

    /** Whether any transaction found a file changed by someone else. */
    public boolean hasConflicts() {
        return transactions.stream().anyMatch(t -> !t.conflicts().isEmpty());
    }

    @Override
    public String toString() {
        if (transactions.isEmpty()) {
            return "nothing to recover in " + journalDir
                    + (skipped.isEmpty() ? "" : " (" + skipped.size() + " journal(s) of running transactions skipped)");
        }
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
