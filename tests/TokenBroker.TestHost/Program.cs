using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using TokenBroker;
using TokenBroker.Hosting;
using TokenBroker.OAuth;
using TokenBroker.TestHost;
using TokenBroker.Hosting.Functions;

// Settings: TestHost:ProcessedLog (a file each handled message's text is appended to), TestHost:DelayMs.
// TestHost:Table=product hosts the product functions, its identity-provider client trusting the CA file in TestHost:IdentityCaFile
// for the identity server (the mail worker's kill -9 test).
var product = args.Contains("--TestHost:Table=product");
var catalog = product ? BrokerFunctions.Catalog : FunctionCatalog.ForTypes([typeof(AppendToLogFunction)]);
var app = BrokerApplication.Build(new BrokerStartup(args, HostingMode.Standalone, catalog)
{
    Configure = builder =>
    {
        if (!product) return;
        var caFile = builder.Configuration["TestHost:IdentityCaFile"]
            ?? throw new InvalidOperationException("TestHost:IdentityCaFile is required with TestHost:Table=product.");
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { X509CertificateLoader.LoadCertificateFromFile(caFile) },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
        builder.Services.AddSingleton(new IdentityProviderHttpHandler(handler));
    },
});
await app.RunAsync();
