package io.atomicfiles.cli.demo;

/**
 * One capability of atomicfiles, shown for real: the scene does the work in its own folder,
 * prints what it did and the evidence (contents, checksums, listings), and checks the outcome.
 *
 * <p>A scene passes when every {@link Stage#check check} it made held and it threw nothing.
 * To show a new capability, write a scene and add it to {@link Scenes#all()}.
 */
public interface Scene {

    /** A short title, such as "Atomic write of a text file". */
    String title();

    /**
     * Plays the scene in {@link Stage#folder()}, which is new and empty. Throwing fails the scene;
     * the demo goes on with the next one.
     */
    void play(Stage stage) throws Exception;
}
