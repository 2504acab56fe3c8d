using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace TalentMatch.Hosting.Web;

public static class ValidationFilter
{
    /// <summary>
    /// Runs the registered <see cref="IValidator{T}"/> on the endpoint's <typeparamref name="T"/> argument and answers
    /// 400 problem details listing every failing field before the handler runs, so nothing is stored. A null entry in a
    /// list is refused first (<see cref="NullEntries"/>): validators are written for lists of values.
    /// </summary>
    public static RouteHandlerBuilder Validate<T>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var argument = context.Arguments.OfType<T>().FirstOrDefault();
            if (argument is null)
            {
                return Results.Problem(statusCode: 400, title: "A request body is required.");
            }

            if (NullEntries.Problem(argument) is { } nullEntry)
            {
                return nullEntry;
            }

            var validator = context.HttpContext.RequestServices.GetRequiredService<IValidator<T>>();
            var result = await validator.ValidateAsync(argument, context.HttpContext.RequestAborted);
            if (!result.IsValid)
            {
                return Results.ValidationProblem(
                    result.ToDictionary(),
                    title: "One or more fields are invalid.");
            }

            return await next(context);
        }).ProducesValidationProblem();
}
