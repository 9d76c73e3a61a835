using System.Globalization;
using System.Text;

namespace TokenBroker.Mail.Imap;

/// <summary>Formats UIDs as an IMAP sequence set, collapsing runs: 1,2,3,7 → "1:3,7".</summary>
public static class ImapUidSet
{
    public static string Format(IEnumerable<uint> uids)
    {
        var sorted = uids.Distinct().Order().ToList();
        if (sorted.Count == 0) throw new ArgumentException("A UID set needs at least one UID.", nameof(uids));
        var text = new StringBuilder();
        for (var i = 0; i < sorted.Count; i++)
        {
            var start = sorted[i];
            while (i + 1 < sorted.Count && sorted[i + 1] == sorted[i] + 1) i++;
            if (text.Length > 0) text.Append(',');
            text.Append(start.ToString(CultureInfo.InvariantCulture));
            if (sorted[i] != start) text.Append(':').Append(sorted[i].ToString(CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>"n:*" — every UID from n on (the server also returns the last message when its UID is below n).</summary>
    public static string From(uint firstUid) => firstUid.ToString(CultureInfo.InvariantCulture) + ":*";
}
