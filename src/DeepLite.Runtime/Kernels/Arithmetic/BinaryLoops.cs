using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;

namespace DeepLite.Runtime.Kernels;

/// <summary>An elementwise binary function <c>z = f(x, y)</c> on one element type (any parameters live in the struct).</summary>
internal interface IBinaryOperator<T>
{
    T Invoke(T x, T y);
}

/// <summary>
/// A float32 binary function with a SIMD form that gives, lane by lane, exactly what the scalar form gives
/// (same operations in the same order).
/// </summary>
internal interface IVectorBinaryOperator : IBinaryOperator<float>
{
    Vector<float> Invoke(Vector<float> x, Vector<float> y);
}

/// <summary>
/// The innermost loop of <see cref="BroadcastPlan.Run{T, TLoop}"/>: each operand slice has either the
/// output's length or length 1 (broadcast along this run).
/// </summary>
internal interface IBroadcastLoop<T>
{
    void Run(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> output);
}

/// <summary>Scalar inner loop: <c>output[i] = op(a[i or 0], b[i or 0])</c>.</summary>
internal readonly struct ScalarLoop<T, TOperator>(TOperator op) : IBroadcastLoop<T>
    where TOperator : struct, IBinaryOperator<T>
{
    private readonly TOperator _op = op;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> output)
    {
        if (a.Length == output.Length && b.Length == output.Length)
        {
            for (int i = 0; i < output.Length; i++) output[i] = _op.Invoke(a[i], b[i]);
        }
        else if (a.Length == 1)
        {
            T x = a[0];
            for (int i = 0; i < output.Length; i++) output[i] = _op.Invoke(x, b[i]);
        }
        else
        {
            T y = b[0];
            for (int i = 0; i < output.Length; i++) output[i] = _op.Invoke(a[i], y);
        }
    }
}

/// <summary>
/// float32 inner loop, <see cref="Vector{T}.Count"/> lanes at a time: lane k of block j is element
/// <c>j · Count + k</c>; a broadcast operand is splatted to all lanes; the tail runs the scalar form.
/// Equivalent to <see cref="ScalarLoop{T, TOperator}"/>.
/// </summary>
internal readonly struct VectorLoop<TOperator>(TOperator op) : IBroadcastLoop<float>
    where TOperator : struct, IVectorBinaryOperator
{
    private readonly TOperator _op = op;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        int n = output.Length;
        int i = 0;
        bool fullA = a.Length == n, fullB = b.Length == n;
        if (Vector.IsHardwareAccelerated && n >= Vector<float>.Count)
        {
            ref float destination = ref MemoryMarshal.GetReference(output);
            ref float sourceA = ref MemoryMarshal.GetReference(a);
            ref float sourceB = ref MemoryMarshal.GetReference(b);
            var splatA = new Vector<float>(a[0]);
            var splatB = new Vector<float>(b[0]);
            int lastBlock = n - Vector<float>.Count;
            for (; i <= lastBlock; i += Vector<float>.Count)
            {
                var x = fullA ? Vector.LoadUnsafe(ref sourceA, (nuint)i) : splatA;
                var y = fullB ? Vector.LoadUnsafe(ref sourceB, (nuint)i) : splatB;
                _op.Invoke(x, y).StoreUnsafe(ref destination, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            output[i] = _op.Invoke(fullA ? a[i] : a[0], fullB ? b[i] : b[0]);
        }
    }
}
