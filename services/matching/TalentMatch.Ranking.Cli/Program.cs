using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TalentMatch.Ranking.Data;
using TalentMatch.Ranking.Metrics;
using TalentMatch.Ranking.Model;
using TalentMatch.Ranking.Synthetic;
using TalentMatch.Ranking.Training;

// talentmatch-rank: train / evaluate LambdaMART models on LETOR files; JSON result on stdout, logs on stderr.
var train = new Option<FileInfo>("--train") { Description = "Training file (LETOR/svmlight; groups in <file>.query or qid:)", Required = true };
var test = new Option<FileInfo?>("--test") { Description = "Test file to evaluate on" };
var validation = new Option<FileInfo?>("--validation") { Description = "Validation file for early stopping" };
var trees = new Option<int>("--trees") { Description = "Boosting rounds", DefaultValueFactory = _ => 100 };
var leaves = new Option<int>("--leaves") { Description = "Maximum leaves per tree", DefaultValueFactory = _ => 31 };
var lr = new Option<double>("--learning-rate") { Description = "Learning rate (shrinkage)", DefaultValueFactory = _ => 0.1 };
var threads = new Option<int>("--threads") { Description = "Worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 42 };
var minRows = new Option<int>("--min-rows-per-leaf") { Description = "Minimum rows per leaf", DefaultValueFactory = _ => new LambdaMartOptions().MinRowsPerLeaf };
var minHess = new Option<double>("--min-hessian") { Description = "Minimum hessian sum per leaf", DefaultValueFactory = _ => new LambdaMartOptions().MinHessianPerLeaf };
var l2 = new Option<double>("--l2") { Description = "L2 regularisation of leaf values", DefaultValueFactory = _ => new LambdaMartOptions().L2 };
var truncation = new Option<int>("--truncation") { Description = "Lambda truncation level (0 = all pairs)", DefaultValueFactory = _ => new LambdaMartOptions().LambdaTruncation };
var rowSub = new Option<double>("--row-subsample") { Description = "Row fraction per tree", DefaultValueFactory = _ => 1.0 };
var featSub = new Option<double>("--feature-subsample") { Description = "Feature fraction per tree", DefaultValueFactory = _ => 1.0 };
var patience = new Option<int>("--early-stopping") { Description = "Early-stopping patience in rounds (with --validation)", DefaultValueFactory = _ => 10 };
var sigmoid = new Option<double>("--sigmoid") { Description = "Sigmoid steepness of the pairwise loss", DefaultValueFactory = _ => new LambdaMartOptions().Sigmoid };
var noNorm = new Option<bool>("--no-lambda-norm") { Description = "Disable per-query lambda normalisation" };
var modelOut = new Option<FileInfo?>("--model-out") { Description = "Save the trained model as JSON" };

LambdaMartOptions OptionsFrom(ParseResult p) => new()
{
    NumberOfTrees = p.GetValue(trees),
    NumberOfLeaves = p.GetValue(leaves),
    LearningRate = p.GetValue(lr),
    Threads = p.GetValue(threads),
    Seed = p.GetValue(seed),
    MinRowsPerLeaf = p.GetValue(minRows),
    MinHessianPerLeaf = p.GetValue(minHess),
    L2 = p.GetValue(l2),
    LambdaTruncation = p.GetValue(truncation),
    RowSubsample = p.GetValue(rowSub),
    FeatureSubsample = p.GetValue(featSub),
    EarlyStoppingRounds = p.GetValue(patience),
    Sigmoid = p.GetValue(sigmoid),
    NormalizeLambdas = !p.GetValue(noNorm),
};

var evaluate = new Command("evaluate", "Train on --train, evaluate NDCG@1/3/5/10 on --test, print one JSON line");
foreach (var o in new Option[] { train, test, validation, trees, leaves, lr, threads, seed, minRows, minHess, l2, truncation, rowSub, featSub, patience, sigmoid, noNorm, modelOut })
    evaluate.Options.Add(o);
evaluate.SetAction(p => Run(p, requireTest: true));

var trainCmd = new Command("train", "Train on --train (optionally --validation) and save with --model-out; prints one JSON line");
foreach (var o in new Option[] { train, test, validation, trees, leaves, lr, threads, seed, minRows, minHess, l2, truncation, rowSub, featSub, patience, sigmoid, noNorm, modelOut })
    trainCmd.Options.Add(o);
trainCmd.SetAction(p => Run(p, requireTest: false));

var rows = new Option<int>("--rows") { DefaultValueFactory = _ => 200_000, Description = "Rows" };
var features = new Option<int>("--features") { DefaultValueFactory = _ => 32, Description = "Dense features" };
var groups = new Option<int>("--groups") { DefaultValueFactory = _ => 2_000, Description = "Groups (queries)" };
var outPrefix = new Option<string>("--out") { Required = true, Description = "Output prefix: writes <out>.train, <out>.test and their .query files" };
var testFraction = new Option<double>("--test-fraction") { DefaultValueFactory = _ => 0.2, Description = "Extra test groups as a fraction of the training groups" };
var synthSeed = new Option<int>("--seed") { DefaultValueFactory = _ => 7, Description = "Generator seed" };
var synthetic = new Command("synthetic", "Write a synthetic ranking data set (hidden nonlinear utility + noise, labels 0-4) as LETOR files");
foreach (var o in new Option[] { rows, features, groups, outPrefix, testFraction, synthSeed }) synthetic.Options.Add(o);
synthetic.SetAction(p =>
{
    int r = p.GetValue(rows), f = p.GetValue(features), g = p.GetValue(groups), s = p.GetValue(synthSeed);
    double tf = p.GetValue(testFraction);
    var trainSet = SyntheticRanking.Generate(r, f, g, s);
    int testGroups = Math.Max(1, (int)Math.Round(g * tf));
    var testSet = SyntheticRanking.Generate(Math.Max(testGroups, (int)Math.Round(r * tf)), f, testGroups, s + 1_000_003);
    string prefix = p.GetValue(outPrefix)!;
    Write(trainSet, prefix + ".train");
    Write(testSet, prefix + ".test");
    Console.Error.WriteLine($"wrote {prefix}.train ({trainSet.RowCount} rows, {trainSet.GroupCount} groups) and {prefix}.test ({testSet.RowCount} rows, {testSet.GroupCount} groups)");
    return 0;
});

var root = new RootCommand("TalentMatch learning-to-rank (LambdaMART) tool");
root.Subcommands.Add(evaluate);
root.Subcommands.Add(trainCmd);
root.Subcommands.Add(synthetic);
return root.Parse(args).Invoke();

static void Write(RankingDataset data, string path)
{
    using var rowsOut = new StreamWriter(path);
    using var groupsOut = new StreamWriter(path + ".query");
    LetorLoader.Write(data, rowsOut, groupsOut);
}

int Run(ParseResult p, bool requireTest)
{
    try
    {
        var opts = OptionsFrom(p);
        var trainFile = p.GetValue(train)!;
        var testFile = p.GetValue(test);
        var validFile = p.GetValue(validation);
        if (requireTest && testFile is null) { Console.Error.WriteLine("--test is required for evaluate"); return 2; }
        var load = Stopwatch.StartNew();
        var trainSet = LetorLoader.LoadFile(trainFile.FullName);
        var testSet = testFile is null ? null : LetorLoader.LoadFile(testFile.FullName);
        var validSet = validFile is null ? null : LetorLoader.LoadFile(validFile.FullName);
        // LETOR files only list non-zero features: align all sets on the widest feature count.
        int width = Math.Max(trainSet.FeatureCount, Math.Max(testSet?.FeatureCount ?? 0, validSet?.FeatureCount ?? 0));
        trainSet = trainSet.WithFeatureCount(width);
        testSet = testSet?.WithFeatureCount(width);
        validSet = validSet?.WithFeatureCount(width);
        Console.Error.WriteLine($"loaded {trainSet.RowCount} rows / {trainSet.GroupCount} groups / {width} features in {load.Elapsed.TotalSeconds:F2}s");

        var trainer = new LambdaMartTrainer(opts);
        var sw = Stopwatch.StartNew();
        var model = trainer.Train(trainSet, validSet, pr =>
        {
            if (pr.Iteration % 10 == 0 || pr.ValidationNdcg is not null && pr.Iteration % 10 == 0)
                Console.Error.WriteLine($"iter {pr.Iteration,4} leaves {pr.Leaves,3}{(pr.ValidationNdcg is double v ? $" valid ndcg {v:F4}" : "")} {pr.Elapsed.TotalSeconds:F2}s");
        });
        sw.Stop();
        var result = new Dictionary<string, object?>();
        if (testSet != null)
        {
            var scores = model.Score(testSet);
            var ev = RankingEvaluation.Evaluate(testSet.Labels, scores, testSet.GroupBoundaries, [1, 3, 5, 10]);
            foreach (var (k, v) in ev.Ndcg) result[$"ndcg@{k}"] = Math.Round(v, 6);
            result["map"] = Math.Round(ev.Map, 6);
            result["mrr"] = Math.Round(ev.Mrr, 6);
        }
        result["train_seconds"] = Math.Round(sw.Elapsed.TotalSeconds, 4);
        result["trees"] = model.Trees.Count;
        result["leaves"] = opts.NumberOfLeaves;
        result["threads"] = opts.Threads;
        result["tool"] = "talentmatch";
        if (model.Metadata.ValidationScore is double vs) result["validation_ndcg"] = Math.Round(vs, 6);
        var mo = p.GetValue(modelOut);
        if (mo != null)
        {
            using var fs = File.Create(mo.FullName);
            model.Save(fs);
            Console.Error.WriteLine($"model saved to {mo.FullName}");
        }
        Console.Out.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }
    catch (Exception e) when (e is LetorFormatException or IOException or ModelSchemaException or ArgumentException)
    {
        Console.Error.WriteLine("error: " + e.Message);
        return 1;
    }
}
