using DeepLite.Runtime;

namespace DeepLite.Cli.Benchmarking;

/// <summary>
/// Seeded pseudo-random input values, generated exactly as the tflite-oracle's <c>--random-inputs SEED</c>
/// generates them (<c>lib/inputs.mjs</c>), so the same seed gives the same bytes on every machine, in
/// every .NET version and in both engines. One mulberry32 stream is seeded with the seed and consumed in
/// input order, element by element; with <c>u = next() / 2^32</c>:
/// float32 <c>(float)(lo + (hi − lo) · u)</c> in double, over [−1, 1], or [0.1, 2] when the main subgraph
/// has SQRT, RSQRT, LOG or POW; uint8 <c>next() &gt;&gt;&gt; 24</c>; int8 that minus 128; int16
/// <c>(next() &gt;&gt;&gt; 16) − 32768</c>; int32 and int64 <c>floor(u · 4)</c> (0..3); bool <c>next() &gt;&gt;&gt; 31</c>.
/// </summary>
internal static class RandomInputs
{
    public const uint DefaultSeed = 1;

    private static readonly string[] PositiveInputOperators = ["SQRT", "RSQRT", "LOG", "POW"];

    /// <summary>Fills every input tensor of an allocated interpreter.</summary>
    public static void Fill(Interpreter interpreter, uint seed)
    {
        bool positive = interpreter.Model.MainSubgraph.Operators.Any(o => PositiveInputOperators.Contains(o.Code.Name, StringComparer.Ordinal));
        var (low, high) = positive ? (0.1, 2.0) : (-1.0, 1.0);
        var random = new Mulberry32(seed);
        foreach (var input in interpreter.Inputs) Fill(input, ref random, low, high);
    }

    private static void Fill(Tensor tensor, ref Mulberry32 random, double low, double high)
    {
        switch (tensor.Type)
        {
            case TensorType.Float32:
                foreach (ref float v in tensor.AsSpan<float>()) v = (float)(low + ((high - low) * random.NextUnit()));
                break;
            case TensorType.UInt8:
                foreach (ref byte v in tensor.AsSpan<byte>()) v = (byte)(random.Next() >> 24);
                break;
            case TensorType.Int8:
                foreach (ref sbyte v in tensor.AsSpan<sbyte>()) v = (sbyte)((int)(random.Next() >> 24) - 128);
                break;
            case TensorType.Int16:
                foreach (ref short v in tensor.AsSpan<short>()) v = (short)((int)(random.Next() >> 16) - 32768);
                break;
            case TensorType.Int32:
                foreach (ref int v in tensor.AsSpan<int>()) v = (int)Math.Floor(random.NextUnit() * 4);
                break;
            case TensorType.Int64:
                foreach (ref long v in tensor.AsSpan<long>()) v = (long)Math.Floor(random.NextUnit() * 4);
                break;
            case TensorType.Bool:
                foreach (ref byte v in tensor.AsBytes()) v = (byte)(random.Next() >> 31);
                break;
            default:
                throw new InvalidOperationException($"Input '{tensor.Name}' is {tensor.Type.Name()}; random inputs are made only for float32, uint8, int8, int16, int32, int64 and bool.");
        }
    }

    /// <summary>mulberry32: <c>state += 0x6D2B79F5; z = state; z = (z ^ z &gt;&gt; 15) · (z | 1);
    /// z ^= z + (z ^ z &gt;&gt; 7) · (z | 61); return z ^ z &gt;&gt; 14</c>, all in wrapping uint32.</summary>
    private struct Mulberry32(uint seed)
    {
        private uint _state = seed;

        public uint Next()
        {
            unchecked
            {
                _state += 0x6D2B79F5;
                uint z = _state;
                z = (z ^ (z >> 15)) * (z | 1);
                z ^= z + ((z ^ (z >> 7)) * (z | 61));
                return z ^ (z >> 14);
            }
        }

        /// <summary>A uniform value in [0, 1): <c>Next() / 2^32</c>.</summary>
        public double NextUnit() => Next() / 4294967296.0;
    }
}
