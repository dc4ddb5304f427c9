using System.Globalization;

namespace DeepLite.Cli.Benchmarking;

/// <summary>Peak memory of the current process as the operating system reports it.</summary>
internal static class ProcessMemory
{
    /// <summary>The resident set's high-water mark as the Linux kernel reports it (<c>VmHWM</c> in
    /// <c>/proc/self/status</c>), or null on other systems or when the line cannot be read.</summary>
    public static long? LinuxHighWaterMarkBytes()
    {
        const string StatusFile = "/proc/self/status";
        const string Key = "VmHWM:";
        if (!OperatingSystem.IsLinux() || !File.Exists(StatusFile)) return null;
        foreach (string line in File.ReadLines(StatusFile))
        {
            if (!line.StartsWith(Key, StringComparison.Ordinal)) continue;
            // "VmHWM:	   51234 kB"
            string[] parts = line[Key.Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return parts.Length == 2 && parts[1] == "kB" && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kibibytes)
                ? kibibytes * 1024
                : null;
        }
        return null;
    }
}
