using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DeepLite.Runtime.Kernels;

/// <summary>A float32 elementwise function <c>y = f(x)</c>, applied by <see cref="UnaryDriver"/>.</summary>
internal interface IUnaryOperator
{
    float Invoke(float x);
}

/// <summary>
/// A float32 elementwise function with a SIMD form. The vector form must give, lane by lane, exactly what
/// the scalar form gives (same operations, same order), so results do not depend on the position of an
/// element relative to the vector width.
/// </summary>
internal interface IVectorUnaryOperator : IUnaryOperator
{
    Vector<float> Invoke(Vector<float> x);
}

/// <summary>The one loop behind every elementwise unary kernel.</summary>
internal static class UnaryDriver
{
    /// <summary><c>output[i] = op.Invoke(input[i])</c> for every i; the spans must have equal length.</summary>
    public static void Map<TOperator>(ReadOnlySpan<float> input, Span<float> output, TOperator op)
        where TOperator : struct, IUnaryOperator
    {
        CheckLengths(input.Length, output.Length);
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = op.Invoke(input[i]);
        }
    }

    /// <summary>
    /// <c>output[i] = op.Invoke(input[i])</c> for every i, <see cref="Vector{T}.Count"/> lanes at a time:
    /// lane k of block j is element <c>j · Count + k</c>; the tail (fewer than Count elements) runs the
    /// scalar form. Equivalent to <see cref="Map{TOperator}"/>.
    /// </summary>
    public static void MapVectorized<TOperator>(ReadOnlySpan<float> input, Span<float> output, TOperator op)
        where TOperator : struct, IVectorUnaryOperator
    {
        CheckLengths(input.Length, output.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated && input.Length >= Vector<float>.Count)
        {
            ref float source = ref MemoryMarshal.GetReference(input);
            ref float destination = ref MemoryMarshal.GetReference(output);
            int lastBlock = input.Length - Vector<float>.Count;
            for (; i <= lastBlock; i += Vector<float>.Count)
            {
                var x = Vector.LoadUnsafe(ref source, (nuint)i);
                op.Invoke(x).StoreUnsafe(ref destination, (nuint)i);
            }
        }
        for (; i < input.Length; i++)
        {
            output[i] = op.Invoke(input[i]);
        }
    }

    /// <summary>
    /// <c>output[i] = table[input[i]]</c> over raw bytes: a uint8 value indexes directly, an int8 value by
    /// its two's-complement byte (so -128 is entry 128, -1 is entry 255).
    /// </summary>
    public static void Lookup(ReadOnlySpan<byte> input, Span<byte> output, ReadOnlySpan<byte> table)
    {
        CheckLengths(input.Length, output.Length);
        if (table.Length != 256) throw new ArgumentException($"A lookup table needs 256 entries, not {table.Length}.", nameof(table));
        ref byte entries = ref MemoryMarshal.GetReference(table);
        for (int i = 0; i < input.Length; i++)
        {
            output[i] = Unsafe.Add(ref entries, input[i]);
        }
    }

    private static void CheckLengths(int input, int output)
    {
        if (input != output) throw new ArgumentException($"Input has {input} elements but output has {output}.");
    }
}
