package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The kernel's protected_symlinks rule (fs/namei.c, may_follow_link), case by case. */
class LinkRuleTest {
    private static final int ME = LinkRule.follower();
    private static final int OTHER = ME + 1000;
    private static final int THIRD = ME + 2000;
    private static final int STICKY_SHARED = 041777;

    @Test
    void inAStickyFolderEveryoneMayWriteOnlyTheFollowersAndTheFolderOwnersLinksAreFollowed() {
        assertThat(LinkRule.allows(ME, OTHER, STICKY_SHARED)).as("the follower's own link").isTrue();
        assertThat(LinkRule.allows(OTHER, OTHER, STICKY_SHARED)).as("the folder owner's link").isTrue();
        assertThat(LinkRule.allows(THIRD, OTHER, STICKY_SHARED)).as("anyone else's").isFalse();
    }

    @Test
    void elsewhereEveryLinkIsFollowed() {
        assertThat(LinkRule.allows(THIRD, OTHER, 040777)).as("world-writable, not sticky").isTrue();
        assertThat(LinkRule.allows(THIRD, OTHER, 041775)).as("sticky, not writable by others").isTrue();
        assertThat(LinkRule.allows(THIRD, OTHER, 040755)).isTrue();
    }

    @Test
    void theFollowerIsThisProcesssEffectiveUser() {
        assertThat(ME).isEqualTo("root".equals(System.getProperty("user.name")) ? 0 : ME).isNotNegative();
    }
}
