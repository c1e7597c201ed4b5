package io.atomicfiles.hadoop;

import io.atomicfiles.AtomicWriteException;
import java.util.Map;

/**
 * A transaction reached its commit point, but this client could not finish applying it: its
 * ZooKeeper session was suspended or lost (so its locks may belong to another host now), or the
 * journal was taken over by another client's recovery. The transaction <em>is</em> committed:
 * {@link ClusterFiles#recover()} on any host (and the next transaction that uses the same journal
 * folder) completes it. Until then some of its files may still hold their old content.
 */
public class CommitPendingException extends AtomicWriteException {
    private static final long serialVersionUID = 1L;

    public CommitPendingException(String message, Throwable cause, Map<String, ?> operationContext) {
        super(message, cause, operationContext);
    }
}
