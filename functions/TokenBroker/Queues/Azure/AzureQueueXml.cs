using System.Globalization;
using System.Security;
using System.Text;
using System.Xml.Linq;

namespace TokenBroker.Queues;

/// <summary>
/// The queue service's XML bodies. Message texts travel base64-encoded (UTF-8), the Functions host's
/// default "messageEncoding": "base64", so a message put here triggers a host function and vice versa.
/// </summary>
internal static class AzureQueueXml
{
    public static string EncodeText(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>Base64 is decoded; a text that is not base64 (put by a client using no encoding) is kept as it is.</summary>
    public static string DecodeText(string wireText)
    {
        var buffer = new byte[wireText.Length];
        return Convert.TryFromBase64String(wireText, buffer, out var written)
            ? Encoding.UTF8.GetString(buffer, 0, written)
            : wireText;
    }

    public static string PutMessageBody(string text) =>
        $"<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessage><MessageText>{SecurityElement.Escape(EncodeText(text))}</MessageText></QueueMessage>";

    public static IReadOnlyList<ReceivedQueueMessage> ParseMessages(string xml)
    {
        var document = XDocument.Parse(xml);
        return document.Root!.Elements("QueueMessage").Select(m => new ReceivedQueueMessage(
            Id: Required(m, "MessageId"),
            PopReceipt: Required(m, "PopReceipt"),
            Text: DecodeText(m.Element("MessageText")?.Value ?? ""),
            DequeueCount: long.Parse(Required(m, "DequeueCount"), CultureInfo.InvariantCulture),
            InsertionTime: ParseDate(Required(m, "InsertionTime")),
            ExpirationTime: ParseDate(Required(m, "ExpirationTime")),
            NextVisibleTime: ParseDate(Required(m, "TimeNextVisible")))).ToList();
    }

    public static DateTimeOffset ParseDate(string value) =>
        DateTimeOffset.ParseExact(value, "R", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string Required(XElement message, string name) =>
        message.Element(name)?.Value ?? throw new FormatException($"The queue service's message has no <{name}>.");
}
