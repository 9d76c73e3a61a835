using System.Globalization;

namespace TokenBroker.Mail.Mime;

/// <summary>RFC 5322 §3.3 dates: writing "Sat, 21 Nov 2026 20:40:48 +0000" and reading the forms seen in
/// real mail (day name optional, seconds optional, numeric or obsolete named zones, trailing comments).</summary>
public static class MailDate
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private static readonly Dictionary<string, int> NamedZones = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UT"] = 0, ["UTC"] = 0, ["GMT"] = 0, ["Z"] = 0,
        ["EST"] = -5, ["EDT"] = -4, ["CST"] = -6, ["CDT"] = -5, ["MST"] = -7, ["MDT"] = -6, ["PST"] = -8, ["PDT"] = -7,
    };

    public static string Format(DateTimeOffset date)
    {
        var offset = date.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var absolute = offset.Duration();
        return date.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture)
            + $"{sign}{absolute.Hours:00}{absolute.Minutes:00}";
    }

    public static bool TryParse(string? text, out DateTimeOffset date)
    {
        date = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var comment = text.IndexOf('(');
        var value = (comment >= 0 ? text[..comment] : text).Trim();
        var comma = value.IndexOf(',');
        if (comma >= 0) value = value[(comma + 1)..];
        var parts = value.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4) return false;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var day)) return false;
        var month = Array.IndexOf(Months, parts[1].ToLowerInvariant()[..Math.Min(3, parts[1].Length)]) + 1;
        if (month == 0 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var year)) return false;
        if (year < 100) year += year < 50 ? 2000 : 1900; // RFC 5322 §4.3 obsolete two-digit years
        var time = parts[3].Split(':');
        if (time.Length is < 2 or > 3
            || !int.TryParse(time[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hour)
            || !int.TryParse(time[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minute))
            return false;
        var second = 0;
        if (time.Length == 3 && !int.TryParse(time[2], NumberStyles.None, CultureInfo.InvariantCulture, out second)) return false;
        var offset = TimeSpan.Zero;
        if (parts.Length > 4 && !TryParseZone(parts[4], out offset)) return false;
        try
        {
            date = new DateTimeOffset(year, month, day, hour, minute, Math.Min(second, 59), offset);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool TryParseZone(string zone, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (zone.Length == 5 && zone[0] is '+' or '-' && int.TryParse(zone.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var hhmm))
        {
            offset = new TimeSpan(hhmm / 100, hhmm % 100, 0);
            if (zone[0] == '-') offset = -offset;
            return offset.Duration() < TimeSpan.FromHours(15);
        }
        if (NamedZones.TryGetValue(zone, out var hours))
        {
            offset = TimeSpan.FromHours(hours);
            return true;
        }
        return zone.Length == 1 && char.IsAsciiLetter(zone[0]); // military zones are unreliable: RFC 5322 says treat as +0000
    }
}
