namespace DeepLite.Client;

/// <summary>The device SDK: model cache, offline use and on-device learning.</summary>
internal static class ClientAssembly;
