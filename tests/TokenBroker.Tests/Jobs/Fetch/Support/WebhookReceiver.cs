using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using TokenBroker.Jobs.Fetch.Sinks;
using TokenBroker.Tests.Jobs.Mail.Support;

namespace TokenBroker.Tests.Jobs.Fetch.Support;

/// <summary>One POST the receiver took: the raw body and the headers the broker sent.</summary>
internal sealed record ReceivedDelivery(byte[] Body, string? WebhookId, string? Timestamp, string? Signature, string? Mailbox, string? Uid,
    string? DeliveryId, string? ContentType, string? ApiKey, string Path)
{
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>Standard Webhooks: "v1," + base64(HMAC-SHA256(key, id.timestamp.body)), the key being a whsec_ secret's decoded bytes.</summary>
    public bool SignatureIsValidFor(string whsecSecret)
    {
        var key = Convert.FromBase64String(whsecSecret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, (byte[])[.. Encoding.UTF8.GetBytes($"{WebhookId}.{Timestamp}."), .. Body]));
        return Signature == expected;
    }
}

/// <summary>
/// A webhook receiver on 127.0.0.1 run by the test: records every POST and answers with the status <see cref="Respond"/>
/// chooses (200 by default), the way a helpdesk's email-piping endpoint would.
/// </summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public WebhookReceiver(int? port = null)
    {
        Port = port ?? MailBrokerPeers.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/hook";
    public ConcurrentQueue<ReceivedDelivery> Accepted { get; } = new();
    public int Attempts;

    /// <summary>The status for the n-th attempt (1-based) and its body; 2xx means the receiver keeps the message.</summary>
    public Func<int, ReceivedDelivery, (int Status, string Body)> Respond { get; set; } = (_, _) => (200, "ok");

    /// <summary>Runs before answering (e.g. to interfere with the broker mid-fetch).</summary>
    public Func<ReceivedDelivery, Task>? OnReceived { get; set; }

    /// <summary>Accepted deliveries by delivery id: a redelivery the receiver absorbs counts once.</summary>
    public IReadOnlyDictionary<string, int> AcceptedPerDeliveryId =>
        Accepted.GroupBy(d => d.DeliveryId ?? "").ToDictionary(g => g.Key, g => g.Count());

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) when (!_listener.IsListening) { return; }
            catch (HttpListenerException) { return; }
            catch (ObjectDisposedException) { return; }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer);
            var headers = context.Request.Headers;
            var delivery = new ReceivedDelivery(buffer.ToArray(), headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"],
                headers[WebhookSink.MailboxHeader], headers[WebhookSink.UidHeader], headers[WebhookSink.DeliveryIdHeader], context.Request.ContentType,
                headers["X-API-Key"], context.Request.Url!.AbsolutePath);
            var attempt = Interlocked.Increment(ref Attempts);
            if (OnReceived is { } hook) await hook(delivery);
            var (status, body) = Respond(attempt, delivery);
            // Like a real receiver: what it has taken stays taken even if the broker hangs up before the answer.
            if (status is >= 200 and < 300) Accepted.Enqueue(delivery);
            context.Response.StatusCode = status;
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
            context.Response.Close();
        }
        catch (Exception exception) when (exception is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The broker dropped the connection mid-request (a cancelled or crashed fetch).
        }
    }

    public void Dispose()
    {
        // Close alone: Stop then Close makes the managed HttpListener bind the port again to remove its prefixes, which
        // fails with "Address already in use" when another test took the port in between.
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
