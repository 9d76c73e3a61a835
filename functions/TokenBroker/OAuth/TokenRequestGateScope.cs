namespace TokenBroker.OAuth;

/// <summary>
/// The gate the identity-provider requests of one token call go through, carried by the call's async flow: MSAL builds
/// and sends its own HTTP requests, so there is nothing else to hang the gate on. <see cref="GatedIdentityProviderHandler"/>
/// reads it; outside a scope requests pass ungated.
/// </summary>
public static class TokenRequestGateScope
{
    private static readonly AsyncLocal<ITokenRequestGate?> Ambient = new();

    public static ITokenRequestGate? Current => Ambient.Value;

    /// <summary>Until disposed, this flow's identity-provider requests take a slot of <paramref name="gate"/> (null: none).</summary>
    public static IDisposable Enter(ITokenRequestGate? gate)
    {
        var previous = Ambient.Value;
        Ambient.Value = gate;
        return new Restore(previous);
    }

    private sealed class Restore(ITokenRequestGate? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
