using DeepLite.Runtime.Kernels;

namespace DeepLite.Runtime;

/// <summary>Maps operator codes to kernel factories. <see cref="CreateDefault"/> has every builtin
/// DeepLite implements; add custom operators written in C# with <see cref="AddCustom"/>.</summary>
public sealed class OpResolver
{
    private readonly Dictionary<BuiltinOperator, Func<OperatorKernel>> _builtins = [];
    private readonly Dictionary<string, Func<OperatorKernel>> _customs = new(StringComparer.Ordinal);

    /// <summary>A resolver with all builtin kernels.</summary>
    public static OpResolver CreateDefault()
    {
        var resolver = new OpResolver();
        BuiltinKernels.RegisterAll(resolver);
        return resolver;
    }

    /// <summary>Registers (or replaces) the kernel of a builtin operator.</summary>
    public OpResolver AddBuiltin(BuiltinOperator op, Func<OperatorKernel> factory)
    {
        _builtins[op] = factory;
        return this;
    }

    /// <summary>Registers (or replaces) a custom operator by the name stored in the model's operator code.</summary>
    public OpResolver AddCustom(string name, Func<OperatorKernel> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _customs[name] = factory;
        return this;
    }

    /// <summary>The builtin operators this resolver knows.</summary>
    public IEnumerable<BuiltinOperator> Builtins => _builtins.Keys;

    internal OperatorKernel? Create(OperatorCode code)
    {
        if (code.IsCustom)
        {
            return code.CustomName is not null && _customs.TryGetValue(code.CustomName, out var custom) ? custom() : null;
        }
        return _builtins.TryGetValue(code.Builtin, out var factory) ? factory() : null;
    }
}
