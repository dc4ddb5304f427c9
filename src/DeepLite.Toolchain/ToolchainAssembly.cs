namespace DeepLite.Toolchain;

/// <summary>Builds models on the server: the model graph and TFLite writer, transfer learning, conversion and evaluation.</summary>
internal static class ToolchainAssembly;
