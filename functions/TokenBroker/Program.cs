return await TokenBroker.Cli.TokenBrokerCli.RunAsync(args);
