/**
 * Frame sources for online recognition, shared by tsm-data (which implements them: files, cameras, URLs, raw
 * stdin) and tsm-models (whose {@code StreamRecognizer} consumes them).
 */
package io.github.tsm4j.core.stream;
