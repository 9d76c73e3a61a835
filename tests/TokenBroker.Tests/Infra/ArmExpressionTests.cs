using System.Text.Json;
using TokenBroker.Tests.Infra.Support;

namespace TokenBroker.Tests.Infra;

/// <summary>The tests' ARM expression evaluator reads expressions the way Azure Resource Manager does.</summary>
public class ArmExpressionTests
{
    private static readonly ArmEvaluationContext Context = new(
        JsonDocument.Parse("""{ "parameters": { "plan": { "type": "string", "defaultValue": "Flex" } }, "variables": { "names": ["a", "b"], "map": { "Flex": "FC1" } } }""").RootElement,
        new Dictionary<string, object?>(), "rg");

    private static object? Evaluate(string expression) => ArmExpression.EvaluateString(expression, Context);

    [Fact]
    public void A_nested_resource_id_interleaves_types_and_names()
    {
        Assert.Equal("/subscriptions/00000000-0000-0000-0000-00000000feed/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/blobServices/default",
            Evaluate("[resourceId('Microsoft.Storage/storageAccounts/blobServices', 'st', 'default')]"));
    }

    [Fact]
    public void Doubled_quotes_in_a_string_literal_are_one_quote_and_a_leading_double_bracket_is_literal()
    {
        Assert.Equal("it's", Evaluate("[format('{0}''s', 'it')]"));
        Assert.Equal("[not an expression]", Evaluate("[[not an expression]"));
    }

    [Fact]
    public void If_evaluates_only_the_branch_it_takes()
    {
        Assert.Equal("FC1", Evaluate("[if(equals(parameters('plan'), 'Flex'), variables('map')[parameters('plan')], unknownFunction())]"));
    }

    [Fact]
    public void Indexers_and_property_access_read_arrays_and_objects()
    {
        Assert.Equal("b", Evaluate("[variables('names')[1]]"));
        Assert.Equal(".vault.azure.net", Evaluate("[environment().suffixes.keyvaultDns]"));
    }

    [Fact]
    public void A_function_the_evaluator_does_not_know_fails_naming_it()
    {
        var error = Assert.Throws<NotSupportedException>(() => Evaluate("[listKeys('x', '2023-01-01')]"));

        Assert.Contains("listKeys", error.Message);
    }
}
