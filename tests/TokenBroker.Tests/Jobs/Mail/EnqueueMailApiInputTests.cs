using System.Net;
using System.Text;
using System.Text.Json;
using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;
using TokenBroker.Tests.Hosting.Support;

namespace TokenBroker.Tests.Jobs.Mail;

/// <summary>POST /api/mail answers hostile or malformed requests with a 400 and a sentence, never a 500, and queues nothing.</summary>
public sealed class EnqueueMailApiInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, string Problem)> PostAsync(string json)
    {
        await using var broker = await RunningBroker.StartAsync(HostingMode.Standalone, FunctionCatalog.ForTypes([typeof(TokenBroker.Functions.EnqueueMailFunction)]));
        using var response = await broker.Client.PostAsync("/api/mail", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        if (response.StatusCode != HttpStatusCode.BadRequest) return (response.StatusCode, body);
        using var problems = JsonDocument.Parse(body);
        return (response.StatusCode, string.Join(" | ", problems.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString())));
    }

    [Fact]
    public async Task Null_to_is_a_400_naming_the_field()
    {
        var (status, problem) = await PostAsync("""{"version":1,"kind":"send","id":"n-1","from":"a@contoso.com","to":null,"cc":["b@example.com"],"text":"hi"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("\"to\" must be a list of addresses (leave it out for none); it is null.", problem);
    }

    [Fact]
    public async Task A_null_attachment_is_a_400_not_a_500()
    {
        var (status, problem) = await PostAsync("""{"version":1,"kind":"send","id":"n-2","from":"a@contoso.com","to":["b@example.com"],"text":"hi","attachments":[null]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Attachment 1 must be an object; it is null.", problem);
    }

    [Fact]
    public async Task An_encoded_word_display_name_hiding_a_line_break_is_a_400_not_a_500()
    {
        var hidden = "=?utf-8?B?" + Convert.ToBase64String("Eve\r\nBcc: victim@example.com"u8.ToArray()) + "?= <eve@example.com>";
        var (status, problem) = await PostAsync($$"""{"version":1,"kind":"send","id":"n-3","from":"a@contoso.com","to":[{{JsonSerializer.Serialize(hidden)}}],"text":"hi"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("The \"to\" address", problem);
    }

    [Fact]
    public async Task More_than_500_recipients_is_a_400()
    {
        var to = JsonSerializer.Serialize(Enumerable.Range(0, 501).Select(i => $"r{i}@example.com"));
        var (status, problem) = await PostAsync($$"""{"version":1,"kind":"send","id":"n-4","from":"a@contoso.com","to":{{to}},"text":"hi"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("The request has 501 recipients", problem);
    }

    [Fact]
    public async Task A_number_where_a_string_is_expected_is_a_400_naming_the_field()
    {
        var (status, problem) = await PostAsync("""{"version":1,"kind":"send","id":"n-5","from":"a@contoso.com","to":["b@example.com"],"subject":42,"text":"hi"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("\"subject\" must be a string (or left out); it is a number.", problem);
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_a_400_with_the_limit()
    {
        var text = new string('x', 70 * 1024);
        var (status, problem) = await PostAsync($$"""{"version":1,"kind":"send","id":"n-6","from":"a@contoso.com","to":["b@example.com"],"text":"{{text}}"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("larger than 65536 bytes", problem);
    }
}
