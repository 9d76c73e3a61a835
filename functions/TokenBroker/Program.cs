TokenBroker.Hosting.Diagnostics.StartupTrace.Mark("Main entered");
return await TokenBroker.Cli.TokenBrokerCli.RunAsync(args);
