namespace TokenBroker.Mail.Tokens;

/// <summary>A duration as an operator reads it in one line: the largest whole unit, one decimal at most.</summary>
internal static class DurationText
{
    public static string Of(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.#} d"
        : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} h"
        : span.TotalMinutes >= 1 ? $"{span.TotalMinutes:0} min"
        : $"{span.TotalSeconds:0} s";
}
