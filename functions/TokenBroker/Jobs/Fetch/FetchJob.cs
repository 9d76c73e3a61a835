using Microsoft.Extensions.Logging;
using TokenBroker.Jobs.Fetch.Sinks;
using TokenBroker.Jobs.Ledger;
using TokenBroker.Jobs.Mail;
using TokenBroker.Mail;
using TokenBroker.Mail.Fetch;
using TokenBroker.OAuth;
using TokenBroker.Store;

namespace TokenBroker.Jobs.Fetch;

/// <summary>
/// Runs one fetch request: mailbox check, token, the checkpoint from the ledger, then every new message (up to
/// maxMessages) to the sink, the checkpoint saved after each one the sink accepted, the after-fetch action only after
/// delivery, and one mail.fetched event. Permanent failures (also a folder the server cannot open, see
/// <see cref="FetchServerRefusals"/>) throw <see cref="MailRequestRejectedException"/>; anything else (network, 5xx at the
/// webhook, a concurrent fetch of the same folder) is transient.
/// </summary>
public sealed class FetchJob(
    IMailboxRegistry registry,
    IMailboxTokenProvider tokens,
    IMailLedger ledger,
    MessageSinkFactory sinks,
    MailServers servers,
    FetchEvents events,
    TimeProvider timeProvider,
    ILogger<FetchJob> logger) : IFetchJob
{
    public async Task RunAsync(FetchRequest request, InvocationOutputs context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var imap = request.Protocol.Equals("imap", StringComparison.OrdinalIgnoreCase);
        if (!imap && !request.Protocol.Equals("pop3", StringComparison.OrdinalIgnoreCase))
            throw new MailRequestRejectedException($"Unknown protocol \"{request.Protocol}\"; use \"imap\" or \"pop3\".");
        var protocol = imap ? "imap" : "pop3";
        var folder = imap ? request.Folder : "INBOX";

        var mailbox = (await registry.GetAsync(request.Mailbox, cancellationToken).ConfigureAwait(false))?.Value
            ?? throw new MailRequestRejectedException($"{request.Mailbox} is not a registered mailbox; have an admin invite its owner to consent (tokenbroker consent invite {request.Mailbox} --protocols {protocol}) before fetching from it.");
        MailboxUse.EnsureUsable(mailbox, imap ? MailProtocols.Imap : MailProtocols.Pop3);
        var fetchOptions = CreateFetchOptions(request, imap, folder, servers.FetchLimits);
        var sink = sinks.Create(request.Sink);
        var token = await MailboxUse.GetTokenAsync(tokens, mailbox.Address, imap ? MailProtocols.Imap : MailProtocols.Pop3, cancellationToken).ConfigureAwait(false);

        var stored = await ledger.GetCheckpointAsync(mailbox.Address, protocol, folder, cancellationToken).ConfigureAwait(false);
        var version = stored?.Version;
        var saved = stored?.Value;
        string? first = null, last = null;

        async ValueTask DeliverAsync(FetchedMail mail, CancellationToken token)
        {
            var deliveryId = imap
                ? DeliveryIds.ForImap(mailbox.Address, folder, mail.UidValidity ?? 0, mail.Uid ?? 0)
                : DeliveryIds.ForPop3(mailbox.Address, mail.Id);
            // A request redelivered while an earlier run still fetches the folder stops here, before posting a duplicate.
            var current = await ledger.GetCheckpointAsync(mailbox.Address, protocol, folder, token).ConfigureAwait(false);
            if (current?.Version != version)
                throw new FetchConflictException($"Another worker is fetching {mailbox.Address} {protocol} {folder} (its checkpoint changed meanwhile); this request will be retried.",
                    new StoreConcurrencyException($"checkpoint {mailbox.Address}/{protocol}/{folder}", version, current?.Version));
            await sink.DeliverAsync(new SinkMessage(mailbox.Address, folder, mail.Id, deliveryId, mail.Content), token).ConfigureAwait(false);
            first ??= mail.Id;
            last = mail.Id;
        }

        async ValueTask SaveAsync(MailCheckpoint checkpoint, CancellationToken token)
        {
            var next = CheckpointMapping.ToStored(checkpoint, timeProvider.GetUtcNow());
            if (CheckpointMapping.SamePosition(saved, next)) return;
            try
            {
                // Not cancellable: the sink already has the message, and only this record keeps it from coming again.
                var written = await ledger.SaveCheckpointAsync(mailbox.Address, protocol, folder, next, version, CancellationToken.None).ConfigureAwait(false);
                version = written.Version;
                saved = next;
            }
            catch (StoreConcurrencyException conflict)
            {
                throw new FetchConflictException($"Another worker is fetching {mailbox.Address} {protocol} {folder} (its checkpoint changed meanwhile); this request will be retried.", conflict);
            }
        }

        var fetcher = MailFetcher.Create(imap ? servers.Imap : servers.Pop3, servers.ClientOptions,
            new MailLogin(token.User, token.AccessToken, servers.Mechanism), fetchOptions);
        MailFetchResult result;
        try
        {
            result = await fetcher.FetchAsync(CheckpointMapping.ToMail(saved, imap, folder), DeliverAsync, SaveAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (MailAuthenticationException refused) when (!refused.IsTransient)
        {
            throw new MailRequestRejectedException($"The {protocol.ToUpperInvariant()} server refused {mailbox.Address}'s token: {refused.Message}", refused);
        }
        catch (MailMessageTooLargeException tooLarge)
        {
            throw new MailRequestRejectedException($"{tooLarge.Message} (Mail:FetchMaxMessageBytes)", tooLarge);
        }
        catch (MailCommandException refused) when (FetchServerRefusals.PermanentReason(refused, imap, mailbox.Address, folder) is { } reason)
        {
            throw new MailRequestRejectedException(reason, refused);
        }
        await SaveAsync(result.Checkpoint, cancellationToken).ConfigureAwait(false);

        logger.LogInformation("Fetch {RequestId} of {Mailbox} ({Protocol} {Folder}): {Result}", request.Id, mailbox.Address, protocol, folder, result);
        events.Fetched(context, new MailFetchedEvent(mailbox.Address, request.Id, protocol, folder, result.DeliveredCount, result.DeliveredBytes,
            first, last, result.RemainingCount, request.Sink.Name)
        {
            UidValidityChanged = result.UidValidityChanged ? true : null,
            PreviousUidValidity = result.PreviousUidValidity,
            Reason = result.UidValidityChanged
                ? $"The folder's UIDVALIDITY changed (was {result.PreviousUidValidity}): the server renumbered it, so every message in it was delivered again."
                : null,
        });
    }

    private static MailFetchOptions CreateFetchOptions(FetchRequest request, bool imap, string folder, FetchLimits limits)
    {
        var after = request.AfterFetch.ToLowerInvariant() switch
        {
            "" or "none" => AfterFetchAction.None,
            "seen" when imap => AfterFetchAction.MarkSeen,
            "move" when imap && !string.IsNullOrEmpty(request.MoveTo) => AfterFetchAction.MoveToFolder,
            "delete" when !imap => AfterFetchAction.Delete,
            _ => throw new MailRequestRejectedException($"afterFetch \"{request.AfterFetch}\" cannot be used with {request.Protocol} (IMAP: none, seen, move with moveTo; POP3: none, delete)."),
        };
        if (request.MaxMessages < 1)
            throw new MailRequestRejectedException($"maxMessages must be at least 1; it is {request.MaxMessages}.");
        return new MailFetchOptions
        {
            Folder = folder,
            AfterFetch = after,
            MoveToFolder = request.MoveTo,
            MaxMessages = request.MaxMessages,
            OnUidValidityChanged = UidValidityChangeAction.RefetchAll,
            MaxMessageBytes = limits.MaxMessageBytes,
            RunTimeout = limits.RunTimeout,
        };
    }
}
