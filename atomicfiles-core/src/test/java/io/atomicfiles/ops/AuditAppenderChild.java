package io.atomicfiles.ops;

import java.nio.file.Path;

/** Child JVM of {@link AuditConcurrencyTest}: {@code goFile auditFile threads records}. */
public final class AuditAppenderChild {
    private AuditAppenderChild() {
    }

    public static void main(String[] args) throws Exception {
        Path goFile = Path.of(args[0]);
        Path audit = Path.of(args[1]);
        int threads = Integer.parseInt(args[2]);
        int records = Integer.parseInt(args[3]);
        ChildJvm.readyAndWait(goFile);
        AuditConcurrencyTest.append(audit, "child", threads, records);
    }
}
