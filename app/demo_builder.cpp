// expertscope-demo: builds the embedded demo from the installed WordNet.
//   model    corpus -> sentencepiece tokenizer -> a small Llama trained on the CPU,
//            saved in the Hugging Face layout with its loss curve (training.json)
//   project  the WordNet concepts and their expertise, analysed with that model
//   measure  concept words in generated text, with and without the top experts forced
//   ranking  checkpoints of the model's training, analysed and scored, for the model ranking
// Each step is deterministic: run again on the same machine, it writes the same files.
#include "core/base/error.h"
#include "core/project/model_location.h"
#include "core/project/analysis.h"
#include "core/project/concept_forcing.h"
#include "core/project/result_source.h"
#include "core/runtime/blas_setup.h"
#include "core/runtime/llama/llama_training.h"
#include "core/science/expert_queries.h"
#include "demo/demo_defaults.h"
#include "demo/demo_project.h"
#include "demo/tokenizer_training.h"
#include "demo/wordnet.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>
#include <functional>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <unistd.h>

using namespace expertscope;

namespace {

const char* kUsage =
    "usage: expertscope-demo model   [--wordnet DIR] [--out DIR] [--steps N] [--hidden N] [--intermediate N]\n"
    "                                [--layers N] [--heads N] (defaults: the committed model's)\n"
    "       expertscope-demo project [--wordnet DIR] [--model DIR] [--out FILE]\n"
    "       expertscope-demo ranking [--wordnet DIR] [--out DIR] [--steps 250,500,1000,2000,3000] [--tokenizer FILE]\n"
    "                                checkpoints of the demo's training (2% of the corpus held out), each\n"
    "                                analysed and scored by its held-out loss, for expertscope-cli rank\n"
    "       expertscope-demo measure [--wordnet DIR] [--project FILE] [--concept NAME] [--experts K] [--runs N]\n"
    "                                [--value on_p50|on_p90|off_mean|zero] [--strength X]\n"
    "defaults: --wordnet /usr/share/wordnet, --out/--model resources/demo/model, project build/demo/demo.esproj\n";

std::map<std::string, std::string> options(int argc, char** argv) {
    std::map<std::string, std::string> o;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--", 0) != 0 || i + 1 >= argc) throw Error("unexpected argument '" + a + "'\n" + kUsage);
        o[a.substr(2)] = argv[++i];
    }
    return o;
}

std::string get(const std::map<std::string, std::string>& o, const std::string& key, const std::string& fallback) {
    const auto it = o.find(key);
    return it == o.end() ? fallback : it->second;
}


int buildModel(const std::map<std::string, std::string>& o) {
    const std::string out = get(o, "out", "resources/demo/model");
    const WordNet wn(get(o, "wordnet", "/usr/share/wordnet"));
    const auto corpus = wordNetCorpus(wn);
    QDir().mkpath(QString::fromStdString(out));
    std::fprintf(stderr, "corpus: %zu sentences\n", corpus.size());
    const auto t0 = std::chrono::steady_clock::now();
    trainSentencePiece(corpus, out + "/tokenizer", {2048, "bpe"});
    const double tokenizerSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto tok = loadSentencePieceTokenizer(out + "/tokenizer.model");
    std::vector<std::vector<int>> documents;
    int64_t tokens = 0;
    for (const auto& s : corpus) {
        documents.push_back(tok->encode(s));
        tokens += static_cast<int64_t>(documents.back().size()) + 2;
    }
    std::fprintf(stderr, "tokenizer: %.1f s; corpus: %lld tokens\n", tokenizerSeconds, static_cast<long long>(tokens));
    LlamaShape shape = demoModelShape();
    shape.vocab = tok->vocabSize();
    shape.hidden = std::stoi(get(o, "hidden", std::to_string(shape.hidden)));
    shape.intermediate = std::stoi(get(o, "intermediate", std::to_string(shape.intermediate)));
    shape.layers = std::stoi(get(o, "layers", std::to_string(shape.layers)));
    shape.heads = shape.kvHeads = std::stoi(get(o, "heads", std::to_string(shape.heads)));
    TrainingOptions t = demoTraining();
    t.steps = std::stoi(get(o, "steps", std::to_string(t.steps)));
    t.batch = std::stoi(get(o, "batch", std::to_string(t.batch)));
    t.threads = std::stoi(get(o, "threads", std::to_string(t.threads)));
    t.context = std::stoi(get(o, "context", std::to_string(t.context)));
    const auto report = trainLlama(documents, shape, t, out, [&](const TrainingPoint& p) {
        std::fprintf(stderr, "step %5d  loss %.4f  %6.1f s  %.0f tokens/s\n", p.step, p.loss, p.seconds,
                     p.seconds > 0 ? p.tokens / p.seconds : 0.0);
        return true;
    });
    QJsonArray curve;
    for (const auto& p : report.curve)
        curve.append(QJsonObject{{"step", p.step}, {"loss", p.loss}, {"seconds", p.seconds}, {"tokens", static_cast<qint64>(p.tokens)}});
    const QJsonObject summary{{"corpus_sentences", static_cast<qint64>(corpus.size())},
                              {"corpus_tokens", static_cast<qint64>(tokens)},
                              {"tokenizer_seconds", tokenizerSeconds},
                              {"parameters", static_cast<qint64>(report.parameters)},
                              {"steps", t.steps},
                              {"batch", t.batch},
                              {"context", t.context},
                              {"training_seconds", report.seconds},
                              {"trained_tokens", static_cast<qint64>(report.tokens)},
                              {"loss_curve", curve}};
    QFile f(QString::fromStdString(out + "/training.json"));
    if (!f.open(QIODevice::WriteOnly)) throw Error(out + "/training.json: cannot write");
    // Timings vary run to run; the files the loader reads do not.
    f.write(QJsonDocument(summary).toJson());
    std::printf("%s", QJsonDocument(summary).toJson().constData());
    return 0;
}

// "[3/40] tree" on a terminal, nothing in a log.
AnalysisCallback terminalProgress() {
    if (!isatty(STDERR_FILENO)) return {};
    auto shown = std::make_shared<int>(-1);
    return [shown](const AnalysisProgress& p) {
        if (p.conceptsDone != *shown) {
            *shown = p.conceptsDone;
            std::fprintf(stderr, "\r\033[K[%d/%d] %s", std::min(p.conceptsDone + 1, p.conceptsTotal), p.conceptsTotal, p.concept.c_str());
        }
        return true;
    };
}

int buildProject(const std::map<std::string, std::string>& o) {
    DemoProjectOptions options;
    options.modelDir = QFileInfo(QString::fromStdString(get(o, "model", "resources/demo/model"))).absoluteFilePath().toStdString();
    options.out = get(o, "out", "build/demo/demo.esproj");
    options.wordnetDir = get(o, "wordnet", "/usr/share/wordnet");
    const auto t0 = std::chrono::steady_clock::now();
    buildDemoProject(options, terminalProgress(), [&](ProjectStore& store, const AnalysisSummary& summary) {
        int strong = 0;
        QJsonArray concepts;
        for (const auto& r : store.results(summary.runId)) {
            const double best = store.topExperts(r.runId, r.conceptId, 1)[0].ap;
            strong += best >= 0.9 ? 1 : 0;
            concepts.append(QJsonObject{{"concept", QString::fromStdString(r.concept)}, {"positives", r.positives},
                                        {"negatives", r.negatives}, {"best_ap", best}});
        }
        const QJsonObject report{
            {"concepts", static_cast<int>(demoCategories().size())},
            {"concepts_with_an_expert_at_ap_0_9", strong},
            {"sentences_run", static_cast<qint64>(summary.sentencesRun)},
            {"sentences_reused", static_cast<qint64>(summary.sentencesReused)},
            {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()},
            {"results", concepts}};
        std::printf("%s", QJsonDocument(report).toJson().constData());
    });
    if (isatty(STDERR_FILENO)) std::fprintf(stderr, "\r\033[K");
    return 0;
}

// The model ranking's example: the demo model's training run again on 98% of the corpus
// (every 50th document held out), saving the model at several steps of the same schedule;
// each checkpoint analysed on the WordNet concepts and scored by its mean next-token loss on
// the held-out documents, as the runtime computes it. Then: expertscope-cli rank --projects
// OUT/step-*.esproj --scores OUT/scores.csv --lower-is-better.
int buildRanking(const std::map<std::string, std::string>& o) {
    const std::string out = get(o, "out", "build/demo/ranking");
    const std::string tokenizer = get(o, "tokenizer", "resources/demo/model/tokenizer.model");
    const std::string wordnetDir = get(o, "wordnet", "/usr/share/wordnet");
    std::vector<int> steps;
    for (const auto& part : QString::fromStdString(get(o, "steps", "250,500,1000,2000,3000")).split(',')) steps.push_back(part.toInt());
    std::sort(steps.begin(), steps.end());
    steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    if (steps.empty() || steps.front() < 1 || steps.back() > demoTraining().steps)
        throw Error("--steps: a comma-separated list of steps from 1 to " + std::to_string(demoTraining().steps));
    const WordNet wn(wordnetDir);
    const auto corpus = wordNetCorpus(wn);
    const auto tok = loadSentencePieceTokenizer(tokenizer);
    std::vector<std::vector<int>> training;
    std::vector<int> heldOut;
    for (size_t i = 0; i < corpus.size(); ++i) {
        auto ids = tok->encode(corpus[i]);
        if (i % 50 == 49) {
            heldOut.push_back(tok->bosId());
            heldOut.insert(heldOut.end(), ids.begin(), ids.end());
            heldOut.push_back(tok->eosId());
        } else {
            training.push_back(std::move(ids));
        }
    }
    LlamaShape shape = demoModelShape();
    shape.vocab = tok->vocabSize();
    TrainingOptions t = demoTraining();
    t.checkpoints = steps;
    t.stopAfter = steps.back();
    QDir().mkpath(QString::fromStdString(out));
    std::fprintf(stderr, "training on %zu documents, %zu held-out tokens; checkpoints at %s\n", training.size(), heldOut.size(),
                 get(o, "steps", "250,500,1000,2000,3000").c_str());
    trainLlama(training, shape, t, out + "/last", [&](const TrainingPoint& p) {
        std::fprintf(stderr, "step %5d  loss %.4f  %6.1f s\n", p.step, p.loss, p.seconds);
        return true;
    });
    QFile scores(QString::fromStdString(out + "/scores.csv"));
    if (!scores.open(QIODevice::WriteOnly)) throw Error(out + "/scores.csv: cannot write");
    scores.write("model,score\n");
    QJsonArray rows;
    for (int step : steps) {
        const std::string dir = out + "/last/step-" + std::to_string(step), name = "step-" + std::to_string(step);
        QFile::remove(QString::fromStdString(dir + "/tokenizer.model"));
        if (!QFile::copy(QString::fromStdString(tokenizer), QString::fromStdString(dir + "/tokenizer.model")))
            throw Error(dir + "/tokenizer.model: cannot write");
        // The held-out stream in windows of the model's context, every next token scored once.
        const auto model = loadModel({dir, ""});
        const size_t window = static_cast<size_t>(model->info().maxPositions);
        double nats = 0;
        int64_t predicted = 0;
        for (size_t from = 0; from + 1 < heldOut.size(); from += window - 1) {
            const std::vector<int> ids(heldOut.begin() + static_cast<long>(from),
                                       heldOut.begin() + static_cast<long>(std::min(heldOut.size(), from + window)));
            const auto trace = model->trace(ids);
            for (size_t p = 0; p + 1 < ids.size(); ++p) {
                nats -= logProbability(trace.logits.data() + p * static_cast<size_t>(trace.vocab), trace.vocab, ids[p + 1]);
                ++predicted;
            }
        }
        const double loss = nats / static_cast<double>(predicted);
        scores.write(QString("%1,%2\n").arg(QString::fromStdString(name)).arg(loss, 0, 'g', 17).toUtf8());
        std::fprintf(stderr, "%s: held-out loss %.4f over %lld tokens; analysing\n", name.c_str(), loss, static_cast<long long>(predicted));
        DemoProjectOptions project;
        project.modelDir = QFileInfo(QString::fromStdString(dir)).absoluteFilePath().toStdString();
        project.out = out + "/" + name + ".esproj";
        project.wordnetDir = wordnetDir;
        project.keepResponses = 0;
        project.suggestForcing = false;
        buildDemoProject(project, wn, {}, {});
        rows.append(QJsonObject{{"model", QString::fromStdString(name)}, {"step", step}, {"held_out_loss", loss}});
    }
    std::printf("%s", QJsonDocument(rows).toJson().constData());
    return 0;
}

int measure(const std::map<std::string, std::string>& o) {
    const std::string conceptName = get(o, "concept", "animal");
    const int experts = std::stoi(get(o, "experts", "50")), runs = std::stoi(get(o, "runs", "50"));
    const double strength = std::stod(get(o, "strength", "1"));
    const WordNet wn(get(o, "wordnet", "/usr/share/wordnet"));
    std::vector<std::string> vocabulary;
    for (const auto& c : demoCategories())
        if (c.name == conceptName) vocabulary = categoryWords(wn, c);
    if (vocabulary.empty()) throw Error("no demo category '" + conceptName + "'");
    const auto store = ProjectStore::open(get(o, "project", "build/demo/demo.esproj"), false);
    const auto ref = chooseResult(*store, conceptName, ResultRequest{});  // the demo's runs use the defaults
    const auto model = loadModel(storedModelSource(*store, ref.modelId));
    const auto e = store->loadConceptResult(ref.runId, ref.conceptId);
    Forcing forcing;
    forceExperts(forcing, model->probePoints(), store->topExperts(ref.runId, ref.conceptId, experts), e,
                 parseForceValue(get(o, "value", "on_p50")), strength);
    GenerationOptions g;
    g.maxNewTokens = 40;
    g.temperature = 0.8f;
    g.topP = 0.95f;
    WordCount plain, forced;
    QJsonArray examples;
    for (int seed = 0; seed < runs; ++seed) {
        g.seed = static_cast<uint64_t>(seed);
        for (bool force : {false, true}) {
            const auto ids = model->generate({}, g, force ? forcing : Forcing{});
            const std::string text = model->tokenizer().decode(ids);
            const auto c = countWords(text, vocabulary);
            auto& total = force ? forced : plain;
            total.matching += c.matching;
            total.words += c.words;
            if (seed < 3) examples.append(QJsonObject{{"seed", seed}, {"forced", force}, {"text", QString::fromStdString(text)}});
        }
    }
    const QJsonObject report{{"concept", QString::fromStdString(conceptName)},
                             {"experts_forced", experts},
                             {"strength", strength},
                             {"runs", runs},
                             {"plain_words", static_cast<qint64>(plain.words)},
                             {"plain_concept_words", static_cast<qint64>(plain.matching)},
                             {"plain_rate", plain.words ? static_cast<double>(plain.matching) / plain.words : 0.0},
                             {"forced_words", static_cast<qint64>(forced.words)},
                             {"forced_concept_words", static_cast<qint64>(forced.matching)},
                             {"forced_rate", forced.words ? static_cast<double>(forced.matching) / forced.words : 0.0},
                             {"examples", examples}};
    std::printf("%s", QJsonDocument(report).toJson().constData());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    selectBlasKernel(argv);
    QCoreApplication app(argc, argv);
    if (argc < 2) {
        std::cerr << kUsage;
        return 2;
    }
    try {
        const std::string command = argv[1];
        const auto o = options(argc, argv);
        if (command == "model") return buildModel(o);
        if (command == "project") return buildProject(o);
        if (command == "measure") return measure(o);
        if (command == "ranking") return buildRanking(o);
        std::cerr << kUsage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "expertscope-demo: " << e.what() << "\n";
        return 1;
    }
}
