/**
 * Training and evaluation of TSM/TSN networks with the official recipe (Lin, Gan, Han, ICCV 2019,
 * arXiv:1811.08383, and the official {@code main.py}): SGD with PyTorch-style momentum, step or cosine
 * learning rate with optional linear warm-up, weight decay without decay on BatchNorm parameters and
 * biases, gradient clipping by the global L2 norm, classifier learning-rate multipliers, partial
 * BatchNorm, per-epoch atomic checkpoints with exact resume, a JSON-lines log, and the evaluation
 * protocols (top-1, top-5, mean class accuracy, confusion matrix, scores averaged over the views of a
 * video).
 *
 * <p>Everything here consumes DL4J {@link org.nd4j.linalg.dataset.api.iterator.DataSetIterator}s whose
 * features are clips {@code [N·T, 3, H, W]} (NCHW, the T frames of one clip contiguous) and whose
 * labels are one-hot {@code [N, K]}; it does not know how the clips were decoded. The minibatch loop
 * of an epoch is pluggable ({@link io.github.tsm4j.models.train.EpochFitter}): {@code Trainer} runs it on
 * this JVM from an iterator, or hands it to a distributed implementation (tsm-examples' Spark fitter)
 * while keeping recipe, validation, checkpoints, log and resume.
 */
package io.github.tsm4j.models.train;
