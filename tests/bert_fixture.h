#pragma once
// The tiny random BERT (../shared/models/bert-tiny-random) widened to BERT's own vocabulary
// (the new embedding rows and output biases zero), with bert-base-uncased's vocab.txt
// beside it: an encoder that reads text. Empty when a shared asset is missing.
#include "core/base/safetensors.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace expertscope::test {

inline QString bertWithVocabulary(const QString& into) {
    const QString config = sharedPath("models/bert-tiny-random/config.json"), vocab = sharedPath("tokenizers/bert-base-uncased/vocab.txt");
    if (!QFileInfo::exists(config) || !QFileInfo::exists(vocab)) return {};
    QDir().mkpath(into);
    QFile in(config);
    if (!in.open(QIODevice::ReadOnly)) return {};
    QJsonObject c = QJsonDocument::fromJson(in.readAll()).object();
    c["vocab_size"] = 30522;
    QFile out(into + "/config.json");
    if (!out.open(QIODevice::WriteOnly)) return {};
    out.write(QJsonDocument(c).toJson());
    out.close();
    const SafetensorsFile source((QFileInfo(config).absolutePath() + "/model.safetensors").toStdString());
    std::vector<TensorToWrite> tensors;
    for (const auto& t : source.names()) {
        const auto& view = source.tensor(t);
        TensorToWrite w{t, view.dtype, view.shape, std::vector<unsigned char>(view.data, view.data + view.bytes)};
        if (t == "bert.embeddings.word_embeddings.weight" || t == "cls.predictions.bias") {
            w.shape[0] = 30522;
            w.bytes.resize(static_cast<size_t>(30522 * (w.shape.size() > 1 ? w.shape[1] : 1)) * 4, 0);
        }
        tensors.push_back(std::move(w));
    }
    writeSafetensors((into + "/model.safetensors").toStdString(), tensors);
    QFile::copy(vocab, into + "/vocab.txt");
    return into;
}

}  // namespace expertscope::test
