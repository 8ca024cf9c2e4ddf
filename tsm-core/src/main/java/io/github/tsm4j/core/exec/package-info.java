/**
 * Allocation-free execution of libnd4j ops for steady-state inference: {@link io.github.tsm4j.core.exec.BoundOp}
 * binds an op to fixed input and output arrays once, then runs it any number of times without creating Java
 * objects or native arrays (no op object, no argument lists, no output allocation per call).
 */
package io.github.tsm4j.core.exec;
