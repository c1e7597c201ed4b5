package io.atomicfiles.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code atomicfiles --version}: the build's version (from Maven) and the Java running it. */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        }
        return new String[] {
            "atomicfiles " + properties.getProperty("version", "(unknown version)"),
            "Java ${java.version} (${java.vendor}) on ${os.name} ${os.arch}"};
    }
}
