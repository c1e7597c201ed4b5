package io.atomicfiles.ops;

import io.atomicfiles.testing.ChildSide;
import java.nio.file.Path;

/** Child JVM of {@link AuditConcurrencyTest}: {@code auditFile threads records}, after the test's go. */
public final class AuditAppenderChild {
    private AuditAppenderChild() {
    }

    public static void main(String[] args) throws Exception {
        Path audit = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        int records = Integer.parseInt(args[2]);
        ChildSide.ready();
        ChildSide.awaitGo();
        AuditConcurrencyTest.append(audit, "child", threads, records);
    }
}
