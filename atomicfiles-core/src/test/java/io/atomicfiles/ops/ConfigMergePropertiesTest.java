package io.atomicfiles.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.atomicfiles.ArrayMerge;
import io.atomicfiles.MergeStrategy;
import io.atomicfiles.format.Codecs;
import io.atomicfiles.format.ConfigMerge;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Algebraic laws of the merge engine.
 *
 * <p>The documents draw their keys from a small set, so merged documents share keys often and
 * nest up to three levels. A key's kind is fixed by its name ({@code o*} objects, {@code a*}
 * arrays, {@code s*} scalars, null included): DEEP merge is associative only where documents
 * agree on the shape of each key. Where one document puts a scalar where another has an
 * object, the later wins and the earlier object's other keys are gone, so
 * {@code (a+b)+c} and {@code a+(b+c)} differ; such conflicts are warned about, and tested in
 * {@link ConfigMergeTest}.
 */
class ConfigMergePropertiesTest {
    private static final Object ABSENT = new Object();
    private static final List<String> KEYS = List.of("o1", "o2", "a1", "a2", "s1", "s2", "s3");
    private static final ObjectNode EMPTY = Codecs.json().createObjectNode();

    @Provide
    Arbitrary<ObjectNode> documents() {
        return object(3).map(m -> (ObjectNode) Codecs.toTree(m));
    }

    @Property(tries = 500)
    void mergingAnEmptyDocumentOverAnyDocumentChangesNothing(@ForAll("documents") ObjectNode doc,
            @ForAll MergeStrategy strategy, @ForAll ArrayMerge arrays) {
        List<String> warnings = new ArrayList<>();
        assertThat(ConfigMerge.merge(doc, EMPTY, strategy, arrays, "empty", warnings)).isEqualTo(doc);
        assertThat(warnings).isEmpty();
    }

    @Property(tries = 500)
    void mergingAnyDocumentOverAnEmptyOneGivesThatDocument(@ForAll("documents") ObjectNode doc,
            @ForAll MergeStrategy strategy, @ForAll ArrayMerge arrays) {
        List<String> warnings = new ArrayList<>();
        JsonNode merged = ConfigMerge.merge(EMPTY, doc, strategy, arrays, "doc", warnings);
        // A merge patch removes the keys it sets to null: over an empty base they are simply absent.
        assertThat(merged).isEqualTo(strategy == MergeStrategy.MERGE_PATCH ? withoutNullMembers(doc) : doc);
        assertThat(warnings).isEmpty();
    }

    @Property(tries = 500)
    void deepMergeIsAssociative(@ForAll("documents") ObjectNode a, @ForAll("documents") ObjectNode b,
            @ForAll("documents") ObjectNode c, @ForAll ArrayMerge arrays) {
        List<String> warnings = new ArrayList<>();
        ObjectNode left = deep(deep(a, b, arrays, warnings), c, arrays, warnings);
        ObjectNode right = deep(a, deep(b, c, arrays, warnings), arrays, warnings);
        assertThat(left).isEqualTo(right);
        assertThat(warnings).isEmpty();
    }

    @Property(tries = 500)
    void mergingNeverChangesItsInputs(@ForAll("documents") ObjectNode a, @ForAll("documents") ObjectNode b,
            @ForAll MergeStrategy strategy, @ForAll ArrayMerge arrays) {
        ObjectNode aBefore = a.deepCopy();
        ObjectNode bBefore = b.deepCopy();
        ConfigMerge.merge(a, b, strategy, arrays, "b", new ArrayList<>());
        assertThat(a).isEqualTo(aBefore);
        assertThat(b).isEqualTo(bBefore);
    }

    private static ObjectNode deep(ObjectNode x, ObjectNode y, ArrayMerge arrays, List<String> warnings) {
        return ConfigMerge.merge(x, y, MergeStrategy.DEEP, arrays, "y", warnings);
    }

    private static JsonNode withoutNullMembers(JsonNode node) {
        if (!node.isObject()) {
            return node;
        }
        ObjectNode out = Codecs.json().createObjectNode();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isNull()) {
                out.set(e.getKey(), withoutNullMembers(e.getValue()));
            }
        }
        return out;
    }

    private static Arbitrary<Object> scalar() {
        return Arbitraries.oneOf(Arbitraries.integers().between(-3, 3).map(i -> (Object) i),
                Arbitraries.strings().withChars("xyz").ofMaxLength(2).map(s -> (Object) s),
                Arbitraries.of(true, false).map(b -> (Object) b)).injectNull(0.15);
    }

    private static Arbitrary<Map<String, Object>> object(int depth) {
        List<Arbitrary<Object>> members = new ArrayList<>();
        for (String key : KEYS) {
            members.add(Arbitraries.frequencyOf(Tuple.of(2, Arbitraries.just(ABSENT)), Tuple.of(3, value(key, depth))));
        }
        return Combinators.combine(members).as(values -> {
            Map<String, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < KEYS.size(); i++) {
                if (values.get(i) != ABSENT) {
                    map.put(KEYS.get(i), values.get(i));
                }
            }
            return map;
        });
    }

    private static Arbitrary<Object> value(String key, int depth) {
        switch (key.charAt(0)) {
            case 'o':
                return depth == 0 ? Arbitraries.just(new LinkedHashMap<String, Object>()).map(m -> (Object) m)
                        : Arbitraries.lazy(() -> object(depth - 1)).map(m -> (Object) m);
            case 'a':
                return scalar().list().ofMaxSize(3).map(l -> (Object) l);
            default:
                return scalar();
        }
    }
}
