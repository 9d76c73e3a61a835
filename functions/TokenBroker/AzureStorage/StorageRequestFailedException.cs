using System.Net;

namespace TokenBroker.AzureStorage;

/// <summary>An Azure Storage service refused a request; carries its status, error code and message.</summary>
public class StorageRequestFailedException(StorageService service, string operation, HttpStatusCode status, string? errorCode, string? serviceMessage)
    : Exception(Describe(service, operation, status, errorCode, serviceMessage))
{
    public StorageService Service { get; } = service;

    public HttpStatusCode Status { get; } = status;

    /// <summary>The service's x-ms-error-code, e.g. AuthenticationFailed, QueueNotFound, ContainerNotFound.</summary>
    public string? ErrorCode { get; } = errorCode;

    private static string Describe(StorageService service, string operation, HttpStatusCode status, string? errorCode, string? serviceMessage)
    {
        var hint = status == HttpStatusCode.Forbidden
            ? $" The credentials were refused: check the account key in the connection string, or that the identity holds the '{service.DataContributorRole()}' role."
            : "";
        var firstLine = serviceMessage?.Split('\n', 2)[0].Trim();
        return $"Azure Storage {service.Label()} request '{operation}' failed with {(int)status} {errorCode ?? status.ToString()}" +
               (string.IsNullOrEmpty(firstLine) ? "." : $": {firstLine}") + hint;
    }
}
