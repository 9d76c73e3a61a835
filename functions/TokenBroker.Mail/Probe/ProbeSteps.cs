namespace TokenBroker.Mail.Probe;

/// <summary>Runs probe steps in order, recording each one's server lines; the first failure ends the probe.</summary>
internal sealed class ProbeSteps(MailProbeResult result, ProbeTranscript transcript)
{
    public async Task<bool> RunAsync(string name, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
            result.Steps.Add(new MailProbeStep(name, true, transcript.TakeStep()));
            return true;
        }
        catch (MailAuthenticationException failure)
        {
            result.AuthenticationReply = failure.ServerReply;
            result.SaslServerError = failure.SaslServerError;
            result.Steps.Add(new MailProbeStep(name, false, transcript.TakeStep(), failure.Message));
            return false;
        }
        catch (Exception failure) when (failure is MailProtocolException or MailCommandException or InvalidOperationException
            or MailKit.CommandException or MailKit.ProtocolException or MailKit.FolderNotFoundException or IOException)
        {
            result.Steps.Add(new MailProbeStep(name, false, transcript.TakeStep(), failure.Message));
            return false;
        }
    }
}
