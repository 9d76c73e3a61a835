using System.Globalization;

namespace TokenBroker.Mail.Imap;

/// <summary>IMAP date-time: "17-Jul-1996 02:44:25 -0700" (the day may be space-padded).</summary>
internal static class ImapDate
{
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    public static bool TryParse(string text, out DateTimeOffset value)
    {
        value = default;
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3) return false;
        var date = parts[0].Split('-');
        if (date.Length != 3) return false;
        var month = Array.FindIndex(Months, m => m.Equals(date[1], StringComparison.OrdinalIgnoreCase)) + 1;
        var zone = parts[2];
        if (month == 0 || zone.Length != 5 || zone[0] is not ('+' or '-')) return false;
        if (!int.TryParse(date[0], NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            || !int.TryParse(date[2], NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !TimeSpan.TryParseExact(parts[1], @"hh\:mm\:ss", CultureInfo.InvariantCulture, out var time)
            || !int.TryParse(zone.AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var zoneHours)
            || !int.TryParse(zone.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var zoneMinutes))
            return false;
        var offset = new TimeSpan(zoneHours, zoneMinutes, 0) * (zone[0] == '-' ? -1 : 1);
        try
        {
            value = new DateTimeOffset(year, month, day, time.Hours, time.Minutes, time.Seconds, offset);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    public static string Format(DateTimeOffset value) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{value.Day:00}-{Months[value.Month - 1]}-{value.Year:0000} {value:HH:mm:ss} {(value.Offset < TimeSpan.Zero ? '-' : '+')}{Math.Abs(value.Offset.Hours):00}{Math.Abs(value.Offset.Minutes):00}");
}
