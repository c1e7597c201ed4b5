package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Temp names: within the length limit whatever the target's name, and telling live writers from gone ones. */
class TempNamesTest {
    private static final String MACHINE = TempWriters.THIS.substring(TempWriters.THIS.lastIndexOf('-') + 1);

    @Test
    void namesFitIn255BytesAndKeepTheRandomPartAndTheWriter() {
        for (String target : new String[] {"a", "x".repeat(255), "日".repeat(85), "é".repeat(127) + "x",
            "😀".repeat(63) + "ab"}) {
            String name = TempFiles.name(target, "abcdefghijkl");
            assertThat(name.getBytes(StandardCharsets.UTF_8).length).as(target).isLessThanOrEqualTo(255);
            assertThat(name).endsWith(".tmp-abcdefghijkl-" + TempWriters.THIS).startsWith(".");
            assertThat(TempFiles.isTempName(name)).isTrue();
            // Cut at a character boundary: the name part decodes to a prefix of the target.
            String part = name.substring(1, name.indexOf(".tmp-abcdefghijkl"));
            assertThat(target).startsWith(part);
        }
    }

    @Test
    void thisProcessIsAliveAndAnExitedOneIsGone() throws Exception {
        String[] self = TempWriters.THIS.split("-");
        assertThat(TempWriters.state(self[0], self[1], self[2])).isEqualTo(TempWriters.State.ALIVE);

        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        assertThat(TempWriters.state(Long.toString(exited.pid(), 36), "1", MACHINE))
                .isEqualTo(TempWriters.State.GONE);
    }

    @Test
    void aRunningProcessThatStartedAtAnotherTimeIsNotTheWriter() {
        String[] self = TempWriters.THIS.split("-");
        String otherStart = Long.toString(Long.parseLong(self[1], 36) + 1, 36);
        assertThat(TempWriters.state(self[0], otherStart, self[2])).as("the pid was reused")
                .isEqualTo(TempWriters.State.GONE);
    }

    @Test
    void aWriterOfAnotherMachineOrAnOldStyleNameIsUnknown() {
        String[] self = TempWriters.THIS.split("-");
        String otherMachine = self[2].equals("zzzzzz") ? "yyyyyy" : "zzzzzz";
        assertThat(TempWriters.state(self[0], "1", otherMachine)).isEqualTo(TempWriters.State.UNKNOWN);
        assertThat(TempFiles.writerOf(".app.json.tmp-abcdefghijkl")).isEqualTo(TempWriters.State.UNKNOWN);
        assertThat(TempFiles.isTempName(".app.json.tmp-abcdefghijkl")).isTrue();
        assertThat(TempFiles.isTempName(".app.json.tx-1234-0.stage")).as("a transaction's staged file").isFalse();
    }
}
