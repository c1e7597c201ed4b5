package io.atomicfiles.cli;

/** Entry point of {@code atomicfiles.jar}; the commands are being built. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.println("atomicfiles: command line under construction");
    }
}
