using TokenBroker.OAuth;
using TokenBroker.Store;
using TokenBroker.Testing;

namespace TokenBroker.Tests.OAuth;

public sealed class ConsentStateProtectorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class FixedSecrets(byte[] key) : IBrokerSecrets
    {
        public Task<byte[]> GetOrCreateKeyAsync(string name, int sizeBytes, CancellationToken cancellationToken = default) => Task.FromResult(key);
    }

    private static readonly ManualTimeProvider Clock = new();
    private static ConsentState NewState(TimeSpan lifetime) =>
        new("alice@contoso.com", ConsentState.NewNonce(), (Clock.GetUtcNow() + lifetime).ToUnixTimeSeconds(), "tenant", MailProtocols.Imap | MailProtocols.Smtp, null);

    [Fact]
    public async Task A_protected_state_comes_back_unchanged()
    {
        var protector = new ConsentStateProtector(new FixedSecrets(new byte[32]), Clock);
        var state = NewState(TimeSpan.FromMinutes(10));

        var (back, problem) = await protector.UnprotectAsync(await protector.ProtectAsync(state, Ct), Ct);

        Assert.Equal(ConsentStateProblem.None, problem);
        Assert.Equal(state, back);
    }

    [Fact]
    public async Task A_state_signed_with_another_key_is_a_bad_signature()
    {
        var issued = await new ConsentStateProtector(new FixedSecrets(Enumerable.Repeat((byte)1, 32).ToArray()), Clock).ProtectAsync(NewState(TimeSpan.FromMinutes(10)), Ct);

        var (_, problem) = await new ConsentStateProtector(new FixedSecrets(new byte[32]), Clock).UnprotectAsync(issued, Ct);

        Assert.Equal(ConsentStateProblem.BadSignature, problem);
    }

    [Fact]
    public async Task A_state_with_an_edited_payload_is_a_bad_signature()
    {
        var protector = new ConsentStateProtector(new FixedSecrets(new byte[32]), Clock);
        var issued = await protector.ProtectAsync(NewState(TimeSpan.FromMinutes(10)), Ct);
        var other = await protector.ProtectAsync(NewState(TimeSpan.FromMinutes(10)) with { Mailbox = "mallory@contoso.com" }, Ct);
        var spliced = other.Split('.')[0] + "." + issued.Split('.')[1];

        Assert.Equal(ConsentStateProblem.BadSignature, (await protector.UnprotectAsync(spliced, Ct)).Problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-dot")]
    [InlineData("a.b.c")]
    [InlineData("!!!.???")]
    public async Task Garbage_is_malformed(string text)
    {
        var protector = new ConsentStateProtector(new FixedSecrets(new byte[32]), Clock);

        Assert.Equal(ConsentStateProblem.Malformed, (await protector.UnprotectAsync(text, Ct)).Problem);
    }

    [Fact]
    public async Task A_state_past_its_expiry_is_expired()
    {
        var clock = new ManualTimeProvider();
        var protector = new ConsentStateProtector(new FixedSecrets(new byte[32]), clock);
        var issued = await protector.ProtectAsync(
            new ConsentState("a@contoso.com", "n", (clock.GetUtcNow() + TimeSpan.FromMinutes(10)).ToUnixTimeSeconds(), "t", MailProtocols.Imap, null), Ct);
        clock.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(ConsentStateProblem.Expired, (await protector.UnprotectAsync(issued, Ct)).Problem);
    }
}
