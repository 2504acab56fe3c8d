using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TalentMatch.Ranking.Data;
using TalentMatch.Ranking.Metrics;
using TalentMatch.Ranking.Model;
using TalentMatch.Ranking.Synthetic;
using TalentMatch.Ranking.MlNet;

// talentmatch-rank: train / evaluate ML.NET ranking models on LETOR files; JSON result on stdout, logs on stderr.
var defaults = new RankingTrainerOptions();
var train = new Option<FileInfo>("--train") { Description = "Training file (LETOR/svmlight; groups in <file>.query or qid:)", Required = true };
var test = new Option<FileInfo?>("--test") { Description = "Test file to evaluate on" };
var validation = new Option<FileInfo?>("--validation") { Description = "Validation file for early stopping" };
var trainerKind = new Option<RankingTrainerKind>("--trainer") { Description = "ML.NET ranking trainer: LightGbm or FastTree", DefaultValueFactory = _ => RankingTrainerKind.LightGbm };
var trees = new Option<int>("--trees") { Description = "Boosting rounds", DefaultValueFactory = _ => defaults.NumberOfTrees };
var leaves = new Option<int>("--leaves") { Description = "Maximum leaves per tree", DefaultValueFactory = _ => defaults.NumberOfLeaves };
var lr = new Option<double>("--learning-rate") { Description = "Learning rate (shrinkage)", DefaultValueFactory = _ => defaults.LearningRate };
var threads = new Option<int>("--threads") { Description = "Worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
var seed = new Option<int>("--seed") { Description = "Random seed", DefaultValueFactory = _ => defaults.Seed };
var minRows = new Option<int>("--min-rows-per-leaf") { Description = "Minimum rows per leaf", DefaultValueFactory = _ => defaults.MinRowsPerLeaf };
var l2 = new Option<double>("--l2") { Description = "L2 regularisation of leaf values (LightGBM)", DefaultValueFactory = _ => defaults.L2 };
var rowSub = new Option<double>("--row-subsample") { Description = "Row fraction per tree", DefaultValueFactory = _ => defaults.RowSubsample };
var featSub = new Option<double>("--feature-subsample") { Description = "Feature fraction per tree", DefaultValueFactory = _ => defaults.FeatureSubsample };
var bins = new Option<int>("--max-bins") { Description = "Histogram bins per feature", DefaultValueFactory = _ => defaults.MaxBins };
var patience = new Option<int>("--early-stopping") { Description = "Early-stopping patience in rounds (LightGBM, with --validation)", DefaultValueFactory = _ => 10 };
var modelOut = new Option<FileInfo?>("--model-out") { Description = "Save the trained model as JSON (and ML.NET's model as <file>.mlnet.zip)" };

RankingTrainerOptions OptionsFrom(ParseResult p) => new()
{
    Trainer = p.GetValue(trainerKind),
    NumberOfTrees = p.GetValue(trees),
    NumberOfLeaves = p.GetValue(leaves),
    LearningRate = p.GetValue(lr),
    Threads = p.GetValue(threads),
    Seed = p.GetValue(seed),
    MinRowsPerLeaf = p.GetValue(minRows),
    L2 = p.GetValue(l2),
    RowSubsample = p.GetValue(rowSub),
    FeatureSubsample = p.GetValue(featSub),
    MaxBins = p.GetValue(bins),
    EarlyStoppingRounds = p.GetValue(patience),
};
var allOptions = new Option[] { train, test, validation, trainerKind, trees, leaves, lr, threads, seed, minRows, l2, rowSub, featSub, bins, patience, modelOut };

var evaluate = new Command("evaluate", "Train on --train, evaluate NDCG@1/3/5/10 on --test, print one JSON line");
foreach (var o in allOptions) evaluate.Options.Add(o);
evaluate.SetAction(p => Run(p, requireTest: true));

var trainCmd = new Command("train", "Train on --train (optionally --validation) and save with --model-out; prints one JSON line");
foreach (var o in allOptions) trainCmd.Options.Add(o);
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

var root = new RootCommand("TalentMatch learning-to-rank tool (ML.NET LightGBM / FastTree)");
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

        var sw = Stopwatch.StartNew();
        var trained = new MlNetRankingTrainer(opts).Train(trainSet, validSet);
        sw.Stop();
        var model = trained.Model;
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
        result["fit_seconds"] = Math.Round(trained.FitSeconds, 4);
        result["trees"] = model.Trees.Count;
        result["leaves"] = opts.NumberOfLeaves;
        result["threads"] = opts.Threads;
        result["tool"] = opts.Trainer == RankingTrainerKind.LightGbm ? "mlnet-lightgbm" : "mlnet-fasttree";
        result["trainer_version"] = model.Metadata.TrainerVersion;
        if (model.Metadata.ValidationScore is double vs) result["validation_ndcg"] = Math.Round(vs, 6);
        var mo = p.GetValue(modelOut);
        if (mo != null)
        {
            using var fs = File.Create(mo.FullName);
            model.Save(fs);
            File.WriteAllBytes(mo.FullName + ".mlnet.zip", trained.MlNetModelZip);
            Console.Error.WriteLine($"model saved to {mo.FullName} (ML.NET's: {mo.FullName}.mlnet.zip)");
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
