using Azure;

namespace TokenBroker.Queues;

/// <summary>How the queue service answers a pop receipt that no longer holds the message's lease.</summary>
internal static class QueueReceipts
{
    /// <summary>
    /// Azure answers 404 MessageNotFound (the receipt no longer matches, or the message is gone); Azurite answers
    /// 400 PopReceiptMismatch, or 400 InvalidQueryParameterValue for a receipt it cannot read.
    /// </summary>
    public static bool IsStale(RequestFailedException error) =>
        error.ErrorCode is "MessageNotFound" or "PopReceiptMismatch"
        || (error.Status == 400 && error.ErrorCode == "InvalidQueryParameterValue" && error.Message.Contains("popreceipt", StringComparison.OrdinalIgnoreCase));
}
