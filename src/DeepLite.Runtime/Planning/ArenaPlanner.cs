namespace DeepLite.Runtime.Planning;

/// <summary>A tensor that needs arena memory from node <see cref="FirstUse"/> to <see cref="LastUse"/> (inclusive).</summary>
internal readonly record struct TensorLifetime(int TensorIndex, long Bytes, int FirstUse, int LastUse)
{
    public bool Overlaps(TensorLifetime other) => FirstUse <= other.LastUse && other.FirstUse <= LastUse;
}

/// <summary>The result of planning: where each tensor starts in the arena.</summary>
public sealed class MemoryPlan
{
    internal MemoryPlan(Dictionary<int, long> offsets, long arenaBytes, long naiveBytes)
    {
        Offsets = offsets;
        ArenaBytes = arenaBytes;
        NaiveBytes = naiveBytes;
    }

    /// <summary>Tensor index → byte offset in the arena.</summary>
    public IReadOnlyDictionary<int, long> Offsets { get; }

    /// <summary>Bytes the arena needs (the highest end offset of any tensor).</summary>
    public long ArenaBytes { get; }

    /// <summary>Sum of all planned tensors' sizes: what one buffer per tensor would cost.</summary>
    public long NaiveBytes { get; }
}

/// <summary>
/// Greedy-by-size arena planning (the strategy of TFLite's simple memory arena): tensors are placed
/// largest first, each at the lowest aligned offset where it does not overlap, in bytes, any already
/// placed tensor whose lifetime intersects its own. Tensors with disjoint lifetimes share memory.
/// </summary>
internal static class ArenaPlanner
{
    /// <summary>Every tensor start is a multiple of this many bytes, for SIMD loads.</summary>
    public const int Alignment = 64;

    public static MemoryPlan Plan(IReadOnlyList<TensorLifetime> tensors)
    {
        var order = tensors.OrderByDescending(t => t.Bytes).ThenBy(t => t.FirstUse).ThenBy(t => t.TensorIndex).ToArray();
        var placed = new List<(TensorLifetime Tensor, long Offset)>(order.Length);
        var offsets = new Dictionary<int, long>(order.Length);
        var conflicts = new List<(long Start, long End)>();
        long arena = 0, naive = 0;
        foreach (var tensor in order)
        {
            naive += tensor.Bytes;
            conflicts.Clear();
            foreach (var (other, offset) in placed)
            {
                if (other.Overlaps(tensor)) conflicts.Add((offset, offset + other.Bytes));
            }
            conflicts.Sort((a, b) => a.Start.CompareTo(b.Start));
            long candidate = 0;
            foreach (var (start, end) in conflicts)
            {
                if (candidate + tensor.Bytes <= start) break;
                candidate = Math.Max(candidate, AlignUp(end));
            }
            placed.Add((tensor, candidate));
            offsets[tensor.TensorIndex] = candidate;
            arena = Math.Max(arena, candidate + tensor.Bytes);
        }
        return new MemoryPlan(offsets, AlignUp(arena), naive);
    }

    public static long AlignUp(long value) => (value + Alignment - 1) / Alignment * Alignment;
}
