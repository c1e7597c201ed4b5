package io.atomicfiles.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** sha256sum's output, in every form GNU sha256sum writes. */
class ChecksumListTest {
    private static final String A = "a".repeat(64);
    private static final String B = "B".repeat(64);

    @Test
    void textAndBinaryMarkersTagsAndEscapedNames() {
        ChecksumList list = ChecksumList.parse(A + "  plain.txt\n"
                + B + " *binary.bin\n"
                + "SHA256 (tagged file.txt) = " + A + "\n"
                + "\\" + A + "  back\\\\slash\\nnewline.txt\r\n"
                + "\n"
                + A + "  name with  two spaces\n");
        assertThat(list.entries()).containsExactly(
                new ChecksumList.Entry("plain.txt", A),
                new ChecksumList.Entry("binary.bin", B.toLowerCase()),
                new ChecksumList.Entry("tagged file.txt", A),
                new ChecksumList.Entry("back\\slash\nnewline.txt", A),
                new ChecksumList.Entry("name with  two spaces", A));
        assertThat(list.malformed()).isZero();
    }

    @Test
    void otherLinesAreCountedAsMalformed() {
        ChecksumList list = ChecksumList.parse("# a comment\n" + A.substring(1) + "  short.txt\n"
                + A + "\tfile-after-a-tab\n" + "\\" + A + "  bad\\escape\n" + A + "  ok.txt\n");
        assertThat(list.entries()).containsExactly(new ChecksumList.Entry("ok.txt", A));
        assertThat(list.malformed()).isEqualTo(4);
    }
}
