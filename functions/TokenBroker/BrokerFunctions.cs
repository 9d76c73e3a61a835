using TokenBroker.Hosting;
using TokenBroker.Hosting.Functions;
using TokenBroker.Hosting.Health;
using TokenBroker.Jobs.Mail;
using TokenBroker.Jobs.Refresh;
using TokenBroker.Jobs.Status;
using TokenBroker.OAuth;
using static TokenBroker.Hosting.Functions.FunctionDeclarations;

namespace TokenBroker;

/// <summary>The product's function table: every function TokenBroker runs, with its trigger.</summary>
public static class BrokerFunctions
{
    public static FunctionTable Table { get; } = new(
    [
        HealthApi.Function,
        Http("ConsentStart", "consent/start", "GET", HttpAuthLevel.Function, ConsentApi.StartAsync),
        Http("ConsentAdmin", "consent/admin", "GET", HttpAuthLevel.Function, ConsentApi.AdminConsent),
        // The redirect URI: the identity provider sends the admin's browser here, without a key.
        Http("ConsentCallback", "consent/callback", "GET", HttpAuthLevel.Anonymous, ConsentApi.CallbackAsync),
        Http("RegisterAppOnlyMailbox", "mailboxes/app-only", "POST", HttpAuthLevel.Function, AppOnlyApi.RegisterAsync),
        Http("MailboxToken", "mailboxes/{address}/token", "GET", HttpAuthLevel.Function, TokenApi.GetTokenAsync),
        EnqueueMailApi.Function,
        Queue<MailWorkerFunction>(MailWorkerFunction.FunctionName, MailWorkerFunction.QueueName,
            QueueOutput(MailEvents.OutputBinding, MailWorkerFunction.EventsQueueName),
            QueueOutput(MailEvents.PoisonBinding, MailWorkerFunction.PoisonQueueName)),
        Timer<RefreshTimerFunction>(RefreshTimerFunction.FunctionName, RefreshTimerFunction.Schedule, outputs: QueueOutput(RefreshTimerFunction.EventsBinding, RefreshTimerFunction.EventsQueue)),
        Http("Status", StatusApi.Route, "GET", HttpAuthLevel.Function, StatusApi.GetAsync),
    ]);
}
