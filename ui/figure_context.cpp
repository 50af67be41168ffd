#include "ui/figure_context.h"

#include "core/project/run_names.h"
#include "ui/project_session.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <map>

namespace expertscope {
namespace {

// SHA-256 of each weight file: a Hugging Face folder's model*.safetensors, or the file.
QJsonArray weightHashes(const QString& modelPath) {
    static std::map<QString, QString> known;  // "path size mtime" -> hash
    QFileInfoList files;
    const QFileInfo fi(modelPath);
    if (fi.isDir()) files = QDir(modelPath).entryInfoList({"model*.safetensors"}, QDir::Files, QDir::Name);
    else if (fi.isFile()) files = {fi};
    QJsonArray out;
    for (const auto& f : files) {
        const QString key = f.absoluteFilePath() + ' ' + QString::number(f.size()) + ' ' + QString::number(f.lastModified().toMSecsSinceEpoch());
        auto it = known.find(key);
        if (it == known.end()) {
            QFile file(f.absoluteFilePath());
            QCryptographicHash hash(QCryptographicHash::Sha256);
            if (!file.open(QIODevice::ReadOnly) || !hash.addData(&file)) continue;
            it = known.emplace(key, QString::fromLatin1(hash.result().toHex())).first;
        }
        out.append(QJsonObject{{"file", f.fileName()}, {"sha256", it->second}});
    }
    return out;
}

}  // namespace

QJsonObject figureContextOf(const ProjectSession& session, int64_t conceptId) {
    QJsonObject c{{"project", session.projectPath()}};
    const auto ref = session.result(conceptId);
    if (!ref.runId) return c;
    c["model"] = QString::fromStdString(ref.modelPath);
    c["model_weights"] = weightHashes(QString::fromStdString(ref.modelPath));
    c["concept"] = QString::fromStdString(ref.concept);
    c["concept_group"] = QString::fromStdString(ref.group);
    c["concept_set"] = QString::fromStdString(ref.source);
    c["run"] = static_cast<qint64>(ref.runId);
    c["run_settings"] = QJsonObject{{"pooling", QString::fromLatin1(choiceName(poolingChoices(), ref.settings.pooling))},
                                    {"sequence_length", ref.settings.sequenceLength},
                                    {"long_sentences", QString::fromLatin1(choiceName(longSentenceChoices(), ref.settings.longSentences))},
                                    {"bos_pooled", ref.bosPooled}};
    return c;
}

}  // namespace expertscope
