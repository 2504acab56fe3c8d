using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TalentMatch.Hosting.Web;

namespace TalentMatch.Hosting.Tests;

public sealed class DatabaseUnavailableTests
{
    [Fact]
    public async Task A_request_whose_database_does_not_answer_gets_503_with_Retry_After_not_500()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>();
        await using var app = builder.Build();
        app.UseExceptionHandler();
        app.MapGet("/", async () =>
        {
            // A real failed connection, as when PostgreSQL is restarting.
            await using var connection = new NpgsqlConnection("Host=127.0.0.1;Port=1;Username=x;Password=x;Timeout=2");
            await connection.OpenAsync();
            return Results.Ok();
        });
        app.MapGet("/bug", IResult () => throw new InvalidOperationException("a defect, not an outage"));
        await app.StartAsync();
        var client = app.GetTestClient();

        var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(DatabaseUnavailableExceptionHandler.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal(503, problem!.Status);

        // Anything else is not the handler's: it stays a 500 for the default handler to report.
        Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync("/bug")).StatusCode);
    }
}
