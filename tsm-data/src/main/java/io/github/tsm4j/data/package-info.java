/** tsm4j data module. */
package io.github.tsm4j.data;
