using DeepLite.Runtime;
using DeepLite.Runtime.Format;
using DeepLite.Tests;

namespace DeepLite.Benchmarks.Kernels;

/// <summary>
/// One operator on free-standing tensors, prepared once: the kernel the default <see cref="OpResolver"/>
/// registers for the operator (the one an interpreter would run), its context and its tensors.
/// <see cref="Eval"/> is what the kernel benchmarks time.
/// </summary>
public sealed class PreparedOperator
{
    private readonly OperatorKernel _kernel;
    private readonly KernelContext _context;

    /// <param name="builtin">The operator.</param>
    /// <param name="inputs">Its inputs (null for an omitted optional input).</param>
    /// <param name="output">Its output, already of the shape Prepare computes (Prepare would unbind a tensor it reshapes).</param>
    /// <param name="options">Its builtin options table.</param>
    internal PreparedOperator(BuiltinOperator builtin, Tensor?[] inputs, Tensor output, FlatTableBuilder options)
    {
        var code = new OperatorCode(builtin, null, 1);
        _kernel = OpResolver.CreateDefault().Create(code) ?? throw new InvalidOperationException($"The default resolver has no {builtin} kernel.");
        var optionsTable = FlatTable.Root(FlatBufferWriter.Write(options, ""), $"{builtin} options");
        _context = KernelContext.ForTensors(code, inputs, [output], optionsTable);
        _kernel.Prepare(_context);
        if (!output.HasData)
        {
            throw new InvalidOperationException($"{builtin}: Prepare reshaped the output to [{string.Join(",", output.Shape.ToArray())}]; build it with that shape.");
        }
    }

    public void Eval() => _kernel.Eval(_context);
}
