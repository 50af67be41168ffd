#include "core/project/selfcond_export.h"

#include "core/base/error.h"
#include "core/project/run_names.h"
#include "core/science/expert_queries.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QTextStream>

#include <algorithm>

namespace expertscope {
namespace {

QJsonObject expertiseInfo(const ProjectStore::ResultRef& ref, const UnitExpertise& e, const std::vector<ProbePoint>& probes) {
    QJsonArray layers;
    for (const auto& p : probes) layers.append(QString::fromStdString(p.name));
    return QJsonObject{
        // ml-selfcond's keys
        {"concept", QString::fromStdString(ref.concept)},
        {"group", QString::fromStdString(ref.group)},
        {"max_ap", e.ap.empty() ? 0.0 : *std::max_element(e.ap.begin(), e.ap.end())},
        {"layer_names", layers},
        {"total_neurons", static_cast<qint64>(e.ap.size())},
        {"neurons_at_ap", neuronsAtAp(e)},
        // where the results come from
        {"source", QString::fromStdString(ref.source)},
        {"num_positives", ref.positives},
        {"num_negatives", ref.negatives},
        {"model", QString::fromStdString(ref.modelPath)},
        {"pooling", QString::fromStdString(ref.pooling)},
        {"sequence_length", ref.sequenceLength},
        {"long_sentences", choiceName(longSentenceChoices(), ref.settings.longSentences)},
        {"bos_pooled", ref.bosPooled},
        {"run", static_cast<qint64>(ref.runId)}};
}

// QSaveFile: written to a temporary file and renamed over the old one when complete, so a
// full disk or a killed process never leaves half a file.
void writeWhole(const QString& path, const QByteArray& data) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(data) != data.size() || !f.commit())
        throw Error(path.toStdString() + ": cannot write (" + f.errorString().toStdString() + ")");
}

}  // namespace

QJsonObject neuronsAtAp(const UnitExpertise& e) {
    QJsonObject counts;
    for (const auto& c : expertCountCurve(e)) counts.insert(QString::number(c.threshold, 'f', 5), static_cast<qint64>(c.units));
    return counts;
}

std::string exportSelfcondResult(const ProjectStore& store, const ProjectStore::ResultRef& ref, const std::string& outDir) {
    const QString dir = QDir(QString::fromStdString(outDir)).filePath(QString::fromStdString(ref.group + "/" + ref.concept));
    if (!QDir().mkpath(dir)) throw Error(dir.toStdString() + ": cannot create");
    const auto e = store.loadConceptResult(ref.runId, ref.conceptId);
    const auto probes = store.probes(ref.modelId);
    QByteArray csv;
    {
        QTextStream s(&csv);
        s.setRealNumberPrecision(9);  // float32 values read back exactly
        s << "ap,off_mean,on_p50,on_p90,layer,unit,uuid,concept,group\n";
        for (const auto& p : probes)
            for (int u = 0; u < p.units; ++u) {
                const size_t g = static_cast<size_t>(p.offset + u);
                s << e.ap[g] << ',' << e.offMean[g] << ',' << e.onP50[g] << ',' << e.onP90[g] << ',' << QString::fromStdString(p.name)
                  << ',' << u << ',' << static_cast<qint64>(g) << ',' << QString::fromStdString(ref.concept) << ','
                  << QString::fromStdString(ref.group) << '\n';
            }
    }
    writeWhole(dir + "/expertise.csv", csv);
    writeWhole(dir + "/expertise_info.json", QJsonDocument(expertiseInfo(ref, e, probes)).toJson(QJsonDocument::Indented));
    return dir.toStdString();
}

}  // namespace expertscope
