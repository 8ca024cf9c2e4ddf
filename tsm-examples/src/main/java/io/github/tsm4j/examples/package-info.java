/** tsm4j examples module. */
package io.github.tsm4j.examples;
