namespace DeepLite.Runtime;

/// <summary>Base type of every error DeepLite raises on purpose: a bad model, an unsupported
/// operator, a wrong input. Anything else escaping the runtime is a bug.</summary>
public class DeepLiteException : Exception
{
    public DeepLiteException(string message) : base(message) { }
    public DeepLiteException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The model bytes are not a well-formed TensorFlow Lite model, or the graph they
/// describe is inconsistent (shapes, types, indices). The message names the part at fault.</summary>
public sealed class ModelFormatException : DeepLiteException
{
    public ModelFormatException(string message) : base(message) { }
    public ModelFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The model is well formed but uses an operator, or an operator with tensor types,
/// that this runtime has no kernel for. Raised by <c>AllocateTensors</c>.</summary>
public sealed class UnsupportedOperatorException : DeepLiteException
{
    public UnsupportedOperatorException(string message) : base(message) { }
}
