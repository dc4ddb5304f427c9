using DeepLite.Modeling;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using DeepLite.Runtime;

namespace DeepLite.Client.Storage;

/// <summary>One stored version of a named model.</summary>
/// <param name="Version">1, 2, …: each save of a name adds the next number; versions are never overwritten.</param>
/// <param name="File">File name inside the model's folder.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file, checked by <see cref="LocalModelStore.Open"/>.</param>
/// <param name="Bytes">File size.</param>
/// <param name="CreatedUtc">When the version was saved.</param>
/// <param name="ParentVersion">The version it was derived from (personalisation), if any.</param>
/// <param name="Note">Free text, e.g. "added class 'hotdog' from 5 images".</param>
public sealed record ModelVersion(int Version, string File, string Sha256, long Bytes, DateTimeOffset CreatedUtc, int? ParentVersion, string? Note);

/// <summary>A stored model that cannot be used: missing, or its bytes differ from what was saved.</summary>
public sealed class ModelStoreException(string message) : DeepLiteException(message);

/// <summary>
/// Models kept on the device, by name and version: <c>root/&lt;name&gt;/v&lt;N&gt;.tflite</c> plus
/// <c>root/&lt;name&gt;/manifest.json</c> listing every version with its SHA-256. Every file is written atomically
/// (<see cref="AtomicFile"/>), the model before the manifest, so a crash or a full disk leaves the previous versions
/// and manifest intact (at worst an unlisted model file, which the next save of the name overwrites). Not safe for
/// concurrent writers of the same name.
/// </summary>
public sealed class LocalModelStore
{
    private const string ManifestFile = "manifest.json";

    public LocalModelStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary><c>$DEEPLITE_HOME/models</c>, else <c>$XDG_DATA_HOME/deeplite/models</c>, else
    /// <c>~/.local/share/deeplite/models</c> (the platform's local application data folder elsewhere).</summary>
    public static string DefaultRoot
    {
        get
        {
            string? home = Environment.GetEnvironmentVariable("DEEPLITE_HOME");
            if (!string.IsNullOrEmpty(home)) return Path.Combine(home, "models");
            string? xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            if (!string.IsNullOrEmpty(xdg)) return Path.Combine(xdg, "deeplite", "models");
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "deeplite", "models");
        }
    }

    public string Root { get; }

    /// <summary>Names with at least one version, in ordinal order.</summary>
    public IReadOnlyList<string> Names() =>
        Directory.Exists(Root)
            ? Directory.EnumerateDirectories(Root).Where(d => File.Exists(Path.Combine(d, ManifestFile)))
                .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray()
            : [];

    /// <summary>Every version of <paramref name="name"/>, oldest first; empty when the name is unknown.</summary>
    public IReadOnlyList<ModelVersion> Versions(string name) => ReadManifest(name).Versions;

    /// <summary>The newest version, or null when the name is unknown.</summary>
    public ModelVersion? Latest(string name) => Versions(name) is { Count: > 0 } versions ? versions[^1] : null;

    /// <summary>Stores <paramref name="model"/> as the next version of <paramref name="name"/> and returns it.</summary>
    public ModelVersion Save(string name, ReadOnlySpan<byte> model, int? parentVersion = null, string? note = null)
    {
        var manifest = ReadManifest(name);
        int version = manifest.Versions.Count == 0 ? 1 : manifest.Versions[^1].Version + 1;
        string file = $"v{version}.tflite";
        var entry = new ModelVersion(version, file, Convert.ToHexStringLower(SHA256.HashData(model)), model.Length,
            DateTimeOffset.UtcNow, parentVersion, note);
        Directory.CreateDirectory(FolderOf(name));
        AtomicFile.Write(Path.Combine(FolderOf(name), file), model);
        var updated = new Manifest(name, [.. manifest.Versions, entry]);
        AtomicFile.Write(Path.Combine(FolderOf(name), ManifestFile), JsonSerializer.SerializeToUtf8Bytes(updated, StoreJson.Default.Manifest));
        return entry;
    }

    /// <summary>
    /// The file of a version (the latest when <paramref name="version"/> is null) after checking its size and
    /// SHA-256 against the manifest. Throws <see cref="ModelStoreException"/> when the name or version is unknown or
    /// the file is missing or changed.
    /// </summary>
    public string Open(string name, int? version = null)
    {
        var versions = Versions(name);
        var entry = version is null ? (versions.Count > 0 ? versions[^1] : null) : versions.FirstOrDefault(v => v.Version == version);
        if (entry is null)
        {
            throw new ModelStoreException(versions.Count == 0
                ? $"No model named '{name}' in {Root}."
                : $"Model '{name}' has no version {version}; versions: {string.Join(", ", versions.Select(v => v.Version))}.");
        }
        string path = Path.Combine(FolderOf(name), entry.File);
        if (!File.Exists(path)) throw new ModelStoreException($"Model '{name}' version {entry.Version} is missing: {path}.");
        using (var stream = File.OpenRead(path))
        {
            string actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            if (stream.Length != entry.Bytes || actual != entry.Sha256)
            {
                throw new ModelStoreException(
                    $"Model '{name}' version {entry.Version} is damaged: {path} has {stream.Length:N0} bytes with SHA-256 {actual}, "
                    + $"the store recorded {entry.Bytes:N0} bytes with {entry.Sha256}.");
            }
        }
        return path;
    }

    private string FolderOf(string name)
    {
        ValidateName(name);
        return Path.Combine(Root, name);
    }

    /// <summary>Names are 1–100 characters of letters, digits, '.', '_' and '-', not starting with '.'.</summary>
    public static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 100 || name[0] == '.' || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new ArgumentException($"'{name}' is not a valid model name: use 1-100 letters, digits, '.', '_' or '-', not starting with '.'.", nameof(name));
        }
    }

    private Manifest ReadManifest(string name)
    {
        string path = Path.Combine(FolderOf(name), ManifestFile);
        if (!File.Exists(path)) return new Manifest(name, []);
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), StoreJson.Default.Manifest)
                ?? throw new ModelStoreException($"The manifest {path} is empty.");
        }
        catch (JsonException e)
        {
            throw new ModelStoreException($"The manifest {path} is not valid: {e.Message}");
        }
    }
}

internal sealed record Manifest(string Name, IReadOnlyList<ModelVersion> Versions);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Manifest))]
internal sealed partial class StoreJson : JsonSerializerContext;
