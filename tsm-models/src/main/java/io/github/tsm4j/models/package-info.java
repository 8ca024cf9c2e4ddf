/**
 * TSM networks (Lin, Gan, Han, "TSM: Temporal Shift Module for Efficient Video Understanding", ICCV 2019) as
 * DL4J {@link org.deeplearning4j.nn.graph.ComputationGraph}s that are layer-for-layer identical to torchvision's
 * ResNet-18/34/50/101/152 and MobileNetV2, with the shift where the official code puts it.
 *
 * <ul>
 *   <li>{@link io.github.tsm4j.models.TsmConfig} describes a network (backbone, shift placement, head, input);
 *       {@link io.github.tsm4j.models.TsmNetworks} turns it into a graph configuration and counts parameters;
 *       {@link io.github.tsm4j.models.TsmModel} holds graph + config + labels, predicts, saves and loads;
 *       {@link io.github.tsm4j.models.TsmStreamingModel} runs the same weights online, one frame at a time.</li>
 *   <li>Tensors: clips {@code [N·T, 3, H, W]} NCHW (frames of a video contiguous) → probabilities {@code [N, K]};
 *       streaming frames {@code [B, 3, H, W]} → logits {@code [B, K]}. An NHWC network permutes its input once
 *       (vertex {@code input.nhwc}); its API still takes NCHW.</li>
 * </ul>
 *
 * <h2>Vertex names are torchvision module paths</h2>
 * Every parametrised layer is named by the path of the PyTorch module that holds the same weights, so a
 * checkpoint maps by name (after stripping prefixes such as {@code module.base_model.}; the {@code .net} of the
 * official shift wrapper is dropped):
 * <table>
 *   <caption>Names</caption>
 *   <tr><th>DL4J vertex</th><th>PyTorch module</th><th>DL4J parameters</th></tr>
 *   <tr><td>{@code conv1}, {@code layer{L}.{B}.conv1|conv2|conv3}, {@code layer{L}.{B}.downsample.0}</td>
 *       <td>same</td><td>{@code W} {@code [out, in, kH, kW]} (= PyTorch {@code weight}); no bias</td></tr>
 *   <tr><td>{@code bn1}, {@code layer{L}.{B}.bn1|bn2|bn3}, {@code layer{L}.{B}.downsample.1}</td><td>same</td>
 *       <td>{@code gamma} = weight, {@code beta} = bias, {@code mean} = running_mean, {@code var} = running_var
 *       (BatchNorm is built with {@code useLogStd(false)}: the variance is stored as is)</td></tr>
 *   <tr><td>{@code features.0.0}, {@code features.{k}.conv.0.0}, {@code features.{k}.conv.1.0} (t ≠ 1),
 *       {@code features.{k}.conv.2}, {@code features.1.conv.1}, {@code features.18.0}</td><td>same</td>
 *       <td>{@code W}; depthwise convs ({@code features.1.conv.0.0}, {@code features.{k}.conv.1.0}) hold
 *       {@code [kH, kW, C, 1]}: PyTorch {@code [C, 1, kH, kW]} permuted (2, 3, 0, 1)</td></tr>
 *   <tr><td>{@code features.0.1}, {@code features.{k}.conv.0.1}, {@code features.{k}.conv.1.1},
 *       {@code features.{k}.conv.3}, {@code features.1.conv.2}, {@code features.18.1}</td><td>same</td>
 *       <td>as BatchNorm above</td></tr>
 *   <tr><td>{@code fc}</td><td>torchvision {@code fc} / {@code classifier.1}, TSM {@code new_fc}, mmaction2
 *       {@code cls_head.fc_cls}</td><td>{@code W} {@code [in, K]} = PyTorch weight transposed; {@code b}
 *       {@code [1, K]}</td></tr>
 * </table>
 * Parameter-free vertices: {@code maxpool}, {@code layer{L}.{B}.shift|add|relu}, {@code layer2.tpool},
 * {@code features.{k}.shift|add}, and the head {@code avgpool}, {@code dropout}, {@code consensus}, {@code loss}.
 * BatchNorm layers are {@link io.github.tsm4j.core.norm.NativeBatchNorm} with the following ReLU/ReLU6 fused
 * (NCHW and NHWC graphs alike); with {@code -Dtsm4j.bn=stock} (or {@code -Dtsm4j.conv=stock}) they are DL4J's
 * {@code BatchNormalization} followed by the activation vertices
 * {@code relu}, {@code layer{L}.{B}.relu1|relu2}, ReLU6 {@code features.0.2}, {@code features.{k}.conv.0.2|conv.1.2},
 * {@code features.18.2}.
 */
package io.github.tsm4j.models;
