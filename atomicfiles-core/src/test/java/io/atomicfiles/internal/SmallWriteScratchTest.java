package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * An array taken out of the thread's scratch ({@link SmallWriteScratch#takeReadBuffer}, what
 * {@link Hashing} hands to a filesystem provider's stream) is nobody else's until it is given
 * back: a nested user on the same thread (the provider hashing another file before its read
 * returns) gets another array, and the taken one comes back for the next caller.
 */
class SmallWriteScratchTest {
    @Test
    void aTakenArrayIsNotHandedToANestedUserOnTheSameThread() {
        byte[] taken = SmallWriteScratch.takeReadBuffer(16 * 1024);
        byte[] nestedTaken = SmallWriteScratch.takeReadBuffer(16 * 1024);
        byte[] nestedRead = SmallWriteScratch.readBuffer(1024);

        assertThat(nestedTaken).isNotSameAs(taken);
        assertThat(nestedRead).isNotSameAs(taken);
        SmallWriteScratch.giveReadBuffer(nestedTaken);
        SmallWriteScratch.giveReadBuffer(taken);
        assertThat(SmallWriteScratch.readBuffer(1024).length).isGreaterThanOrEqualTo(16 * 1024);
    }

    @Test
    void anArrayTooLargeToKeepLeavesTheThreadsOwnInPlace() {
        byte[] own = SmallWriteScratch.readBuffer(4096);
        byte[] large = SmallWriteScratch.takeReadBuffer(SmallWriteScratch.READ_BUFFER_AT_MOST + 1);

        assertThat(large).isNotSameAs(own).hasSize(SmallWriteScratch.READ_BUFFER_AT_MOST + 1);
        SmallWriteScratch.giveReadBuffer(large);
        assertThat(SmallWriteScratch.readBuffer(4096)).isSameAs(own);
    }
}
