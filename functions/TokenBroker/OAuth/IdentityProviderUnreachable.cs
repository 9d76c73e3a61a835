using System.Security.Authentication;

namespace TokenBroker.OAuth;

/// <summary>
/// Words for the failures that happen before the identity provider says anything: its address does not answer, or
/// its TLS certificate is not trusted (a private CA the broker was not told about). MSAL lets these through as
/// <see cref="HttpRequestException"/> (sometimes wrapped); without this the callback would answer a blank 500.
/// </summary>
internal static class IdentityProviderUnreachable
{
    public static bool Matches(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && Find(exception) is not null;

    public static ConsentOutcome Outcome(Exception exception)
    {
        var (title, paragraphs) = Explain(exception);
        return ConsentOutcome.Problem(503, title, [.. paragraphs, "Nothing was stored."]);
    }

    public static (string Title, string[] Paragraphs) Explain(Exception exception)
    {
        var network = Find(exception) ?? exception;
        if (network is TaskCanceledException or TimeoutException)
            return ("The identity provider is not answering",
                ["The identity provider did not answer within OAuth:HttpTimeout.", "Try again in a moment; if it persists, check the broker's network path to OAuth:AuthorityHost."]);
        if (Untrusted(network) is { } tls)
            return ("The identity provider's certificate is not trusted",
                [$"The broker refused the identity provider's TLS certificate ({tls.Message.TrimEnd('.')}).",
                 "If the identity provider uses a private CA, give its certificate as a PEM file in OAuth:TrustedCaFile; host names are checked either way."]);
        return ("The identity provider cannot be reached",
            [$"The broker could not connect to the identity provider ({network.Message.TrimEnd('.')}).",
             "Check OAuth:AuthorityHost and the broker's network path to it, then try again."]);
    }

    private static Exception? Find(Exception? exception) => exception is null ? null
        : ExceptionChain.Of(exception).FirstOrDefault(e => e is HttpRequestException or TaskCanceledException or TimeoutException or System.Net.Sockets.SocketException);

    private static AuthenticationException? Untrusted(Exception exception) => ExceptionChain.Of(exception).OfType<AuthenticationException>().FirstOrDefault();
}
