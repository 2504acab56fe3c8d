using System.Text;

namespace TalentMatch.Profiles.Imports;

/// <summary>
/// Reads a body line by line (LF or CRLF) without ever holding more than one line: a line longer than
/// <c>maxChars</c> is skipped to its end and reported as too long instead of being buffered.
/// </summary>
internal sealed class LineReader(Stream stream, int maxChars)
{
    private readonly StreamReader _reader = new(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
    private readonly char[] _buffer = new char[64 * 1024];
    private readonly StringBuilder _line = new();
    private int _position;
    private int _length;

    /// <summary>Physical number of the line last returned (1-based).</summary>
    public int LineNumber { get; private set; }

    /// <summary>The next line, or null at the end of the body; <c>TooLong</c> when it exceeded the limit (text is then empty).</summary>
    public async ValueTask<(string? Line, bool TooLong)> ReadLineAsync(CancellationToken ct)
    {
        _line.Clear();
        var tooLong = false;
        var any = false;
        while (true)
        {
            if (_position == _length)
            {
                _length = await _reader.ReadAsync(_buffer, ct);
                _position = 0;
                if (_length == 0)
                {
                    if (!any)
                    {
                        return (null, false);
                    }

                    LineNumber++;
                    return (tooLong ? "" : TrimCr(), tooLong);
                }
            }

            any = true;
            var span = _buffer.AsSpan(_position, _length - _position);
            var newline = span.IndexOf('\n');
            var segment = newline < 0 ? span : span[..newline];
            if (!tooLong)
            {
                if (_line.Length + segment.Length > maxChars)
                {
                    tooLong = true;
                    _line.Clear();
                }
                else
                {
                    _line.Append(segment);
                }
            }

            _position += segment.Length;
            if (newline >= 0)
            {
                _position++;
                LineNumber++;
                return (tooLong ? "" : TrimCr(), tooLong);
            }
        }
    }

    private string TrimCr()
    {
        if (_line.Length > 0 && _line[^1] == '\r')
        {
            _line.Length--;
        }

        return _line.ToString();
    }
}
