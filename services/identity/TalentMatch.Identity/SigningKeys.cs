using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TalentMatch.Identity;

/// <summary>
/// The provider's signing keys: RSA keys in self-signed certificates, one PEM file each in <c>Auth:KeysDirectory</c>
/// (private key and certificate), kept across restarts. Every key in the directory is published (JWKS, with its
/// certificate thumbprint as <c>kid</c>); the newest signs (OpenIddict prefers the certificate that expires last).
/// Rotation adds a key; tokens signed by the previous one stay valid because it is still published; once they have
/// expired (15 minutes) the old key is retired, which moves it to <c>retired/</c> and stops publishing it.
/// Also the symmetric key OpenIddict encrypts its authorization codes and refresh tokens with.
/// </summary>
public static class SigningKeys
{
    private const string EncryptionKeyFile = "encryption.key";
    private static readonly TimeSpan Validity = TimeSpan.FromDays(5 * 365);

    public sealed record KeyInfo(string KeyId, DateTimeOffset Created, string Path);

    /// <summary>The published keys, newest first; creates the first one when the directory has none.</summary>
    public static IReadOnlyList<X509Certificate2> LoadOrCreate(string directory, TimeProvider time)
    {
        Directory.CreateDirectory(directory);
        if (List(directory).Count == 0)
        {
            Rotate(directory, time);
        }

        return List(directory).Select(k => Load(k.Path)).ToList();
    }

    public static IReadOnlyList<KeyInfo> List(string directory) =>
        !Directory.Exists(directory)
            ? []
            : Directory.GetFiles(directory, "*.pem").Select(path =>
            {
                using var certificate = Load(path);
                return new KeyInfo(certificate.Thumbprint, certificate.NotBefore.ToUniversalTime(), path);
            }).OrderByDescending(k => k.Created).ThenBy(k => k.KeyId, StringComparer.Ordinal).ToList();

    /// <summary>Adds a new RSA signing key; the provider signs with it after its next start.</summary>
    public static KeyInfo Rotate(string directory, TimeProvider time)
    {
        Directory.CreateDirectory(directory);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=TalentMatch identity signing key", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        // Whole seconds, and each new key strictly later than the last, so that "newest" is never a tie.
        var now = time.GetUtcNow();
        var notBefore = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero);
        if (List(directory).FirstOrDefault() is { } newest && newest.Created >= notBefore)
        {
            notBefore = newest.Created.AddSeconds(1);
        }

        using var certificate = request.CreateSelfSigned(notBefore, notBefore + Validity);
        var path = Path.Combine(directory, $"{notBefore:yyyyMMddHHmmss}-{certificate.Thumbprint}.pem");
        File.WriteAllText(path, rsa.ExportPkcs8PrivateKeyPem() + "\n" + certificate.ExportCertificatePem() + "\n");
        RestrictToOwner(path);
        return new KeyInfo(certificate.Thumbprint, notBefore, path);
    }

    /// <summary>Stops publishing a key (moved to <c>retired/</c>); the newest key, which signs, cannot be retired.</summary>
    public static KeyInfo Retire(string directory, string keyId)
    {
        var keys = List(directory);
        var key = keys.FirstOrDefault(k => string.Equals(k.KeyId, keyId, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"No published key has the id {keyId}.", nameof(keyId));
        if (key == keys[0])
        {
            throw new InvalidOperationException($"Key {key.KeyId} is the newest and signs the tokens; rotate first, then retire it once its tokens expired.");
        }

        var retired = Path.Combine(directory, "retired");
        Directory.CreateDirectory(retired);
        File.Move(key.Path, Path.Combine(retired, Path.GetFileName(key.Path)));
        return key;
    }

    public static byte[] LoadOrCreateEncryptionKey(string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, EncryptionKeyFile);
        if (!File.Exists(path))
        {
            File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            RestrictToOwner(path);
        }

        return Convert.FromBase64String(File.ReadAllText(path).Trim());
    }

    /// <summary>
    /// <c>keys list|rotate|retire &lt;kid&gt; --dir &lt;directory&gt;</c>: the rotation command (deploy/signing-key.sh wraps it).
    /// Returns the process exit code.
    /// </summary>
    public static int Command(string[] args, TextWriter output)
    {
        var dirIndex = Array.IndexOf(args, "--dir");
        if (dirIndex < 0 || dirIndex + 1 >= args.Length || args.Length < 2)
        {
            output.WriteLine("usage: keys list|rotate|retire <kid> --dir <keys directory>");
            return 64;
        }

        var directory = args[dirIndex + 1];
        try
        {
            switch (args[1])
            {
                case "list":
                    var keys = List(directory);
                    for (var i = 0; i < keys.Count; i++)
                    {
                        output.WriteLine($"{keys[i].KeyId}  created {keys[i].Created.ToString("u", CultureInfo.InvariantCulture)}  {(i == 0 ? "signs new tokens" : "published (verifies older tokens)")}");
                    }

                    return 0;
                case "rotate":
                    var added = Rotate(directory, TimeProvider.System);
                    output.WriteLine($"Added signing key {added.KeyId}; restart the identity service to sign with it. Retire the previous key once its tokens have expired (15 minutes).");
                    return 0;
                case "retire" when args.Length > 2 && args[2] != "--dir":
                    var gone = Retire(directory, args[2]);
                    output.WriteLine($"Retired key {gone.KeyId}; restart the identity service to stop publishing it.");
                    return 0;
                default:
                    output.WriteLine("usage: keys list|rotate|retire <kid> --dir <keys directory>");
                    return 64;
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            output.WriteLine(e.Message);
            return 1;
        }
    }

    private static X509Certificate2 Load(string path) => X509Certificate2.CreateFromPemFile(path);

    private static void RestrictToOwner(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
