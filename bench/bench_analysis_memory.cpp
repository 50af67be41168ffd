// A large model within memory: OneSec's football (700 + 1,000 sentences) analysed on the
// Llama-3.2-1B-shaped model (376,832 units; bench/llama_1b_checkpoint.h) with the whole
// analysis workflow (core/project/analysis.h), once holding every response in memory (2.6
// GB of float32) and once with them in a temporary file scored probe by probe. Each run is
// a child process of its own, so its peak resident memory (wait4) is its alone; both run
// side by side here and are set against the model's own size (float32 parameters). The
// two runs' stored results are compared value for value.
// Sentences are tokenized with GPT-2's byte-level BPE (ids below the model's vocabulary).
// Prints one JSON object.
// Usage: bench_analysis_memory [--dir DIR] [--shared DIR] [--sentences N] [--layers N] [--modes memory,disk]
#include "bench_common.h"
#include "llama_1b_checkpoint.h"

#include "core/project/analysis.h"
#include "core/project/project_store.h"

#include <QCryptographicHash>
#include <QTemporaryDir>

#include <iostream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace expertscope;
using namespace expertscope::bench;

namespace {

// The first `count` sentences of the concept file, positives in their share, as a
// one-concept ml-selfcond folder at `dir`.
bool writeConcept(const std::string& football, int count, const QString& dir) {
    QFile in(QString::fromStdString(football));
    if (!in.open(QIODevice::ReadOnly)) return false;
    QJsonObject concept = QJsonDocument::fromJson(in.readAll()).object();
    QJsonObject sentences = concept.value("sentences").toObject();
    const QJsonArray pos = sentences.value("positive").toArray(), neg = sentences.value("negative").toArray();
    const int total = static_cast<int>(pos.size() + neg.size());
    count = std::min(count, total);
    const int positives = std::max(1, static_cast<int>(static_cast<int64_t>(count) * pos.size() / total));
    QJsonArray p, n;
    for (int i = 0; i < positives; ++i) p.append(pos.at(i));
    for (int i = 0; i < count - positives; ++i) n.append(neg.at(i));
    sentences["positive"] = p;
    sentences["negative"] = n;
    concept["sentences"] = sentences;
    QDir().mkpath(dir + "/sense");
    QFile list(dir + "/concept_list.csv"), out(dir + "/sense/football-1_04_00__.json");
    if (!list.open(QIODevice::WriteOnly) || !out.open(QIODevice::WriteOnly)) return false;
    list.write("group,concept\nsense,football-1_04_00__\n");
    out.write(QJsonDocument(concept).toJson());
    return true;
}

// In the child: the analysis, its time and a digest of every stored vector, as JSON.
QJsonObject analyseOnce(const std::string& model, const std::string& tokenizer, const QString& concepts, const QString& project,
                        bool onDiskRequested, const QString& scratch) {
    const auto loadStart = Clock::now();
    auto m = loadModel({model, tokenizer});
    const double loadSeconds = seconds(loadStart);
    auto store = ProjectStore::open(project.toStdString(), true);
    const int64_t modelId = store->addModel(*m);
    const int64_t setId = importOrReuseConceptSet(*store, concepts.toStdString());
    RunSettings settings;
    settings.responsesOnDisk = onDiskRequested;
    settings.scratchFolder = scratch.toStdString();
    const auto start = Clock::now();
    const AnalysisSummary summary = analyse(*store, *m, modelId, setId, settings);
    const double analysisSeconds = seconds(start);
    QCryptographicHash digest(QCryptographicHash::Sha256);
    double bestAp = 0;
    for (const auto& r : store->results(summary.runId)) {
        const UnitExpertise e = store->loadConceptResult(r.runId, r.conceptId);
        for (const auto* v : {&e.ap, &e.onP50, &e.onP90, &e.offMean, &e.auroc})
            digest.addData(QByteArrayView(reinterpret_cast<const char*>(v->data()), static_cast<qsizetype>(v->size() * sizeof(double))));
        bestAp = std::max(bestAp, r.bestAp);
    }
    int onDisk = 0;  // concepts whose responses went to a temporary file
    for (const auto& message : summary.messages) onDisk += message.message.find("kept in a temporary file") != std::string::npos;
    return QJsonObject{{"parameters", static_cast<qint64>(m->info().parameters)},
                       {"spilled_to_disk", onDisk > 0 || onDiskRequested},
                       {"units", static_cast<qint64>(m->unitCount())},
                       {"load_seconds", loadSeconds},
                       {"analysis_seconds", analysisSeconds},
                       {"sentences_run", static_cast<qint64>(summary.sentencesRun)},
                       {"analysed", summary.analysed},
                       {"best_ap", bestAp},
                       {"results_sha256", QString::fromLatin1(digest.result().toHex())}};
}

}  // namespace

int main(int argc, char** argv) {
    selectBlasKernel(argv);
    std::string shared = EXPERTSCOPE_SHARED_DEFAULT, dir;
    int count = 1700;
    Shape shape;
    QStringList modes{"memory", "disk"};
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--shared") shared = argv[i + 1];
        else if (a == "--dir") dir = argv[i + 1];
        else if (a == "--sentences") count = std::max(2, std::atoi(argv[i + 1]));
        else if (a == "--layers") shape.layers = std::max(1, std::atoi(argv[i + 1]));
        else if (a == "--modes") modes = QString(argv[i + 1]).split(',');
    }
    if (dir.empty()) {  // one folder per shape: a checkpoint of other layers is not reused
        dir = QDir::temp().filePath("expertscope-bench-llama32-1b-bf16").toStdString();
        if (shape.layers != Shape{}.layers) dir += "-" + std::to_string(shape.layers) + "-layers";
    }
    const std::string football = shared + "/concepts/onesec/sense/football-1_04_00__.json";
    const std::string tokenizer = shared + "/tokenizers/gpt2/encoder.json";
    QTemporaryDir tmp;
    if (!QFile::exists(QString::fromStdString(tokenizer)) || !writeConcept(football, count, tmp.filePath("concepts"))) {
        std::cerr << "bench_analysis_memory: needs " << tokenizer << " and " << football << "\n";
        return 1;
    }
    const double writeSeconds = ensureCheckpoint(dir, shape);
    if (writeSeconds < 0) return 1;

    QJsonArray runs;
    int64_t parameters = 0, units = 0;
    for (const QString& mode : modes) {
        int pipeFds[2];
        if (pipe(pipeFds) != 0) return 1;
        const pid_t child = fork();
        if (child == 0) {
            close(pipeFds[0]);
            QJsonObject result;
            try {
                result = analyseOnce(dir, tokenizer, tmp.filePath("concepts"), tmp.filePath(mode + ".esproj"), mode == "disk", tmp.path());
            } catch (const std::exception& e) {
                result["error"] = e.what();
            }
            const QByteArray text = QJsonDocument(result).toJson(QJsonDocument::Compact);
            if (write(pipeFds[1], text.constData(), static_cast<size_t>(text.size())) < 0) _exit(2);
            _exit(0);
        }
        close(pipeFds[1]);
        QByteArray text;
        char buffer[4096];
        for (ssize_t n; (n = read(pipeFds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, n);
        close(pipeFds[0]);
        int status = 0;
        struct rusage usage {};
        wait4(child, &status, 0, &usage);
        QJsonObject run = QJsonDocument::fromJson(text).object();
        run["responses"] = mode;
        run["peak_rss_mib"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
        parameters = std::max<int64_t>(parameters, run.value("parameters").toInteger());
        units = std::max<int64_t>(units, run.value("units").toInteger());
        runs.append(run);
    }
    const double float32Mib = static_cast<double>(parameters) * 4 / (1024.0 * 1024.0);
    const double responsesMib = static_cast<double>(count) * static_cast<double>(units) * 4 / (1024.0 * 1024.0);
    for (int i = 0; i < runs.size(); ++i) {
        QJsonObject run = runs[i].toObject();
        run["peak_over_float32_model"] = run.value("peak_rss_mib").toDouble() / float32Mib;
        runs[i] = run;
    }
    const bool equal = runs.size() == 2 && runs[0].toObject().value("results_sha256") == runs[1].toObject().value("results_sha256") &&
                       !runs[0].toObject().value("results_sha256").toString().isEmpty();
    const QJsonObject out{
        {"benchmark", "analysis_memory"},
        {"model", QString("Llama-3.2-1B shape, %1 layers, random bf16 weights").arg(shape.layers)},
        {"concept", QString("OneSec football, %1 sentences").arg(count)},
        {"parameters", static_cast<qint64>(parameters)},
        {"units", static_cast<qint64>(units)},
        {"float32_model_mib", float32Mib},
        {"float32_responses_mib", responsesMib},
        {"checkpoint_write_seconds", writeSeconds},
        {"runs", runs},
        {"results_equal", equal},
        {"environment", environment()},
    };
    std::cout << QJsonDocument(out).toJson(QJsonDocument::Indented).toStdString();
    return 0;
}
