using System.CommandLine;
using DeepLite.Cli.Catalog;
using DeepLite.Toolchain.Conversion;

namespace DeepLite.Cli.Commands;

/// <summary><c>deeplite convert</c>: dequantize to float32, quantize to uint8/int8, or store weights as float16.</summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file or catalog name.", Required = true };
        var to = new Option<string>("--to") { Description = "float32 | uint8 | int8 | float16", Required = true };
        to.AcceptOnlyFromAmong("float32", "uint8", "int8", "float16");
        var calibration = new Option<string?>("--calibration") { Description = "Folder of calibration images (recursive .png/.jpg/.jpeg/.bmp); needed for uint8 and int8." };
        var count = new Option<int>("--calibration-count") { Description = "Most calibration images used.", DefaultValueFactory = _ => 100 };
        var output = new Option<string>("--out", "-o") { Description = "Where to write the converted model.", Required = true };
        var command = new Command("convert", "Convert a model: float32 <-> uint8/int8 quantization, float16 weights.") { model, to, calibration, count, output };
        command.SetAction(parse =>
        {
            var writer = parse.InvocationConfiguration.Output;
            string path = ModelCatalog.Resolve(parse.GetValue(model)!, parse.InvocationConfiguration.Error);
            var target = parse.GetValue(to) switch
            {
                "float32" => ConversionTarget.Float32,
                "uint8" => ConversionTarget.UInt8,
                "int8" => ConversionTarget.Int8,
                _ => ConversionTarget.Float16,
            };
            string outPath = parse.GetValue(output)!;
            var report = ModelConverter.Convert(path, target, outPath, parse.GetValue(calibration), parse.GetValue(count));
            writer.WriteLine($"{path}: {report.InputBytes} bytes -> {outPath} ({parse.GetValue(to)}): {report.OutputBytes} bytes ({100.0 * report.OutputBytes / report.InputBytes:F1}%)"
                + (report.CalibrationImages > 0 ? $", calibrated on {report.CalibrationImages} images" : ""));
            return 0;
        });
        return command;
    }
}
