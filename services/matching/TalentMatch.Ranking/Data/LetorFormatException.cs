namespace TalentMatch.Ranking.Data;

/// <summary>Malformed LETOR / svmlight input. The message names the source, the line number and what is wrong.</summary>
public sealed class LetorFormatException : FormatException
{
    public LetorFormatException(string source, int lineNumber, string problem)
        : base($"{source}:{lineNumber}: {problem}")
    {
        Source = source;
        LineNumber = lineNumber;
        Problem = problem;
    }

    /// <summary>The file (or source name) that is malformed.</summary>
    public new string Source { get; }

    /// <summary>1-based line number; 0 when the problem is not tied to one line.</summary>
    public int LineNumber { get; }

    /// <summary>What is wrong, without the location prefix.</summary>
    public string Problem { get; }
}
