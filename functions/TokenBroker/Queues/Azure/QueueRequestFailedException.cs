using System.Net;
using TokenBroker.AzureStorage;

namespace TokenBroker.Queues;

/// <summary>The Azure Storage queue service refused a request; carries its status, error code and message.</summary>
public sealed class QueueRequestFailedException(string operation, HttpStatusCode status, string? errorCode, string? serviceMessage)
    : StorageRequestFailedException(StorageService.Queue, operation, status, errorCode, serviceMessage);
