using Azure;

namespace TokenBroker.StorageAccount;

/// <summary>
/// Adds what to check to the service's refusal of the credentials (401/403), the error an operator meets first after a
/// deployment: a wrong account key, or an identity without its data role. Status, error code and the SDK's exception are kept.
/// </summary>
internal static class StorageAccessDenied
{
    public static bool Matches(RequestFailedException error) => error.Status is 401 or 403;

    public static RequestFailedException Explain(RequestFailedException error, StorageService service)
    {
        var serviceMessage = error.Message.Split('\n', 2)[0].Trim();
        return new RequestFailedException(error.Status,
            $"Azure Storage {service.Label()} service refused the credentials ({error.Status} {error.ErrorCode}): {serviceMessage} " +
            $"Check the account key in the connection string, or that the identity holds the '{service.DataContributorRole()}' role.",
            error.ErrorCode, error);
    }

    /// <summary>Awaits an SDK call, explaining a refusal of the credentials.</summary>
    public static async Task<T> GuardAsync<T>(this Task<T> call, StorageService service)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (Matches(e))
        {
            throw Explain(e, service);
        }
    }
}
