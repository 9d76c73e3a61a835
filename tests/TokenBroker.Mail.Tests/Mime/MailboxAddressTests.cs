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
}
