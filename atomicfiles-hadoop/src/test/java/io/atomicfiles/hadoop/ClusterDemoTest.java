package io.atomicfiles.hadoop;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.hadoop.demo.ClusterDemo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's cluster demo runs, with small numbers, and ends consistent. */
class ClusterDemoTest {
    @Test
    void theDemoEndsConsistent() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean consistent;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            consistent = ClusterDemo.run(io.atomicfiles.hadoop.testing.Clusters.shared(), 2, 6, out);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(consistent).as(printed).isTrue();
        assertThat(printed).contains("Killed host-1", "no update lost", "CONSISTENT");
    }
}
