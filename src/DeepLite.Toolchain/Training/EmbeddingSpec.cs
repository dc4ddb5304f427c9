using DeepLite.Runtime;

namespace DeepLite.Toolchain.Training;

/// <summary>Per-tensor affine quantization: <c>real = Scale · (q - ZeroPoint)</c>.</summary>
public readonly record struct AffineQuantization(float Scale, int ZeroPoint);

/// <summary>
/// The base-model tensor whose values are the embedding: its index and name in the main subgraph, element type,
/// length (the last dimension; the others are 1) and, for uint8/int8 tensors, quantization. A quantized head consumes
/// the stored integers directly, so it needs these parameters.
/// </summary>
public sealed record EmbeddingSpec(int TensorIndex, string TensorName, TensorType Type, int Size, AffineQuantization? Quantization);
