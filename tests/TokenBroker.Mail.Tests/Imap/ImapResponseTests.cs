using TokenBroker.Mail.Imap;
using TokenBroker.Mail.Imap.Wire;

namespace TokenBroker.Mail.Tests.Imap;

public class ImapResponseTests
{
    [Fact]
    public void A_tagged_status_keeps_its_code_arguments_and_text()
    {
        var response = ImapResponse.Parse(ImapResponseFrame.FromLine("A7 NO [AUTHENTICATIONFAILED] Authentication failed."));
        Assert.Equal(new ImapStatusResponse("A7", ImapStatus.No, "AUTHENTICATIONFAILED", null, "Authentication failed."), response.Status);
        Assert.Equal("A7 NO [AUTHENTICATIONFAILED] Authentication failed.", response.Status!.ToString());
    }

    [Fact]
    public void A_code_with_arguments_is_split_from_the_text()
    {
        var status = ImapResponse.Parse(ImapResponseFrame.FromLine("* OK [UIDVALIDITY 1700000000] UIDs valid")).Status!;
        Assert.Equal(("UIDVALIDITY", "1700000000", "UIDs valid"), (status.Code, status.CodeArguments, status.Text));
    }

    [Fact]
    public void A_status_without_text_is_accepted()
    {
        var status = ImapResponse.Parse(ImapResponseFrame.FromLine("A1 OK")).Status!;
        Assert.Equal((ImapStatus.Ok, ""), (status.Status, status.Text));
    }

    [Fact]
    public void Numbered_untagged_data_has_its_number_and_upper_case_name()
    {
        var response = ImapResponse.Parse(ImapResponseFrame.FromLine("* 23 exists"));
        Assert.Equal((ImapResponseKind.Data, "EXISTS", (uint?)23), (response.Kind, response.Name, response.Number));
    }

    [Fact]
    public void A_continuation_keeps_its_text()
    {
        var response = ImapResponse.Parse(ImapResponseFrame.FromLine("+ eyJzdGF0dXMiOiI0MDEifQ=="));
        Assert.Equal((ImapResponseKind.Continuation, "eyJzdGF0dXMiOiI0MDEifQ=="), (response.Kind, response.ContinuationText));
    }

    [Fact]
    public void A_tagged_response_that_is_not_a_status_is_a_protocol_error_carrying_the_line()
    {
        var error = Assert.Throws<MailProtocolException>(() => ImapResponse.Parse(ImapResponseFrame.FromLine("A1 FETCH 3")));
        Assert.Contains("A1 FETCH 3", error.Message);
    }

    [Fact]
    public void An_empty_line_is_a_protocol_error()
    {
        Assert.Throws<MailProtocolException>(() => ImapResponse.Parse(ImapResponseFrame.FromLine("")));
    }

    [Fact]
    public void Literal_lengths_are_recognised_only_at_the_end_of_a_line()
    {
        Assert.True(ImapFrameReader.TryGetLiteralLength("* 1 FETCH (BODY[] {5310}"u8, out var length, out _));
        Assert.Equal(5310, length);
        Assert.True(ImapFrameReader.TryGetLiteralLength("~{12+}"u8, out var eight, out _));
        Assert.Equal(12, eight);
        Assert.False(ImapFrameReader.TryGetLiteralLength("* OK {5} later"u8, out _, out _));
        Assert.False(ImapFrameReader.TryGetLiteralLength("* OK {}"u8, out _, out _));
        Assert.False(ImapFrameReader.TryGetLiteralLength("* OK {99999999999999999999}"u8, out _, out var malformed));
        Assert.True(malformed);
    }

    [Fact]
    public void Body_literals_are_told_apart_from_other_literals()
    {
        Assert.True(ImapClient.IsBodyLiteral("* 1 FETCH (UID 4 BODY[] {120}"u8));
        Assert.True(ImapClient.IsBodyLiteral("* 1 FETCH (UID 4 BODY[]<0> {120}"u8));
        Assert.True(ImapClient.IsBodyLiteral("* 1 FETCH (RFC822 {120}"u8));
        Assert.True(ImapClient.IsBodyLiteral("* 1 FETCH (BINARY[] ~{120}"u8));
        Assert.False(ImapClient.IsBodyLiteral("* 1 FETCH (BODY[HEADER] {120}"u8));
        Assert.False(ImapClient.IsBodyLiteral("* LIST () \"/\" {7}"u8));
    }
}
