namespace TalentMatch.Matching.Learning;

/// <summary>Wiring of the learning loop: trainer, cold start at start-up, automatic retraining, registry API.</summary>
public static class LearningSetup
{
    /// <summary>Call after <c>AddServiceDatabase</c> (the cold start runs after the migrations).</summary>
    public static WebApplicationBuilder AddLearning(this WebApplicationBuilder builder)
    {
        builder.Services.AddLearning();
        return builder;
    }

    public static IServiceCollection AddLearning(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(ModelTrainer)))
        {
            return services;
        }

        services.AddOptions<LearningOptions>().BindConfiguration(LearningOptions.Section);
        services.AddSingleton<LearningApiMarker>();
        services.AddSingleton<ModelTrainer>();
        services.AddHostedService<ColdStartService>();
        services.AddSingleton<AutoRetrainService>();
        services.AddHostedService(sp => sp.GetRequiredService<AutoRetrainService>());
        return services;
    }
}

/// <summary>Records whether <see cref="LearningApi.MapLearningApi"/> ran (lets a test host map it only when Program did not).</summary>
public sealed class LearningApiMarker
{
    public bool Mapped { get; private set; }

    public void MarkMapped() => Mapped = true;
}
