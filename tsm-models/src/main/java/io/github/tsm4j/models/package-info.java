/** tsm4j models module. */
package io.github.tsm4j.models;
