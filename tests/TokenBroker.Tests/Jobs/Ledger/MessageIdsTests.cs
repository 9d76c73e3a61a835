using TokenBroker.Jobs.Ledger;

namespace TokenBroker.Tests.Jobs.Ledger;

public sealed class MessageIdsTests
{
    [Fact]
    public void A_message_id_is_a_lower_case_base32_sha256_at_the_from_domain()
    {
        Assert.Matches("^<[a-z2-7]{52}@contoso\\.com>$", MessageIds.For("alice@contoso.com", "req-1", "Contoso.com"));
    }

    [Fact]
    public void The_same_mailbox_and_key_always_give_the_same_message_id()
    {
        // Pinned: a redelivery after an upgrade must still produce the Message-ID of the first attempt.
        Assert.Equal(MessageIds.For("alice@contoso.com", "req-1", "contoso.com"), MessageIds.For("alice@contoso.com", "req-1", "contoso.com"));
        Assert.Equal(ExpectedFor("alice@contoso.com\nreq-1", "contoso.com"), MessageIds.For("alice@contoso.com", "req-1", "contoso.com"));
    }

    [Fact]
    public void The_mailbox_is_compared_case_insensitively()
    {
        Assert.Equal(MessageIds.For("alice@contoso.com", "req-1", "contoso.com"), MessageIds.For("Alice@CONTOSO.com", "req-1", "contoso.com"));
    }

    [Fact]
    public void Different_keys_or_mailboxes_give_different_message_ids()
    {
        var ids = new[]
        {
            MessageIds.For("alice@contoso.com", "req-1", "contoso.com"),
            MessageIds.For("alice@contoso.com", "req-2", "contoso.com"),
            MessageIds.For("alice@contoso.com", "Req-1", "contoso.com"),
            MessageIds.For("bob@contoso.com", "req-1", "contoso.com"),
            // Without a separator these two would hash the same text.
            MessageIds.For("a@b.c", "om1", "contoso.com"),
            MessageIds.For("a@b.com", "1", "contoso.com"),
        };

        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void The_domain_of_an_address_is_its_lower_cased_part_after_the_last_at()
    {
        Assert.Equal("contoso.com", MessageIds.DomainOf("\"odd@name\"@Contoso.COM"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("contoso .com")]
    [InlineData("contoso.com>")]
    [InlineData(".contoso.com")]
    [InlineData("contoso..com")]
    public void A_domain_that_cannot_be_in_a_message_id_is_refused(string domain)
    {
        Assert.ThrowsAny<ArgumentException>(() => MessageIds.For("alice@contoso.com", "req-1", domain));
    }

    [Fact]
    public void An_address_without_a_domain_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => MessageIds.DomainOf("alice"));

        Assert.Contains("alice", error.Message);
    }

    private static string ExpectedFor(string input, string domain)
    {
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(input));
        return $"<{LowerBase32.Encode(digest)}@{domain}>";
    }
}
