using System.Net;

namespace TokenBroker.Queues;

/// <summary>The Azure Storage queue service refused a request; carries its status, error code and message.</summary>
public sealed class QueueRequestFailedException(string operation, HttpStatusCode status, string? errorCode, string? serviceMessage)
    : Exception(Describe(operation, status, errorCode, serviceMessage))
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>The service's x-ms-error-code, e.g. AuthenticationFailed, QueueNotFound.</summary>
    public string? ErrorCode { get; } = errorCode;

    private static string Describe(string operation, HttpStatusCode status, string? errorCode, string? serviceMessage)
    {
        var hint = status == HttpStatusCode.Forbidden
            ? " The credentials were refused: check the account key in the connection string, or that the identity holds the 'Storage Queue Data Contributor' role."
            : "";
        var firstLine = serviceMessage?.Split('\n', 2)[0].Trim();
        return $"Azure Storage queue request '{operation}' failed with {(int)status} {errorCode ?? status.ToString()}" +
               (string.IsNullOrEmpty(firstLine) ? "." : $": {firstLine}") + hint;
    }
}
