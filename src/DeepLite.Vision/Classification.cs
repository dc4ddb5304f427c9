namespace DeepLite.Vision;

/// <summary>One class of a classification result: its output index, its label and its score
/// (the model's output value, dequantized for quantized outputs; a probability for softmax outputs).</summary>
public readonly record struct Classification(int Index, string Label, float Score);
