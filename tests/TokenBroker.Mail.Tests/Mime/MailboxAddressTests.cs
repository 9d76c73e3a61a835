using TokenBroker.Mail.Mime;

namespace TokenBroker.Mail.Tests.Mime;

public class MailboxAddressTests
{
    [Theory]
    [InlineData("user@example.com")]
    [InlineData("first.last+tag@sub.example.co.uk")]
    [InlineData("\"with space\"@example.com")]
    [InlineData("user@[192.0.2.1]")]
    [InlineData("josé@exämple.com")]
    [InlineData("postmaster@localhost")]
    public void Valid_addr_specs_are_accepted(string address) => Assert.True(MailboxAddress.IsValidAddress(address));

    [Theory]
    [InlineData("")]
    [InlineData("no-at-sign")]
    [InlineData("@example.com")]
    [InlineData("user@")]
    [InlineData(".user@example.com")]
    [InlineData("us..er@example.com")]
    [InlineData("user@-example.com")]
    [InlineData("us er@example.com")]
    [InlineData("<user@example.com>")]
    [InlineData("user@example.com\r\nBcc: x@y.z")]
    public void Invalid_addr_specs_are_refused(string address) => Assert.False(MailboxAddress.IsValidAddress(address));

    [Theory]
    [InlineData("Alice Example <alice@example.com>", "Alice Example", "alice@example.com")]
    [InlineData("\"Example, Alice\" <alice@example.com>", "Example, Alice", "alice@example.com")]
    [InlineData("<alice@example.com>", null, "alice@example.com")]
    [InlineData("  alice@example.com ", null, "alice@example.com")]
    [InlineData("=?utf-8?Q?J=C3=BCrgen?= <j@example.com>", "Jürgen", "j@example.com")]
    public void Display_name_forms_parse(string text, string? name, string address)
    {
        var parsed = MailboxAddress.Parse(text);

        Assert.Equal(name, parsed.DisplayName);
        Assert.Equal(address, parsed.Address);
    }

    [Fact]
    public void Lists_split_on_commas_outside_quotes_and_skip_group_names_and_comments()
    {
        var list = MailboxAddress.ParseList("\"B, C\" <b@example.com>, a@example.com (Alice), team: d@example.com, e@example.com;");

        Assert.Equal(["b@example.com", "a@example.com", "d@example.com", "e@example.com"], list.Select(a => a.Address));
        Assert.Equal("B, C", list[0].DisplayName);
    }

    [Fact]
    public void Line_break_in_a_display_name_is_header_injection() =>
        Assert.Throws<MimeHeaderInjectionException>(() => new MailboxAddress("a@example.com", "Alice\r\nBcc: victim@example.com"));

    [Theory]
    [InlineData("=?utf-8?Q?Eve=0D=0ABcc:_x@y?= <eve@example.com>")]
    [InlineData("=?utf-8?Q?Eve=0D=0ABcc=3A_x=40y?= <eve@example.com>")]
    [InlineData("=?utf-8?B?RXZlDQpCY2M6IHhAeQ==?= <eve@example.com>")]
    [InlineData("=?utf-8?Q?Eve=00?= <eve@example.com>")]
    [InlineData("\"Eve\0\" <eve@example.com>")]
    public void A_display_name_hiding_a_line_break_or_nul_is_refused_as_header_injection(string text)
    {
        Assert.False(MailboxAddress.TryParse(text, out _, out var error));

        Assert.Contains("control character (CR, LF or NUL)", error);
        Assert.Contains("inject headers", Assert.Throws<FormatException>(() => MailboxAddress.Parse(text)).Message);
    }

    [Fact]
    public void Group_syntax_is_refused_as_not_one_mailbox()
    {
        Assert.False(MailboxAddress.TryParse("team: d@example.com;", out _, out var error));

        Assert.Equal("'team: d@example.com;' is group syntax (name: addresses;), not a single mailbox", error);
    }

    [Fact]
    public void A_source_route_is_refused()
    {
        Assert.False(MailboxAddress.TryParse("<@relay.example:alice@example.com>", out _, out var error));

        Assert.Contains("source-routed", error);
    }

    [Fact]
    public void An_address_over_254_characters_is_refused()
    {
        var address = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".example";

        Assert.False(MailboxAddress.TryParse(address, out _, out var error));

        Assert.Contains("longer than 254 characters", error);
    }

    [Fact]
    public void Two_addresses_are_not_one_mailbox()
    {
        Assert.False(MailboxAddress.TryParse("a@example.com, b@example.com", out _, out var error));

        Assert.Contains("is not a valid e-mail address", error);
    }

    [Fact]
    public void A_parsed_mailbox_becomes_the_same_mimekit_mailbox()
    {
        var mailbox = MailboxAddress.Parse("\"Example, Alice\" <alice@example.com>").ToMimeKit();

        Assert.Equal("\"Example, Alice\" <alice@example.com>", mailbox.ToString());
    }
}
