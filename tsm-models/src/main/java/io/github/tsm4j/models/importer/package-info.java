/**
 * Reading PyTorch checkpoints in pure Java and mapping them onto tsm-models networks.
 *
 * <p>{@link io.github.tsm4j.models.importer.TorchCheckpoint} reads {@code .pth} / {@code .pth.tar}
 * files in both serialisation formats of {@code torch.save} (the legacy stream of pickles plus raw
 * storages, and the zip archive of torch &ge; 1.6) with an allowlist of Python globals as
 * {@code torch.load(weights_only=True)} has it, and yields an ordered state dict of
 * {@link io.github.tsm4j.models.importer.TorchTensor}s (row-major, PyTorch shapes such as conv
 * weights {@code [out, in, kH, kW]} and Linear weights {@code [out, in]}).
 */
package io.github.tsm4j.models.importer;
