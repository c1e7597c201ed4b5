package io.atomicfiles.cli.demo;

import java.util.List;

/** The scenes of {@code atomicfiles demo}, in the order they are played. */
public final class Scenes {
    private Scenes() {
    }

    /** Every scene; each capability the library gains adds its scenes here. */
    public static List<Scene> all() {
        return List.of(
                new TextWriteScene(),
                new JsonWriteScene(),
                new YamlWriteScene(),
                new BackupScene(),
                new SchemaRejectedScene(),
                new FailingBodyScene(),
                new CreateNewScene(),
                new ExpectedChecksumScene(),
                new CopyMoveScene(),
                new SymlinkScene(),
                new LargeStreamScene(),
                new ConcurrentReadersScene(),
                new SweepScene(),
                new TransactionScene(),
                new FailedTransactionScene(),
                new CrashRecoveryScene(CrashingTransaction.Moment.AFTER_COMMIT_POINT),
                new CrashRecoveryScene(CrashingTransaction.Moment.BEFORE_COMMIT_POINT),
                new JsonUpdateScene(),
                new ConfigMergeScene(),
                new RotationScene(),
                new BackupCleanupScene(),
                new AuditTrailScene());
    }
}
