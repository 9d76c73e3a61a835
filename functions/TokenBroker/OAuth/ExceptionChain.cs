namespace TokenBroker.OAuth;

/// <summary>An exception and its inner exceptions, outermost first.</summary>
internal static class ExceptionChain
{
    public static IEnumerable<Exception> Of(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException) yield return e;
    }
}
