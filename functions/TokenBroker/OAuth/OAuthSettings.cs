using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace TokenBroker.OAuth;

/// <summary>
/// The broker starts without OAuth settings (health, the mail CLI and queues work without them), so the
/// sign-in and token endpoints check them on use and answer 500 naming what is missing.
/// </summary>
internal static class OAuthSettings
{
    public const string NotConfiguredTitle = "The broker is not configured for sign-in";

    /// <summary>True when any OAuth setting has a value: then every one the sign-in needs must be valid at start.</summary>
    public static bool AnyConfigured(IConfiguration configuration) =>
        configuration.GetSection(OAuthOptions.SectionName).AsEnumerable(makePathsRelative: true).Any(pair => !string.IsNullOrWhiteSpace(pair.Value));

    public static bool TryGet(IOptions<OAuthOptions> options, [NotNullWhen(true)] out OAuthOptions? value, [NotNullWhen(false)] out IReadOnlyList<string>? failures)
    {
        try
        {
            value = options.Value;
            failures = null;
            return true;
        }
        catch (OptionsValidationException exception)
        {
            value = null;
            failures = [.. exception.Failures];
            return false;
        }
    }

    public static IResult NotConfiguredProblem(IReadOnlyList<string> failures) =>
        TypedResults.Problem(detail: string.Join(" ", failures), statusCode: StatusCodes.Status500InternalServerError, title: NotConfiguredTitle);
}
