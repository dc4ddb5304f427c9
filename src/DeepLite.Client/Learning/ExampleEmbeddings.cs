using System.Text;
using DeepLite.Modeling;

namespace DeepLite.Client.Learning;

/// <summary>
/// The embeddings of the examples a model was personalised with, kept inside the model (metadata entry
/// <see cref="ModelPersonalizer.ExampleEmbeddingsMetadata"/>) so a later fine-tune or refinement can train on every
/// example so far without the images. Personalisation changes only the last layer, so an embedding stays valid in
/// every later version of the model.
/// </summary>
/// <remarks>Format: records back to back, each <c>int32 n, n bytes of UTF-8 label, int32 d, d float32</c>, little-endian.
/// A record costs <c>8 + n + 4·d</c> bytes (about 1 KB for MobileNet v1 0.25, 4 KB for 1.0).</remarks>
internal static class ExampleEmbeddings
{
    /// <summary>The cached (label, embedding) pairs of <paramref name="graph"/>, in the order they were added; empty when none.</summary>
    /// <exception cref="PersonalizationException">The entry is truncated or malformed.</exception>
    public static List<(string Label, float[] Embedding)> Read(ModelGraph graph)
    {
        var examples = new List<(string, float[])>();
        if (graph.FindMetadata(ModelPersonalizer.ExampleEmbeddingsMetadata) is not { } data) return examples;
        using var reader = new BinaryReader(new MemoryStream(data), Encoding.UTF8);
        try
        {
            while (reader.BaseStream.Position < data.Length)
            {
                int labelBytes = reader.ReadInt32();
                if (labelBytes <= 0 || labelBytes > data.Length) throw new InvalidDataException($"label length {labelBytes}");
                string label = Encoding.UTF8.GetString(reader.ReadBytes(labelBytes));
                int depth = reader.ReadInt32();
                if (depth <= 0 || depth > data.Length / sizeof(float)) throw new InvalidDataException($"embedding length {depth}");
                var embedding = new float[depth];
                for (int i = 0; i < depth; i++) embedding[i] = reader.ReadSingle();
                examples.Add((label, embedding));
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException)
        {
            throw new PersonalizationException($"The model's {ModelPersonalizer.ExampleEmbeddingsMetadata} metadata is malformed: {e.Message}", e);
        }
        return examples;
    }

    /// <summary>Replaces the cached examples of <paramref name="graph"/> with <paramref name="examples"/>.</summary>
    public static void Write(ModelGraph graph, IEnumerable<(string Label, float[] Embedding)> examples)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            foreach (var (label, embedding) in examples)
            {
                byte[] labelBytes = Encoding.UTF8.GetBytes(label);
                writer.Write(labelBytes.Length);
                writer.Write(labelBytes);
                writer.Write(embedding.Length);
                foreach (float v in embedding) writer.Write(v);
            }
        }
        graph.SetMetadata(ModelPersonalizer.ExampleEmbeddingsMetadata, stream.ToArray());
    }
}
