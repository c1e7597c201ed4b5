package io.atomicfiles;

import java.util.Objects;
import java.util.Optional;

/**
 * How {@link AtomicFileOperations#atomicConfigMerge(java.util.List, java.nio.file.Path, MergeOptions)}
 * merges. Immutable.
 *
 * <pre>{@code
 * MergeOptions options = MergeOptions.builder().strategy(MergeStrategy.DEEP).arrays(ArrayMerge.UNION).build();
 * }</pre>
 */
public final class MergeOptions {
    private static final MergeOptions DEFAULTS = new Builder().build();

    private final MergeStrategy strategy;
    private final ArrayMerge arrays;
    private final Object schema;

    private MergeOptions(Builder b) {
        this.strategy = b.strategy;
        this.arrays = b.arrays;
        this.schema = b.schema;
    }

    /** DEEP, arrays replaced, no schema. */
    public static MergeOptions defaults() {
        return DEFAULTS;
    }

    /** The defaults with another strategy. */
    public static MergeOptions of(MergeStrategy strategy) {
        return builder().strategy(strategy).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().strategy(strategy).arrays(arrays).schema(schema);
    }

    public MergeStrategy strategy() {
        return strategy;
    }

    /** What happens where two arrays meet (DEEP and SHALLOW only). */
    public ArrayMerge arrays() {
        return arrays;
    }

    /** A JSON Schema the merged document must satisfy before it is written. */
    public Optional<Object> schema() {
        return Optional.ofNullable(schema);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MergeOptions && strategy == ((MergeOptions) o).strategy
                && arrays == ((MergeOptions) o).arrays && Objects.equals(schema, ((MergeOptions) o).schema);
    }

    @Override
    public int hashCode() {
        return Objects.hash(strategy, arrays, schema);
    }

    @Override
    public String toString() {
        return "MergeOptions{strategy=" + strategy + ", arrays=" + arrays + (schema == null ? "" : ", schema") + "}";
    }

    /** Builds {@link MergeOptions}. */
    public static final class Builder {
        private MergeStrategy strategy = MergeStrategy.DEEP;
        private ArrayMerge arrays = ArrayMerge.REPLACE;
        private Object schema;

        private Builder() {
        }

        public Builder strategy(MergeStrategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        public Builder arrays(ArrayMerge arrays) {
            this.arrays = Objects.requireNonNull(arrays, "arrays");
            return this;
        }

        /** A schema as a {@code Map}, {@code JsonNode}, JSON string or {@code Path}; null for none. */
        public Builder schema(Object schema) {
            this.schema = schema;
            return this;
        }

        public MergeOptions build() {
            return new MergeOptions(this);
        }
    }
}
