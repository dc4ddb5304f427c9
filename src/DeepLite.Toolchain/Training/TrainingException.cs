using DeepLite.Runtime;

namespace DeepLite.Toolchain.Training;

/// <summary>Transfer learning cannot proceed: a base model without a usable embedding tensor, an unreadable image, too few images.</summary>
public sealed class TrainingException : DeepLiteException
{
    public TrainingException(string message) : base(message) { }

    public TrainingException(string message, Exception inner) : base(message, inner) { }
}
