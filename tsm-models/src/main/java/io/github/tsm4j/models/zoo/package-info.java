/**
 * Pretrained models in one call: a catalogue of the published TSM checkpoints (official TSM repository,
 * mmaction2, torchvision ImageNet backbones) with their import settings, label lists and published accuracies
 * ({@link io.github.tsm4j.models.zoo.Catalogue}); a verified download cache (resume, SHA-256, atomic move, file
 * lock: {@link io.github.tsm4j.models.zoo.ModelCache}); and the facade from an id to a ready
 * {@link io.github.tsm4j.models.TsmModel} ({@link io.github.tsm4j.models.zoo.PretrainedModels}).
 *
 * <p>Settings come in {@link io.github.tsm4j.models.zoo.ZooOptions}; nothing here reads environment variables or
 * system properties apart from {@code user.home} for the default cache folder.
 */
package io.github.tsm4j.models.zoo;
