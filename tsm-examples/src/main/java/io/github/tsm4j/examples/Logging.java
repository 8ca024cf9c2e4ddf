package io.github.tsm4j.examples;

/**
 * Configures the slf4j-simple backend before the first logger is created: readable one-line
 * messages, INFO by default, DEBUG for our packages with {@code -v}. ND4J's start-up banner is kept at
 * WARN unless verbose.
 */
final class Logging {
    private Logging() {}

    static void configure(boolean verbose) {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "info");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
        setIfAbsent("org.slf4j.simpleLogger.showLogName", "false");
        setIfAbsent("org.slf4j.simpleLogger.levelInBrackets", "true");
        if (!verbose) {
            setIfAbsent("org.slf4j.simpleLogger.log.org.nd4j", "warn");
            setIfAbsent("org.slf4j.simpleLogger.log.org.deeplearning4j", "warn");
            setIfAbsent("org.slf4j.simpleLogger.log.org.bytedeco", "warn");
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
