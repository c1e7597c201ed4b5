package io.atomicfiles.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A length of time on the command line: {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d},
 * {@code 2w}, combined as in {@code 1d12h}, or ISO-8601 as {@link Duration#parse} reads it
 * ({@code PT24H}, {@code P7D}). Never negative; a typo is a usage error (exit 2).
 */
final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern SHORT = Pattern.compile("(?:[0-9]+[smhdw])+");
    private static final Pattern PART = Pattern.compile("([0-9]+)([smhdw])");

    @Override
    public Duration convert(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (SHORT.matcher(text).matches()) {
                return sum(text);
            }
            if (text.startsWith("p")) {
                Duration duration = Duration.parse(text.toUpperCase(Locale.ROOT));
                if (duration.isNegative()) {
                    throw new TypeConversionException("a duration must not be negative, got '" + value + "'");
                }
                return duration;
            }
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            // falls through to the message below
        }
        throw new TypeConversionException("expected a duration such as 90s, 30m, 24h, 7d, 2w or 1d12h"
                + " (or ISO-8601: PT24H, P7D), got '" + value + "'");
    }

    private static Duration sum(String text) {
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(text);
        while (part.find()) {
            long amount = Long.parseLong(part.group(1));
            total = total.plus(unit(part.group(2)).multipliedBy(amount));
        }
        return total;
    }

    private static Duration unit(String letter) {
        switch (letter) {
            case "s":
                return Duration.ofSeconds(1);
            case "m":
                return Duration.ofMinutes(1);
            case "h":
                return Duration.ofHours(1);
            case "d":
                return Duration.ofDays(1);
            default:
                return Duration.ofDays(7);
        }
    }
}
