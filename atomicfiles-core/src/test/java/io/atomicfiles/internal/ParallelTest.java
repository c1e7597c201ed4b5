package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Parallel#forEach}: every item once, a slow item holds up no other, failures after all calls. */
class ParallelTest {
    private static List<Integer> items(int n) {
        List<Integer> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(i);
        }
        return items;
    }

    @Test
    void everyItemIsCalledOnce() throws IOException {
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        List<Integer> twice = new ArrayList<>();
        Parallel.forEach(items(1000), 16, i -> {
            if (!seen.add(i)) {
                synchronized (twice) {
                    twice.add(i);
                }
            }
        });
        assertThat(seen).hasSize(1000);
        assertThat(twice).isEmpty();
    }

    /**
     * The first item waits until every other item is done: with two threads, the other thread
     * must take all of them. (Items dealt out in fixed stripes left half of them to the waiting
     * thread: they were never called while it waited.) The wait is bounded only so that a
     * regression fails instead of hanging; nothing is asserted about time.
     */
    @Test
    void aSlowItemHoldsUpNoOtherItem() throws IOException {
        int n = 20;
        CountDownLatch othersDone = new CountDownLatch(n - 1);
        boolean[] sawThemAll = new boolean[1];
        Parallel.forEach(items(n), 2, i -> {
            if (i == 0) {
                try {
                    sawThemAll[0] = othersDone.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                othersDone.countDown();
            }
        });
        assertThat(sawThemAll[0]).as("every other item done while the first one waited").isTrue();
    }

    @Test
    void theFirstFailureIsThrownAfterEveryCallIsOver() {
        Set<Integer> seen = ConcurrentHashMap.newKeySet();
        assertThatThrownBy(() -> Parallel.forEach(items(100), 8, i -> {
            seen.add(i);
            if (i == 5) {
                throw new IOException("item 5 failed");
            }
        })).isInstanceOf(IOException.class).hasMessage("item 5 failed");
        // The thread that failed stops; the others go on with the items left.
        assertThat(seen).contains(5).hasSizeGreaterThan(90);
    }
}
