using TokenBroker.Hosting;
using TokenBroker.TestHost;
using static TokenBroker.Hosting.Functions.FunctionDeclarations;

// Settings: TestHost:ProcessedLog (a file each handled message's text is appended to), TestHost:DelayMs.
var table = new FunctionTable([Queue<AppendToLogFunction>("Work", "crash-items")]);
var app = BrokerApplication.Build(new BrokerStartup(args, HostingMode.Standalone, table));
await app.RunAsync();
