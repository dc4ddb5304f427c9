namespace DeepLite.Runtime.Kernels;

/// <summary>Reference POW with NumPy broadcasting: float32 <c>a^b</c> (C's powf semantics), int32 by repeated squaring.</summary>
internal static class PowReference
{
    /// <summary>float32 <c>output = pow(a, b)</c>.</summary>
    public static void F32(ReadOnlySpan<int> shapeA, ReadOnlySpan<float> a, ReadOnlySpan<int> shapeB, ReadOnlySpan<float> b, Span<float> output) =>
        BroadcastReference.Apply(shapeA, a, shapeB, b, output, MathF.Pow);

    /// <summary>int32 <c>output = a^b</c> for b ≥ 0, with wrapping multiplication.</summary>
    public static void Int32(ReadOnlySpan<int> shapeA, ReadOnlySpan<int> a, ReadOnlySpan<int> shapeB, ReadOnlySpan<int> b, Span<int> output) =>
        BroadcastReference.Apply(shapeA, a, shapeB, b, output, IntegerPower);

    /// <summary><c>x^n</c> by binary exponentiation (n ≥ 0; 0^0 = 1), wrapping like TFLite's int32 POW.</summary>
    public static int IntegerPower(int x, int n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Integer POW needs a non-negative exponent.");
        int result = 1;
        while (n != 0)
        {
            if ((n & 1) != 0) result = unchecked(result * x);
            n >>= 1;
            x = unchecked(x * x);
        }
        return result;
    }
}
