package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

    @ParameterizedTest
    @CsvSource({"90s, PT1M30S", "30m, PT30M", "24h, PT24H", "7d, PT168H", "2w, PT336H", "1d12h, PT36H",
        "1h30m15s, PT1H30M15S", "0s, PT0S", "24H, PT24H", "PT24H, PT24H", "pt90m, PT1H30M", "P7D, PT168H",
        "' 5m ', PT5M"})
    void shortFormsAndIso8601(String text, String expected) {
        assertThat(new DurationConverter().convert(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "24", "h", "24x", "1.5h", "-1h", "P-1D", "PT-5M", "1h 30m", "99999999999999999999d",
        "999999999999999w"})
    void anythingElseIsRefusedWithTheFormsThatWork(String text) {
        assertThatThrownBy(() -> new DurationConverter().convert(text)).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'" + text + "'");
    }
}
