package io.atomicfiles.behaviour;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.atomicfiles.Durability;
import io.atomicfiles.ProgressListener;
import io.atomicfiles.RetryPolicy;
import io.atomicfiles.WriteOptions;
import io.atomicfiles.format.Codecs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** WriteOptions: documented defaults, immutable values with builders, bad input refused at once. */
class WriteOptionsTest {
    private static final String CHECKSUM = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final ProgressListener LISTENER = new ProgressListener() {
        @Override
        public void started(String task, long total) {
        }

        @Override
        public void progressed(long done) {
        }

        @Override
        public void finished(boolean succeeded) {
        }
    };

    @Test
    void defaultsAreTheDocumentedOnes() {
        WriteOptions defaults = WriteOptions.defaults();

        assertThat(defaults.backup()).isTrue();
        assertThat(defaults.showProgress()).isTrue();
        assertThat(defaults.verifyIntegrity()).isTrue();
        assertThat(defaults.schema()).isEmpty();
        assertThat(defaults.durability()).isEqualTo(Durability.FULL);
        assertThat(defaults.createNew()).isFalse();
        assertThat(defaults.expectedChecksum()).isEmpty();
        assertThat(defaults.followSymlinks()).isTrue();
        assertThat(defaults.progressListener()).isEmpty();
        assertThat(defaults.lockTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.retryPolicy()).isEqualTo(RetryPolicy.none());
        assertThat(defaults.retryPolicy().maxAttempts()).isEqualTo(1);
        assertThat(WriteOptions.builder().build()).isEqualTo(defaults).hasSameHashCodeAs(defaults);
    }

    @Test
    void everySettingSurvivesToBuilder() {
        WriteOptions all = everythingChanged();

        WriteOptions copy = all.toBuilder().build();

        assertThat(copy).isEqualTo(all).hasSameHashCodeAs(all).isNotSameAs(all);
        assertThat(copy.backup()).isFalse();
        assertThat(copy.showProgress()).isFalse();
        assertThat(copy.verifyIntegrity()).isFalse();
        assertThat(copy.schema()).contains(Codecs.toTree(Map.of("type", "object")));
        assertThat(copy.durability()).isEqualTo(Durability.NONE);
        assertThat(copy.createNew()).isTrue();
        assertThat(copy.expectedChecksum()).contains(CHECKSUM);
        assertThat(copy.followSymlinks()).isFalse();
        assertThat(copy.progressListener()).containsSame(LISTENER);
        assertThat(copy.lockTimeout()).isEqualTo(Duration.ofMillis(5));
        assertThat(copy.retryPolicy().maxAttempts()).isEqualTo(3);
    }

    @Test
    void toBuilderChangesOnlyWhatIsSetAndLeavesTheOriginalAlone() {
        WriteOptions original = WriteOptions.defaults();

        WriteOptions changed = original.toBuilder().backup(false).build();

        assertThat(original.backup()).isTrue();
        assertThat(changed.backup()).isFalse();
        assertThat(changed.toBuilder().backup(true).build()).isEqualTo(original);
    }

    @Test
    void aBuilderKeepsNoHoldOnOptionsItBuilt() {
        WriteOptions.Builder builder = WriteOptions.builder().backup(false);
        WriteOptions built = builder.build();

        builder.backup(true).durability(Durability.FILE);

        assertThat(built.backup()).isFalse();
        assertThat(built.durability()).isEqualTo(Durability.FULL);
    }

    @Test
    void optionsThatDifferInAnySettingAreNotEqual() {
        WriteOptions base = WriteOptions.defaults();
        List<UnaryOperator<WriteOptions.Builder>> changes = List.of(
                b -> b.backup(false),
                b -> b.showProgress(false),
                b -> b.verifyIntegrity(false),
                b -> b.schema("{\"type\": \"object\"}"),
                b -> b.durability(Durability.FILE),
                b -> b.createNew(true),
                b -> b.expectedChecksum(CHECKSUM),
                b -> b.followSymlinks(false),
                b -> b.progressListener(LISTENER),
                b -> b.lockTimeout(Duration.ofSeconds(1)),
                b -> b.retryPolicy(RetryPolicy.transientFailures(2)));

        for (UnaryOperator<WriteOptions.Builder> change : changes) {
            WriteOptions changed = change.apply(base.toBuilder()).build();
            assertThat(changed).isNotEqualTo(base);
            assertThat(change.apply(base.toBuilder()).build()).isEqualTo(changed).hasSameHashCodeAs(changed);
        }
        assertThat(base).isNotEqualTo(null).isNotEqualTo("WriteOptions");
    }

    @Test
    void checksumIsNormalisedToLowerCase() {
        WriteOptions upper = WriteOptions.builder().expectedChecksum(CHECKSUM.toUpperCase()).build();

        assertThat(upper.expectedChecksum()).contains(CHECKSUM);
        assertThat(upper).isEqualTo(WriteOptions.builder().expectedChecksum(CHECKSUM).build());
        assertThat(upper.toBuilder().expectedChecksum(null).build().expectedChecksum()).isEmpty();
    }

    @Test
    void everyAcceptedSchemaShapeIsAccepted() {
        for (Object schema : List.of("{}", Path.of("schema.json"))) {
            assertThat(WriteOptions.builder().schema(schema).build().schema()).containsSame(schema);
        }
        // A Map or a tree is kept as a private JsonNode copy: equal content, not the same object.
        for (Object schema : List.of(Map.of("type", "object"), Codecs.json().createObjectNode())) {
            assertThat(WriteOptions.builder().schema(schema).build().schema()).contains(Codecs.toTree(schema));
        }
        assertThat(WriteOptions.builder().schema(Map.of()).schema(null).build().schema()).isEmpty();
    }

    @Test
    void changingTheCallersSchemaMapLaterChangesNothing() {
        Map<String, Object> schema = new java.util.HashMap<>(Map.of("type", "object"));
        WriteOptions options = WriteOptions.builder().schema(schema).build();

        schema.put("type", "string");

        assertThat(options.schema()).contains(Codecs.toTree(Map.of("type", "object")));
    }

    @Test
    void invalidInputsAreRefusedByTheBuilder() {
        WriteOptions.Builder builder = WriteOptions.builder();

        assertThatThrownBy(() -> builder.durability(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("durability");
        assertThatThrownBy(() -> builder.lockTimeout(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.lockTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lockTimeout");
        assertThatThrownBy(() -> builder.retryPolicy(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> builder.expectedChecksum("abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.schema(42)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Integer");
        assertThatThrownBy(() -> builder.schema(new java.io.File("schema.json")))
                .isInstanceOf(IllegalArgumentException.class);
        // A refused setting leaves the builder as it was.
        assertThat(builder.build()).isEqualTo(WriteOptions.defaults());
    }

    private static WriteOptions everythingChanged() {
        return WriteOptions.builder()
                .backup(false)
                .showProgress(false)
                .verifyIntegrity(false)
                .schema(Map.of("type", "object"))
                .durability(Durability.NONE)
                .createNew(true)
                .expectedChecksum(CHECKSUM)
                .followSymlinks(false)
                .progressListener(LISTENER)
                .lockTimeout(Duration.ofMillis(5))
                .retryPolicy(RetryPolicy.transientFailures(3))
                .build();
    }
}
