using System.Globalization;

namespace TokenBroker.Tests.Infra.Support;

/// <summary>The ARM template functions the TokenBroker template calls; see <see cref="ArmExpression"/>.</summary>
internal static class ArmFunctions
{
    public static object? Call(string name, IReadOnlyList<Func<object?>> arguments, ArmEvaluationContext context)
    {
        object? Arg(int i) => arguments[i]();
        string Text(int i) => AsText(Arg(i));
        IEnumerable<object?> All() => arguments.Select(a => a());

        switch (name.ToLowerInvariant())
        {
            case "parameters": return context.Parameter(Text(0));
            case "variables": return context.Variable(Text(0));
            case "copyindex": return (long)(context.CopyIndex ?? throw new InvalidOperationException("copyIndex() outside a copy loop."));
            case "format":
                {
                    var values = arguments.Skip(1).Select(a => (object?)AsText(a())).ToArray();
                    return string.Format(CultureInfo.InvariantCulture, Text(0), values);
                }
            case "concat":
                {
                    var values = All().ToList();
                    return values.All(v => v is List<object?>) ? values.SelectMany(v => (List<object?>)v!).ToList() : string.Concat(values.Select(AsText));
                }
            case "tolower": return Text(0).ToLowerInvariant();
            case "toupper": return Text(0).ToUpperInvariant();
            case "replace": return Text(0).Replace(Text(1), Text(2), StringComparison.Ordinal);
            case "take":
                {
                    var count = (int)(long)Arg(1)!;
                    return Arg(0) is List<object?> list ? list.Take(count).ToList() : new string(Text(0).Take(count).ToArray());
                }
            case "length": return Arg(0) switch { List<object?> l => (long)l.Count, Dictionary<string, object?> d => (long)d.Count, var v => (long)AsText(v).Length };
            case "empty": return Arg(0) switch { null => true, List<object?> l => l.Count == 0, Dictionary<string, object?> d => d.Count == 0, var v => AsText(v).Length == 0 };
            case "equals": return Equals(Arg(0), Arg(1));
            case "not": return !(bool)Arg(0)!;
            case "and": return All().All(v => (bool)v!);
            case "or": return All().Any(v => (bool)v!);
            case "if": return (bool)Arg(0)! ? Arg(1) : Arg(2);
            case "true": return true;
            case "false": return false;
            case "createobject":
                {
                    var map = NewObject();
                    for (var i = 0; i < arguments.Count; i += 2) map[Text(i)] = Arg(i + 1);
                    return map;
                }
            case "union":
                {
                    var merged = NewObject();
                    foreach (var value in All())
                        foreach (var (key, item) in (Dictionary<string, object?>)value!) merged[key] = item;
                    return merged;
                }
            case "uniquestring": return ArmExpression.StableHash(All().Select(AsText))[..13];
            case "guid":
                {
                    var hex = ArmExpression.StableHash(All().Select(AsText));
                    return new Guid(Convert.FromHexString(hex[..32])).ToString();
                }
            case "resourcegroup": return context.ResourceGroup();
            case "subscription": return context.Subscription();
            case "environment": return ArmEvaluationContext.PublicCloud();
            case "resourceid": return context.ResourceId(All().Select(AsText).ToList());
            case "subscriptionresourceid": return $"/subscriptions/{context.SubscriptionId}/providers/{Text(0)}/{string.Join('/', arguments.Skip(1).Select(a => AsText(a())))}";
            case "reference": return new DeploymentTimeValue($"reference({string.Join(", ", All().Select(AsText))})");
            case "string": return AsText(Arg(0));
            default: throw new NotSupportedException($"The template calls ARM function '{name}', which the template tests do not evaluate yet: add it to {nameof(ArmFunctions)}.");
        }
    }

    public static Dictionary<string, object?> NewObject() => new(StringComparer.OrdinalIgnoreCase);

    public static string AsText(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        DeploymentTimeValue d => d.ToString(),
        _ => throw new InvalidOperationException($"Cannot use {value.GetType().Name} as text in an ARM expression."),
    };
}
