package io.atomicfiles.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Copies of JSON-like documents (maps, lists, scalars), so that one update's changes cannot reach another's. */
public final class Documents {
    private Documents() {
    }

    /**
     * A deep copy of {@code document}: every map (insertion-ordered, mutable) and list copied,
     * other values (strings, numbers, booleans, other objects) shared.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> deepCopy(Map<String, Object> document) {
        return (Map<String, Object>) copy(document);
    }

    private static Object copy(Object value) {
        if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            Map<Object, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 2));
            for (Map.Entry<?, ?> e : map.entrySet()) {
                copy.put(e.getKey(), copy(e.getValue()));
            }
            return copy;
        }
        if (value instanceof List) {
            List<?> list = (List<?>) value;
            List<Object> copy = new ArrayList<>(list.size());
            for (Object item : list) {
                copy.add(copy(item));
            }
            return copy;
        }
        return value;
    }
}
