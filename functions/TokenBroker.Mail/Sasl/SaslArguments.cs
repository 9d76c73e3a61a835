namespace TokenBroker.Mail.Sasl;

internal static class SaslArguments
{
    // A ^A or line break inside a user name or token would end the field early and let the rest be
    // read as another key: refuse it rather than send an ambiguous message.
    public static void RequireNoControlCharacters(string value, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameterName);
        if (value.Any(char.IsControl))
            throw new ArgumentException("must not contain control characters (^A, CR, LF, …)", parameterName);
    }

    public static void RequireToken(string token, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(token, parameterName);
        if (token.Any(c => c <= ' ' || c > '~'))
            throw new ArgumentException("an access token contains only printable ASCII without spaces (check the token file for a trailing line break)", parameterName);
    }
}
