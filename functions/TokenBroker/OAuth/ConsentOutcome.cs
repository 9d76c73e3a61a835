namespace TokenBroker.OAuth;

/// <summary>What the consent callback tells the person in the browser: an HTTP status, a title, sentences.</summary>
public sealed record ConsentOutcome(int StatusCode, string Title, IReadOnlyList<string> Paragraphs)
{
    public bool Succeeded => StatusCode < 400;

    public static ConsentOutcome Problem(int statusCode, string title, params string[] paragraphs) => new(statusCode, title, paragraphs);
}
