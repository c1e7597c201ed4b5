package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UnguessableBytesTest {

    @Test
    void everyCallGetsBytesOfItsOwnAcrossRefills() {
        // 5000 x 8 bytes: the 4 KiB buffer is refilled nine times on the way.
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            byte[] bytes = new byte[8];
            UnguessableBytes.fill(bytes);
            seen.add(HexFormat.of().formatHex(bytes));
        }
        assertThat(seen).hasSize(5000);
    }

    @Test
    void tempNamesAndTransactionTagsDiffer() {
        Set<String> tags = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            tags.add(TxNames.newTag());
        }
        assertThat(tags).hasSize(1000).allSatisfy(tag -> assertThat(tag).matches("[0-9a-f]{16}"));
    }

    @Test
    void moreThanOneBufferAtOnceIsRefused() {
        assertThatThrownBy(() -> UnguessableBytes.fill(new byte[4097]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4097");
    }
}
