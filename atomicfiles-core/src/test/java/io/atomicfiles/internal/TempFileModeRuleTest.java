package io.atomicfiles.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * When a temp file may be created with the mode it will be published with
 * ({@link TempFileModes#finalModeAtCreation}), under umasks other than this JVM's: only when the
 * umask strips none of its bits and its group bits grant nothing its other bits do not; else
 * it is created owner-only, as before.
 */
class TempFileModeRuleTest {

    @ParameterizedTest(name = "mode {0} under umask {1}: created with it = {2}")
    @CsvSource({
        // The common rewrite and the common new file under umask 022.
        "644, 022, true",
        "600, 022, true",
        "444, 022, true",
        "755, 022, true",
        // Group bits beyond the other bits: the writer's transient group would gain them.
        "640, 022, false",
        "660, 022, false",
        "664, 002, false",
        "750, 027, false",
        // The umask would strip a bit: the file would not be created with this mode.
        "666, 022, false",
        "644, 077, false",
        "664, 022, false",
        "600, 077, true",
        "666, 000, true",
        "000, 022, true",
    })
    void theRule(String mode, String umask, boolean createdWithIt) {
        assertThat(TempFileModes.grantsNoMoreAtCreation(Integer.parseInt(mode, 8), Integer.parseInt(umask, 8)))
                .isEqualTo(createdWithIt);
    }

    @ParameterizedTest(name = "mode {0}")
    @CsvSource({"rw-------", "rw-r--r--", "rw-r-----", "rw-rw-rw-"})
    void underThisJvmsUmaskTheRuleDecides(String mode) {
        var permissions = PosixFilePermissions.fromString(mode);
        boolean expected = TempFileModes.grantsNoMoreAtCreation(FileModes.mode(permissions), FileModes.umask());

        assertThat(TempFileModes.finalModeAtCreation(Path.of(System.getProperty("java.io.tmpdir")), permissions))
                .isEqualTo(expected ? permissions : null);
    }

    @org.junit.jupiter.api.Test
    void noModeNoFinalMode() {
        assertThat(TempFileModes.finalModeAtCreation(Path.of(System.getProperty("java.io.tmpdir")), null)).isNull();
    }
}
