/** tsm4j core module. */
package io.github.tsm4j.core;
