/** A user's module: one line names the library; what it needs comes with it. */
module com.example.settings {
    requires io.atomicfiles;

    exports com.example.settings;
}
